"""Choice lists of the spatial-planning workstream: levels, batches and the seven stages."""

from django.db import models

from county.status.palette import DONE, GRAY, INDIGO, INFO, PRIMARY, SKY, WARNING


class Level(models.TextChoices):
    TOWNSHIP = "township", "乡镇级"
    VILLAGE = "village", "村级"


class Batch(models.TextChoices):
    FIRST = "first", "第一批次"
    SECOND = "second", "第二批次"
    ON_DEMAND = "on_demand", "按需编制"


class Stage(models.IntegerChoices):
    """The stages of a plan, in order; a plan moves one step at a time."""

    BASE_DATA = 1, "基础资料收集"
    SURVEY = 2, "调研座谈"
    DRAFT = 3, "初步成果"
    CITY_REVIEW = 4, "报市级审查"
    PROVINCIAL_REVIEW = 5, "省级专班审查"
    REVISING = 6, "修改完善"
    DONE = 7, "批复/完成"


# A review may send the plan back to 修改完善 (with a reason).
REVIEW_STAGES = (Stage.CITY_REVIEW, Stage.PROVINCIAL_REVIEW)

STAGE_ALIASES = {
    "报省级专班审查": Stage.PROVINCIAL_REVIEW,
    "省级审查": Stage.PROVINCIAL_REVIEW,
    "市级审查": Stage.CITY_REVIEW,
    "报市审": Stage.CITY_REVIEW,
    "基础资料": Stage.BASE_DATA,
    "资料收集": Stage.BASE_DATA,
    "调研": Stage.SURVEY,
    "批复": Stage.DONE,
    "完成": Stage.DONE,
    "已批复": Stage.DONE,
    "已完成": Stage.DONE,
    "批复完成": Stage.DONE,
}
BATCH_ALIASES = {"第一批": Batch.FIRST, "一批": Batch.FIRST, "第二批": Batch.SECOND,
                 "二批": Batch.SECOND, "按需": Batch.ON_DEMAND}  # fmt: skip
LEVEL_ALIASES = {"乡镇": Level.TOWNSHIP, "乡镇级片区": Level.TOWNSHIP, "村": Level.VILLAGE,
                 "村级片区": Level.VILLAGE}  # fmt: skip

# Each stage's colour (county/status/palette.py): its badge, the overview's and the
# cockpit's charts: a hue per stage, light before the draft, blues in review, done as 已完成.
STAGE_TONES = {
    Stage.BASE_DATA: GRAY,
    Stage.SURVEY: SKY,
    Stage.DRAFT: INFO,
    Stage.CITY_REVIEW: PRIMARY,
    Stage.PROVINCIAL_REVIEW: INDIGO,
    Stage.REVISING: WARNING,
    Stage.DONE: DONE,
}

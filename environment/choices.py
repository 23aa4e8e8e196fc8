"""Choice lists of the environment workstream."""

from django.db import models

from county.status.palette import DANGER, DONE, GRAY, PRIMARY, WARNING


class InspectionKind(models.TextChoices):
    OPEN = "open", "明查"
    UNANNOUNCED = "unannounced", "暗访"
    CROSS = "cross", "交叉检查"
    ROUTINE = "routine", "日常巡查"


class ProblemStatus(models.TextChoices):
    """The loop: 已交办 → 整改中 → 待验收 → 已销号 (or back to 整改中 when rejected)."""

    ASSIGNED = "assigned", "已交办"
    RECTIFYING = "rectifying", "整改中"
    PENDING = "pending", "待验收"
    CLOSED = "closed", "已销号"


# Statuses in which the responsible unit has work to do (我的待办).
OPEN_FOR_UNIT = (ProblemStatus.ASSIGNED, ProblemStatus.RECTIFYING)
NOT_CLOSED = (ProblemStatus.ASSIGNED, ProblemStatus.RECTIFYING, ProblemStatus.PENDING)

# Each status's colour (county/status/palette.py): its badge, the map's points, the cockpit.
STATUS_TONES = {
    ProblemStatus.ASSIGNED: GRAY,
    ProblemStatus.RECTIFYING: PRIMARY,
    ProblemStatus.PENDING: WARNING,
    ProblemStatus.CLOSED: DONE,
}
# 顽固问题 (its badge and its mark on the map).
STUBBORN_TONE = DANGER


class CategoryGroup(models.TextChoices):
    COMMON = "common", "常见问题"
    FIVE_CLEAN = "five_clean", "五清（村社）"
    FOUR_FIX = "four_fix", "四定（场镇）"


class ReviewResult(models.TextChoices):
    PENDING = "pending", "待验收"
    ACCEPTED = "accepted", "验收通过"
    REJECTED = "rejected", "退回"


class RecheckResult(models.TextChoices):
    STABLE = "stable", "巩固良好"
    RECURRED = "recurred", "问题反弹"


class PhotoKind(models.TextChoices):
    FOUND = "found", "发现照片"
    AFTER = "after", "整改后照片"
    RECHECK = "recheck", "回头看照片"


class Measure(models.TextChoices):
    CRITICISM = "criticism", "通报批评"
    INTERVIEW = "interview", "约谈"
    ACCOUNTABILITY = "accountability", "追责问责"


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已印发"


# Seeded categories (the speech's problems, 五清 for villages, 四定 for market towns).
SEED_CATEGORIES = [
    (CategoryGroup.COMMON, "垃圾清运不及时"),
    (CategoryGroup.COMMON, "“三线”杂乱"),
    (CategoryGroup.COMMON, "占道经营"),
    (CategoryGroup.COMMON, "车辆乱停乱放"),
    (CategoryGroup.COMMON, "小广告"),
    (CategoryGroup.COMMON, "房前屋后脏乱差"),
    (CategoryGroup.COMMON, "乱堆乱放"),
    (CategoryGroup.COMMON, "路面清扫不彻底"),
    (CategoryGroup.COMMON, "绿化带杂草丛生"),
    (CategoryGroup.COMMON, "建筑工地围挡不规范"),
    (CategoryGroup.FIVE_CLEAN, "生活垃圾未清理"),
    (CategoryGroup.FIVE_CLEAN, "沟渠塘堰淤塞"),
    (CategoryGroup.FIVE_CLEAN, "畜禽粪污未清理"),
    (CategoryGroup.FIVE_CLEAN, "残垣断壁未清理"),
    (CategoryGroup.FIVE_CLEAN, "农业生产废弃物未清理"),
    (CategoryGroup.FOUR_FIX, "保洁未定人定岗"),
    (CategoryGroup.FOUR_FIX, "垃圾未定时收运"),
    (CategoryGroup.FOUR_FIX, "摊点未定点经营"),
    (CategoryGroup.FOUR_FIX, "环境卫生未定责考核"),
]

STUBBORN_WINDOW_DAYS = 90

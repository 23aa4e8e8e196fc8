"""Choice lists of the abandoned-land workstream (撂荒地整治)."""

from django.db import models

from county.status.palette import DANGER, GRAY, INFO, PRIMARY, SUCCESS, WARNING


class ParcelStatus(models.TextChoices):
    """The loop 整治一片、巩固一片、用好一片: 已排查 → 已整治 → 已种植 → 已巩固, or 复撂荒."""

    SURVEYED = "surveyed", "已排查"
    REMEDIATED = "remediated", "已整治"
    PLANTED = "planted", "已种植"
    CONSOLIDATED = "consolidated", "已巩固"
    REABANDONED = "reabandoned", "复撂荒"


class Season(models.TextChoices):
    """大春 (spring-summer crops), 小春 (秋冬种: autumn-winter sowing), perennial crops."""

    SPRING = "spring", "大春"
    WINTER = "winter", "小春"
    PERENNIAL = "perennial", "多年生"


SEASON_ALIASES = {
    "秋冬种": Season.WINTER,
    "小春（秋冬种）": Season.WINTER,
    "—": Season.PERENNIAL,  # the sample's season of 柑橘
    "——": Season.PERENNIAL,
    "-": Season.PERENNIAL,
    "多年生作物": Season.PERENNIAL,
}


class OperatorType(models.TextChoices):
    FARMER = "farmer", "个人/农户"
    COOPERATIVE = "cooperative", "合作社"
    FAMILY_FARM = "family_farm", "家庭农场"
    COMPANY = "company", "企业"
    COLLECTIVE = "collective", "村集体"


OPERATOR_TYPE_ALIASES = {
    "个人": OperatorType.FARMER,
    "农户": OperatorType.FARMER,
    "种植大户": OperatorType.FARMER,
    "专业合作社": OperatorType.COOPERATIVE,
    "农民专业合作社": OperatorType.COOPERATIVE,
    "公司": OperatorType.COMPANY,
    "村集体经济组织": OperatorType.COLLECTIVE,
}

# Suggestions for the free-text columns (a real ledger may use other words).
CAUSES = ["劳动力外出务工", "种植收益低", "地块偏远、耕作不便", "灌溉条件差", "土地细碎化",
          "野生动物损害"]  # fmt: skip
METHODS = ["农户自行复耕", "村集体统一流转复耕", "合作社托管", "引进业主规模经营",
           "土地整理后复耕"]  # fmt: skip
CROPS = ["水稻", "玉米", "大豆", "小麦", "油菜", "马铃薯", "蔬菜", "柑橘"]

# Statuses whose land has been remediated at least once (整治一片).
REMEDIATED_EVER = (
    ParcelStatus.REMEDIATED,
    ParcelStatus.PLANTED,
    ParcelStatus.CONSOLIDATED,
    ParcelStatus.REABANDONED,
)
# Land in use (用好一片).
IN_USE = (ParcelStatus.PLANTED, ParcelStatus.CONSOLIDATED)
# Land still abandoned (减存量): never remediated, or abandoned again.
STILL_ABANDONED = (ParcelStatus.SURVEYED, ParcelStatus.REABANDONED)

# Each status's colour (county/status/palette.py): its badge, the overview's and the
# cockpit's charts, the map's points.
STATUS_TONES = {
    ParcelStatus.SURVEYED: GRAY,
    ParcelStatus.REMEDIATED: PRIMARY,
    ParcelStatus.PLANTED: SUCCESS,
    ParcelStatus.CONSOLIDATED: INFO,
    ParcelStatus.REABANDONED: DANGER,
}
# 整治后无种植计划 (its badge, its bars and its mark on the map).
AT_RISK_TONE = WARNING

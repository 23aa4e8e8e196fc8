"""Choice lists shared by the whole county core."""

from django.db import models


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", "县级部门"
    TOWNSHIP = "township", "乡镇（街道）"


class TownshipKind(models.TextChoices):
    TOWN = "镇", "镇"
    XIANG = "乡", "乡"
    STREET = "街道", "街道"


class VillageKind(models.TextChoices):
    VILLAGE = "村", "村"
    COMMUNITY = "社区", "社区"


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    SUPERVISOR = "supervisor", "督查人员"
    LEADER = "leader", "县级领导"
    STAFF = "staff", "单位工作人员"

"""Choice lists of the reform ledger."""

from django.db import models


class Track(models.TextChoices):
    MANDATED = "mandated", "规定动作"
    FOLLOW_UP = "follow_up", "后半篇文章"
    INNOVATION = "innovation", "微改革微创新"


class Source(models.TextChoices):
    CITY_DOCKING = "city_docking", "对接市委深改委专项改革方案"
    DIRECT = "direct", "直接执行"
    COUNTY = "county", "县委自主"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未启动"
    IN_PROGRESS = "in_progress", "推进中"
    LAGGING = "lagging", "滞后"
    DONE = "done", "已完成"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "已退回"


class ExperienceLevel(models.TextChoices):
    CITY = "city", "市级"
    PROVINCE = "province", "省级"
    NATIONAL = "national", "国家级"


class FollowUpStatus(models.TextChoices):
    RECTIFYING = "rectifying", "整改中"
    RECTIFIED = "rectified", "已整改"
    RECHECKED = "rechecked", "回头看通过"


class RecheckResult(models.TextChoices):
    FINE = "fine", "整改成效巩固"
    RECURRED = "recurred", "问题反弹"

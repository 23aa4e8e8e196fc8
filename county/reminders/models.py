"""Records of the reminder machinery: settings, the exactly-once ledger, digests, notices.

- :class:`ReminderSettings` — one row an admin edits (escalation to leaders after N days …).
- :class:`Reminder` — one row per (item, rule, day, person), written *before* anything is
  sent; a database unique constraint makes a second run, a retry or a concurrent worker
  a no-op.
- :class:`Digest` — the one message a person gets per day; pending until delivered.
- :class:`Notification` — the in-app copy of a digest (the bell in the navigation bar).
- :class:`SupervisionNotice` — 督办单, the formal push notice a unit must acknowledge.
- :class:`EventNotice` — one person told once about one event (:mod:`county.events`).

Imported from ``county/models.py``, so these models belong to the ``county`` app.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from county.templatetags.dates import cn_date


class ReminderSettings(models.Model):
    """The admin-editable knobs of the reminders (a single row, pk 1)."""

    leader_escalation_days = models.PositiveSmallIntegerField("逾期几天后报牵头县领导", default=7)
    notice_after_days = models.PositiveSmallIntegerField(
        "逾期几天后下发督办单", default=1, help_text="1 表示逾期第一天即下发。"
    )
    overdue_repeat_days = models.PositiveSmallIntegerField(
        "逾期提醒间隔（天）",
        default=7,
        help_text="逾期第一天提醒责任单位，之后每隔这么多天再提醒一次，避免每天重复打扰。",
    )
    weekly_digest_weekday = models.PositiveSmallIntegerField(
        "领导周报在星期几",
        default=1,
        choices=[(1, "星期一"), (2, "星期二"), (3, "星期三"), (4, "星期四"), (5, "星期五")],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "提醒设置"
        verbose_name_plural = "提醒设置"

    def __str__(self):
        return "提醒设置"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class Rule(models.TextChoices):
    """Why a reminder was sent."""

    DAYS_7 = "t7", "7天内到期"
    DAYS_3 = "t3", "3天内到期"
    DAYS_1 = "t1", "明天到期"
    DUE = "due", "今日到期"
    OVERDUE = "overdue", "逾期"
    SUPERVISOR = "supervisor", "逾期升级（督查）"
    LEADER = "leader", "逾期升级（牵头县领导）"
    WEEKLY = "weekly", "领导周报"


class Urgency(models.TextChoices):
    """The groups of a digest, most urgent first."""

    OVERDUE = "overdue", "逾期"
    TODAY = "today", "今日到期"
    DAYS_1 = "d1", "1天"
    DAYS_3 = "d3", "3天"
    DAYS_7 = "d7", "7天"
    WEEKLY = "weekly", "本周逾期汇总"


URGENCY_OF_RULE = {
    Rule.DAYS_7: Urgency.DAYS_7,
    Rule.DAYS_3: Urgency.DAYS_3,
    Rule.DAYS_1: Urgency.DAYS_1,
    Rule.DUE: Urgency.TODAY,
    Rule.OVERDUE: Urgency.OVERDUE,
    Rule.SUPERVISOR: Urgency.OVERDUE,
    Rule.LEADER: Urgency.OVERDUE,
    Rule.WEEKLY: Urgency.WEEKLY,
}
URGENCY_ORDER = list(Urgency.values)
ESCALATION_RULES = (Rule.SUPERVISOR, Rule.LEADER)


class Reminder(models.Model):
    """One reminder to one person about one item: recorded once, before it is sent.

    ``day`` is the rule's own day (e.g. the deadline minus 3 for the 3-day rule), so a
    missed run is caught up the next day and a repeated run finds the row already there.
    """

    item_key = models.CharField("事项类别", max_length=60)  # DatedWork.key
    object_id = models.BigIntegerField("事项编号")
    rule = models.CharField("规则", max_length=20, choices=Rule.choices)
    day = models.DateField("提醒日")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name="接收人",
    )
    workstream = models.CharField("工作板块", max_length=40)
    title = models.CharField("事项", max_length=500)
    deadline = models.DateField("完成时限")
    days_overdue = models.PositiveIntegerField("逾期天数", default=0)
    unit = models.ForeignKey(
        "county.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任单位",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    run = models.CharField("记录批次", max_length=32, db_index=True)
    digest = models.ForeignKey(
        "county.Digest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name="所在汇总",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "提醒记录"
        verbose_name_plural = "提醒记录"
        ordering = ["-day", "item_key", "object_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_key", "object_id", "rule", "day", "user"],
                name="reminder_once_per_item_rule_day_person",
            )
        ]
        indexes = [models.Index(fields=["user", "digest"], name="reminder_user_digest")]

    def __str__(self):
        return f"{self.get_rule_display()}：{self.title} → {self.user}"

    @property
    def urgency(self):
        return URGENCY_OF_RULE[self.rule]


class Digest(models.Model):
    """The one message a person gets on one day: all his reminders, grouped.

    Created *pending*; the transaction that delivers it claims it (pending → sent),
    attaches the person's unsent reminders and writes the in-app notification. A worker
    killed before that commit leaves it pending, and the next run sends it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"

    class Email(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        MUTED = "muted", "本人已关闭邮件"
        NO_ADDRESS = "no_address", "无邮箱"
        FAILED = "failed", "发送失败（下次重试）"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digests",
        verbose_name="接收人",
    )
    day = models.DateField("日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    email_status = models.CharField(
        "邮件", max_length=12, choices=Email.choices, default=Email.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField("邮件尝试次数", default=0)
    email_error = models.CharField("邮件错误", max_length=300, blank=True)
    subject = models.CharField("标题", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "每日提醒汇总"
        verbose_name_plural = "每日提醒汇总"
        ordering = ["-day", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_person_day")
        ]

    def __str__(self):
        return f"{cn_date(self.day)} {self.user}"


class Notification(models.Model):
    """An in-app notice in a person's notification centre (cannot be muted)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    digest = models.OneToOneField(
        Digest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification",
        verbose_name="提醒汇总",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class SupervisionNotice(models.Model):
    """督办单: a formal push notice about an overdue item, acknowledged by the unit."""

    # county.scoping: readers of all and the unit read it; the unit's staff sign for it.
    unit_paths = ("unit",)
    permissions = {"view": ("readers", "unit"), "acknowledge": ("unit_staff",)}

    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    item_key = models.CharField("事项类别", max_length=60)
    object_id = models.BigIntegerField("事项编号")
    workstream = models.CharField("工作板块", max_length=40)
    title = models.CharField("督办事项", max_length=500)
    deadline = models.DateField("完成时限")
    days_overdue = models.PositiveIntegerField("下发时逾期天数")
    unit = models.ForeignKey(
        "county.Unit",
        on_delete=models.PROTECT,
        related_name="supervision_notices",
        verbose_name="责任单位",
    )
    url = models.CharField("事项链接", max_length=300, blank=True)
    issued_on = models.DateField("下发日期")
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="签收人",
    )
    response = models.TextField("整改说明", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-year", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="notice_number_unique"),
            models.UniqueConstraint(
                fields=["item_key", "object_id", "deadline"], name="notice_once_per_item_deadline"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self):
        return f"督办〔{self.year}〕第{self.seq:03d}号"

    @property
    def is_acknowledged(self):
        return self.acknowledged_at is not None


class EventNotice(models.Model):
    """One person told about one event (a request made, a decision, a 批示 …), exactly once.

    Written after the change's transaction commits (see :mod:`county.events`), together with
    the in-app notification; the e-mail follows in a Celery task. The unique (event, person)
    key makes a second delivery of the same event, or a retried e-mail task, a no-op.
    """

    class Email(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        MUTED = "muted", "本人已关闭邮件"
        NO_ADDRESS = "no_address", "无邮箱"
        FAILED = "failed", "发送失败"

    event_id = models.UUIDField("事件编号")
    event_key = models.CharField("事件类别", max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="event_notices",
        verbose_name="接收人",
    )
    notification = models.OneToOneField(
        Notification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_notice",
        verbose_name="站内通知",
    )
    email_status = models.CharField(
        "邮件", max_length=12, choices=Email.choices, default=Email.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField("邮件尝试次数", default=0)
    email_error = models.CharField("邮件错误", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "事件通知"
        verbose_name_plural = "事件通知"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "user"], name="event_notice_once_per_person"
            )
        ]

    def __str__(self):
        return f"{self.event_key} → {self.user}"

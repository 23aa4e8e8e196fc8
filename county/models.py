"""The county's organisation: units, villages, leaders, special groups and users."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from . import places
from .choices import Role, TownshipKind, UnitKind, VillageKind
from .templatetags.dates import cn_datetime


class UnitQuerySet(models.QuerySet):
    def departments(self):
        return self.filter(kind=UnitKind.DEPARTMENT)

    def townships(self):
        return self.filter(kind=UnitKind.TOWNSHIP)


class Unit(models.Model):
    """A department (县级部门, utility companies included) or a township (乡镇/街道)."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=20, choices=UnitKind.choices)
    township_kind = models.CharField(
        "乡镇类别", max_length=10, choices=TownshipKind.choices, blank=True
    )
    aliases = models.TextField(
        "简称/别名", blank=True, help_text="台账里常用的简称，每行一个，如“县住建局”。"
    )
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    outline = models.JSONField(
        "乡镇边界",
        null=True,
        blank=True,
        validators=[places.validate_outline],
        help_text="GeoJSON Polygon / MultiPolygon（WGS-84），只用于乡镇（街道）。",
    )
    history = HistoricalRecords(excluded_fields=["outline"])

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["kind", "order", "name"]

    def __str__(self):
        return self.name

    @property
    def alias_list(self):
        return [a.strip() for a in self.aliases.splitlines() if a.strip()]

    @property
    def short_name(self):
        """The shortest name clerks use, for narrow table cells."""
        return min([self.name, *self.alias_list], key=len)

    def clean(self):
        if self.kind == UnitKind.TOWNSHIP and not self.township_kind:
            raise ValidationError({"township_kind": "乡镇（街道）必须选择乡镇类别。"})
        for alias in self.alias_list:
            clash = (
                Unit.objects.exclude(pk=self.pk)
                .filter(models.Q(name=alias) | models.Q(aliases__contains=alias))
                .first()
            )
            if clash and (alias == clash.name or alias in clash.alias_list):
                raise ValidationError({"aliases": f"简称“{alias}”已被“{clash.name}”使用。"})


class Village(models.Model):
    """A village (村) or community (社区) under a township."""

    township = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="villages",
        limit_choices_to={"kind": UnitKind.TOWNSHIP},
        verbose_name="所属乡镇",
    )
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=10, choices=VillageKind.choices)
    longitude = places.longitude_field()
    latitude = places.latitude_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "村（社区）"
        verbose_name_plural = "村（社区）"
        ordering = ["township__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="village_unique_in_township")
        ]

    def __str__(self):
        return f"{self.township.name}{self.name}"

    def clean(self):
        errors = {}
        if self.township_id and self.township.kind != UnitKind.TOWNSHIP:
            errors["township"] = "村（社区）只能属于乡镇（街道）。"
        places.check_point(self, errors)
        if errors:
            raise ValidationError(errors)


class Leader(models.Model):
    """A county leader (县级领导): leads reform items and liaises with townships."""

    name = models.CharField("姓名", max_length=50, unique=True)
    title = models.CharField("职务", max_length=100)
    liaison_townships = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="liaison_leaders",
        limit_choices_to={"kind": UnitKind.TOWNSHIP},
        verbose_name="联系乡镇",
    )
    order = models.PositiveIntegerField("排序", default=0)
    history = HistoricalRecords(m2m_fields=[liaison_townships])

    class Meta:
        verbose_name = "县级领导"
        verbose_name_plural = "县级领导"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class SpecialGroup(models.Model):
    """A special reform group (县委深改委专项小组) that reform items are grouped by."""

    name = models.CharField("名称", max_length=100, unique=True)
    order = models.PositiveIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "改革专项小组"
        verbose_name_plural = "改革专项小组"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @property
    def short_name(self):
        return self.name.removesuffix("专项小组")


class Supervision(models.Model):
    """A unit that supervises one workstream (e.g. 县住建局 supervises environment)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="supervisions", verbose_name="督查单位"
    )
    workstream = models.CharField("工作板块", max_length=40)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "督查分工"
        verbose_name_plural = "督查分工"
        constraints = [
            models.UniqueConstraint(fields=["unit", "workstream"], name="supervision_unique")
        ]

    def __str__(self):
        from .registry import registry

        return f"{self.unit} 督查 {registry.label(self.workstream)}"


class User(AbstractUser):
    """A person who logs in: belongs to one unit (leaders to none) and has one role."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.STAFF)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属单位",
    )
    leader = models.OneToOneField(
        Leader,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name="对应县级领导",
    )
    phone = models.CharField("手机号", max_length=20, blank=True)
    email_muted = models.BooleanField("不接收邮件提醒", default=False)
    must_change_password = models.BooleanField(
        "首次登录须修改密码",
        default=False,
        help_text="批量创建的账号带一次性初始密码，登录后必须先改密码。",
    )

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        return f"{self.last_name}{self.first_name}".strip()

    def clean(self):
        super().clean()
        if self.role in (Role.STAFF, Role.SUPERVISOR) and not self.unit_id:
            raise ValidationError({"unit": "单位工作人员和督查人员必须属于一个单位。"})
        if self.role == Role.LEADER and not self.leader_id:
            raise ValidationError({"leader": "县级领导账号必须对应一名县级领导。"})

    @property
    def is_county_admin(self):
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def reads_all(self):
        """Leaders, supervisors and admins read every unit's records."""
        return self.is_county_admin or self.role in (Role.SUPERVISOR, Role.LEADER)

    @cached_property
    def supervised_workstreams(self):
        if self.role != Role.SUPERVISOR or not self.unit_id:
            return frozenset()
        return frozenset(
            Supervision.objects.filter(unit_id=self.unit_id).values_list("workstream", flat=True)
        )

    def supervises(self, workstream):
        return self.is_county_admin or workstream in self.supervised_workstreams

    @property
    def affiliation(self):
        """What the page header shows: the unit, or the leader's title."""
        if self.unit_id:
            return self.unit.name
        if self.leader_id:
            return self.leader.title
        return self.get_role_display()


class AuditEvent(models.Model):
    """One entry of the operations audit log: a login, an import, an export, a decision…

    Business records keep their own field history (django-simple-history); this log
    answers the administrator's question "who did what, from where, when" across them.
    """

    class Action(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出"
        IMPORT = "import", "导入台账"
        EXPORT = "export", "导出台账"
        DECISION = "decision", "审核决定"
        SETUP = "setup", "县情初始化"
        ACCOUNTS = "accounts", "账号管理"
        BACKUP = "backup", "备份与恢复"

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name="用户",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices, db_index=True)
    target = models.CharField("对象", max_length=200, blank=True)
    detail = models.TextField("详情", blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{cn_datetime(self.time)} {self.username} {self.get_action_display()}"


class ScoreFormula(models.Model):
    """The weights of the unit rankings' score (考核, ``county/ranking.py``).

    Set by a supervisor of the assessment office (the unit whose 督查板块 names 考核 in the
    县情 data: ``county.scoping``'s ``assessor`` grant) or the admin on
    the formula page. A change adds a row, never edits one: the newest row is the formula in
    force, the older rows are its history with who set them and when.
    """

    on_time_weight = models.DecimalField("按期完成率权重（满分）", max_digits=6, decimal_places=2)
    rectification_weight = models.DecimalField("整改率权重（满分）", max_digits=6, decimal_places=2)
    overdue_penalty = models.DecimalField("每项逾期扣分", max_digits=6, decimal_places=2)
    overdue_day_penalty = models.DecimalField("每逾期一天扣分", max_digits=6, decimal_places=2)
    recurrence_penalty = models.DecimalField("每个顽固问题扣分", max_digits=6, decimal_places=2)
    sent_back_penalty = models.DecimalField("每次被退回扣分", max_digits=6, decimal_places=2)
    note = models.CharField("调整说明", max_length=200, blank=True)
    set_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, related_name="+", verbose_name="设置人"
    )
    set_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "考核计分公式"
        verbose_name_plural = "考核计分公式"
        ordering = ["-set_at", "-pk"]

    def __str__(self):
        return f"考核计分公式（{cn_datetime(self.set_at)}）"


from .reminders import models as reminder_models  # noqa: E402, F401  (county/reminders/)
from .workdays import models as workday_models  # noqa: E402, F401  (county/workdays/)

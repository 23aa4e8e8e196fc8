"""The reform ledger: items, sub-tasks, progress, requests, follow-up problems,
micro-innovations, typical experiences and leaders' instructions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from county.concurrency import VERSION_EXCLUDED, VersionedModel
from county.inputs import LONG_TEXT, check_plausible_date
from county.scoping import ScopedQuerySet, UnitOwnedModel
from county.templatetags.dates import cn_date

from .choices import (
    ExperienceLevel,
    FollowUpStatus,
    RecheckResult,
    RequestStatus,
    Source,
    TaskStatus,
    Track,
)
from .registration import ITEM_ROLLUP, SUBTASK_STATUS

WORKSTREAM = "reforms"

# Who does what (``county.scoping``): 县委改革办's supervisors keep the ledger (items,
# sub-tasks, follow-up problems, experiences); a unit's staff report progress on their
# sub-tasks (``report``), rectify their follow-up problems (``rectify``) and keep their own
# innovation projects; another unit's supervisor decides their requests (``decide``).
SUPERVISORS = ("admin", "supervisor")
SUPERVISOR_WRITES = {"create": SUPERVISORS, "change": SUPERVISORS}


class ReformItem(VersionedModel, UnitOwnedModel):
    """One reform item (改革任务) of a year's ledger, identified by its 序号."""

    workstream = WORKSTREAM
    permissions = {**SUPERVISOR_WRITES, "instruct": ("leader",)}  # 批示: county leaders
    unit_paths = ("lead_unit", "co_units", "subtasks__units")

    year = models.PositiveIntegerField("年度")
    number = models.PositiveIntegerField("序号")
    title = models.CharField("改革任务", max_length=200)
    group = models.ForeignKey(
        "county.SpecialGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reform_items",
        verbose_name="专项小组",
    )
    track = models.CharField("类别", max_length=20, choices=Track.choices, default=Track.MANDATED)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.DIRECT)
    lead_leader = models.ForeignKey(
        "county.Leader",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reform_items",
        verbose_name="牵头县领导",
    )
    lead_unit = models.ForeignKey(
        "county.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_reform_items",
        verbose_name="牵头单位",
    )
    co_units = models.ManyToManyField(
        "county.Unit", blank=True, related_name="co_reform_items", verbose_name="责任单位"
    )
    in_assessment = models.BooleanField("纳入年度考核", default=True)
    note = models.TextField("备注", blank=True, max_length=LONG_TEXT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[co_units], excluded_fields=VERSION_EXCLUDED)

    class Meta:
        verbose_name = "改革任务"
        verbose_name_plural = "改革任务"
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="reform_item_unique_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def rollup(self, subtasks=None, on=None):
        """The item's light and percent, rolled up from its sub-tasks (prefetched if given)."""
        subtasks = list(self.subtasks.all() if subtasks is None else subtasks)
        light = ITEM_ROLLUP.light(subtasks, on)  # the rule: county.status, declared in registration
        if not subtasks:
            return light, 0
        if all(SUBTASK_STATUS.is_closed(t) for t in subtasks):
            return light, 100
        return light, round(sum(t.percent for t in subtasks) / len(subtasks))


class SubTaskQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(status=TaskStatus.DONE)


class SubTask(VersionedModel, UnitOwnedModel):
    """A concrete measure (具体举措/细分任务) of an item, with responsible units and a deadline."""

    workstream = WORKSTREAM
    permissions = {**SUPERVISOR_WRITES, "report": (*SUPERVISORS, "unit_staff")}
    unit_paths = ("units", "item__lead_unit")

    item = models.ForeignKey(
        ReformItem, on_delete=models.CASCADE, related_name="subtasks", verbose_name="改革任务"
    )
    order = models.PositiveIntegerField("顺序", default=1)
    name = models.CharField("具体举措", max_length=300)
    units = models.ManyToManyField(
        "county.Unit", related_name="reform_subtasks", verbose_name="责任单位"
    )
    deadline = models.DateField(
        "完成时限", null=True, blank=True, validators=[check_plausible_date]
    )
    long_term = models.BooleanField("长期任务", default=False)
    status = models.CharField(
        "完成状态", max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField("完成进度（%）", default=0)
    progress = models.TextField(
        "工作进展", blank=True, help_text="最新一次进展报告的内容。", max_length=LONG_TEXT
    )
    completed_on = models.DateField(
        "完成日期", null=True, blank=True, validators=[check_plausible_date]
    )
    note = models.TextField("备注", blank=True, max_length=LONG_TEXT)
    history = HistoricalRecords(m2m_fields=[units], excluded_fields=VERSION_EXCLUDED)

    objects = SubTaskQuerySet.as_manager()

    class Meta:
        verbose_name = "细分任务"
        verbose_name_plural = "细分任务"
        ordering = ["item__year", "item__number", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="subtask_percent_at_most_100"
            )
        ]
        # the task list's page (earliest deadline first), read from the index, not sorted
        indexes = [models.Index(fields=["deadline", "item", "order"], name="subtask_list_order")]

    def __str__(self):
        return self.name

    @property
    def is_done(self):
        return SUBTASK_STATUS.is_closed(self)

    def light(self, on=None):
        return SUBTASK_STATUS.light_of(self, on)

    @property
    def deadline_text(self):
        if self.long_term:
            return "长期坚持"
        return cn_date(self.deadline) if self.deadline else "—"


class ProgressReport(UnitOwnedModel):
    """A progress report (进展报告) on a sub-task; the latest one is its 工作进展."""

    workstream = WORKSTREAM
    permissions = {"change": SUPERVISORS}
    unit_paths = ("subtask__units", "subtask__item__lead_unit")

    subtask = models.ForeignKey(
        SubTask, on_delete=models.CASCADE, related_name="reports", verbose_name="细分任务"
    )
    text = models.TextField("进展情况", max_length=LONG_TEXT)
    percent = models.PositiveSmallIntegerField("完成进度（%）", default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="填报人",
    )
    unit = models.ForeignKey(
        "county.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="填报单位",
    )
    from_import = models.BooleanField("来自台账导入", default=False)
    created_at = models.DateTimeField("填报时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.subtask}：{self.text[:20]}"


class Attachment(models.Model):
    """Evidence attached to a progress report or to a completion request (申请完成).

    Served only through a checked view, to those who may see what it is attached to.
    """

    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="进展",
    )
    completion = models.ForeignKey(
        "CompletionRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="完成申请",
    )
    file = models.FileField("文件", upload_to="reforms/attachments/%Y/%m/")
    name = models.CharField("文件名", max_length=255)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False) | Q(completion__isnull=False),
                name="attachment_belongs_to_report_or_request",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def owner(self):
        """The progress report or completion request it is evidence of."""
        return self.report or self.completion


class RequestBase(UnitOwnedModel):
    """Something staff ask of a supervisor about a sub-task; the asker never decides."""

    workstream = WORKSTREAM
    unit_paths = ("subtask__units", "subtask__item__lead_unit")

    status = models.CharField(
        "审核状态", max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    reason = models.TextField("理由", max_length=LONG_TEXT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.TextField("审核意见", blank=True, max_length=LONG_TEXT)

    class Meta:
        abstract = True

    @property
    def is_pending(self):
        return self.status == RequestStatus.PENDING


class DeadlineChange(RequestBase):
    """A request to move a sub-task's deadline (申请调整), decided by a supervisor."""

    subtask = models.ForeignKey(
        SubTask, on_delete=models.CASCADE, related_name="deadline_changes", verbose_name="细分任务"
    )
    old_deadline = models.DateField(
        "原完成时限", null=True, blank=True, validators=[check_plausible_date]
    )
    new_deadline = models.DateField(
        "申请调整为", null=True, blank=True, validators=[check_plausible_date]
    )
    new_long_term = models.BooleanField("改为长期任务", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "时限调整申请"
        verbose_name_plural = "时限调整申请"
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.subtask} 申请调整时限"

    @property
    def old_text(self):
        return cn_date(self.old_deadline) if self.old_deadline else "长期坚持"

    @property
    def new_text(self):
        if self.new_long_term or not self.new_deadline:
            return "长期坚持"
        return cn_date(self.new_deadline)


class CompletionRequest(RequestBase):
    """A request to mark a sub-task done (申请完成); a supervisor accepts or sends it back."""

    subtask = models.ForeignKey(
        SubTask,
        on_delete=models.CASCADE,
        related_name="completion_requests",
        verbose_name="细分任务",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "完成申请"
        verbose_name_plural = "完成申请"
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.subtask} 申请完成"


class FollowUpProblem(VersionedModel, UnitOwnedModel):
    """One of the "two reforms" follow-up problems (后半篇文章), rectified then re-checked."""

    workstream = WORKSTREAM
    permissions = {
        **SUPERVISOR_WRITES,
        "rectify": (*SUPERVISORS, "unit_staff"),
        "recheck": SUPERVISORS,
    }
    unit_paths = ("lead_unit",)

    number = models.PositiveIntegerField("序号", unique=True)
    area = models.CharField("领域", max_length=100)
    problem = models.TextField("问题", max_length=LONG_TEXT)
    measures = models.TextField("整改措施", blank=True, max_length=LONG_TEXT)
    lead_unit = models.ForeignKey(
        "county.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="牵头单位"
    )
    deadline = models.DateField(
        "整改时限", null=True, blank=True, validators=[check_plausible_date]
    )
    status = models.CharField(
        "状态", max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.RECTIFYING
    )
    item = models.ForeignKey(
        ReformItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_problems",
        verbose_name="关联改革任务",
    )
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报告整改人",
    )
    rectified_at = models.DateTimeField("报告整改时间", null=True, blank=True)
    rectified_note = models.TextField("整改情况", blank=True, max_length=LONG_TEXT)
    history = HistoricalRecords(excluded_fields=VERSION_EXCLUDED)

    class Meta:
        verbose_name = "后半篇文章问题"
        verbose_name_plural = "后半篇文章问题"
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.problem[:30]}"


class Recheck(models.Model):
    """A re-check (回头看) of a rectified follow-up problem."""

    problem = models.ForeignKey(
        FollowUpProblem, on_delete=models.CASCADE, related_name="rechecks", verbose_name="问题"
    )
    checked_on = models.DateField("回头看日期", validators=[check_plausible_date])
    result = models.CharField("结果", max_length=20, choices=RecheckResult.choices)
    note = models.TextField("情况说明", blank=True, max_length=LONG_TEXT)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="检查人"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "回头看"
        verbose_name_plural = "回头看"
        ordering = ["-checked_on", "-pk"]

    def __str__(self):
        return f"{self.problem} 回头看 {cn_date(self.checked_on)}"


class Innovation(VersionedModel, UnitOwnedModel):
    """A micro-reform/micro-innovation project (微改革微创新): bonus points when reported."""

    workstream = WORKSTREAM
    permissions = {"assign": SUPERVISORS}  # any unit's project, and who carries it
    unit_paths = ("unit",)

    title = models.CharField("项目名称", max_length=200)
    unit = models.ForeignKey(
        "county.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="承担单位"
    )
    innovation_point = models.TextField("创新点", blank=True, max_length=LONG_TEXT)
    experience = models.TextField("经验材料", blank=True, max_length=LONG_TEXT)
    reported = models.BooleanField("已报县委改革办", default=False)
    reported_on = models.DateField(
        "报送日期", null=True, blank=True, validators=[check_plausible_date]
    )
    item = models.ForeignKey(
        ReformItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="innovations",
        verbose_name="关联改革任务",
    )
    history = HistoricalRecords(excluded_fields=VERSION_EXCLUDED)

    class Meta:
        verbose_name = "微改革微创新"
        verbose_name_plural = "微改革微创新"
        ordering = ["pk"]

    def __str__(self):
        return self.title


class Experience(VersionedModel, UnitOwnedModel):
    """A typical experience published by a city-level-or-higher outlet (典型经验刊载)."""

    workstream = WORKSTREAM
    permissions = SUPERVISOR_WRITES
    unit_paths = ("unit",)

    title = models.CharField("标题", max_length=200)
    outlet = models.CharField("刊载载体", max_length=100)
    level = models.CharField("层级", max_length=20, choices=ExperienceLevel.choices)
    published_on = models.DateField("刊载日期", validators=[check_plausible_date])
    unit = models.ForeignKey(
        "county.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报送单位",
    )
    item = models.ForeignKey(
        ReformItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiences",
        verbose_name="关联改革任务",
    )
    history = HistoricalRecords(excluded_fields=VERSION_EXCLUDED)

    class Meta:
        verbose_name = "典型经验"
        verbose_name_plural = "典型经验"
        ordering = ["-published_on"]

    def __str__(self):
        return self.title


class Instruction(models.Model):
    """A county leader's written instruction (批示) on a reform item."""

    item = models.ForeignKey(
        ReformItem, on_delete=models.CASCADE, related_name="instructions", verbose_name="改革任务"
    )
    leader = models.ForeignKey(
        "county.Leader", on_delete=models.PROTECT, related_name="+", verbose_name="批示领导"
    )
    text = models.TextField("批示内容", max_length=LONG_TEXT)
    given_on = models.DateField("批示日期", validators=[check_plausible_date])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["-given_on", "-pk"]

    def __str__(self):
        return f"{self.leader}批示：{self.text[:20]}"

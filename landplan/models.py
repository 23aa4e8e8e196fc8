"""Plan areas (片区) of the village spatial planning, their stage timeline and progress notes.

A plan area moves through seven stages in order (``Stage``): one step forward at a
time, or from a review stage back to 修改完善 with a reason; a finished plan
(批复/完成) does not move. The rule lives in :func:`check_move` and
:meth:`PlanArea.move_to`; pages, API and tests all go through them.

The next deadline of an area is its city-review deadline while the plan is before
报市级审查, else its completion deadline. It is stored in ``next_deadline`` (kept up
to date on save) so that the reminders, 我的待办 and the cockpit can query it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from simple_history.models import HistoricalRecords

from county.choices import UnitKind
from county.concurrency import VERSION_EXCLUDED, VersionedModel
from county.inputs import LONG_TEXT, check_plausible_date
from county.registry import record_url
from county.scoping import ScopedQuerySet, UnitOwnedModel, may
from county.status import LIGHT_TONES, today
from county.templatetags.dates import cn_date

from .choices import REVIEW_STAGES, STAGE_TONES, Batch, Level, Stage
from .registration import AREA_STATUS

WORKSTREAM = "landplan"


class StageError(ValidationError):
    """A stage change the rules do not allow (message in Chinese)."""


def next_deadline_for(stage, city_review_deadline, completion_deadline):
    """The deadline that matters now: city review before 报市级审查, else completion."""
    if stage < Stage.CITY_REVIEW and city_review_deadline is not None:
        return city_review_deadline
    return completion_deadline


def check_move(current, target, reason=""):
    """Raise StageError unless ``current`` → ``target`` is allowed; returns the kind of move."""
    current, target = Stage(current), Stage(target)
    if current == Stage.DONE:
        raise StageError("规划已批复/完成，不能再变更阶段。")
    if target == current:
        raise StageError(f"规划已处于“{current.label}”阶段。")
    if target == current + 1:
        if target == Stage.REVISING and current in REVIEW_STAGES and not reason.strip():
            raise StageError("审查后进入修改完善，须填写审查意见或原因。")
        return "forward"
    if target == Stage.REVISING and current in REVIEW_STAGES:
        if not reason.strip():
            raise StageError("退回修改完善须填写原因（审查意见）。")
        return "back"
    if target < current:
        raise StageError("只能从审查阶段退回到“修改完善”，不能退回其他阶段。")
    raise StageError(f"不能跳过阶段：下一阶段是“{Stage(current + 1).label}”。")


def allowed_targets(current):
    """The stages an area at ``current`` may move to (forward one, or back to 修改完善)."""
    current = Stage(current)
    if current == Stage.DONE:
        return []
    targets = [Stage(current + 1)]
    if current in REVIEW_STAGES and Stage.REVISING not in targets:
        targets.append(Stage.REVISING)
    return targets


class PlanAreaQuerySet(ScopedQuerySet):
    """Plan areas with the scoping rules and the light filter."""

    def open(self):
        return self.exclude(stage=Stage.DONE)

    def with_light(self, light, on=None):
        """The areas whose light is ``light`` (the declared rule, AREA_STATUS)."""
        return self.filter(AREA_STATUS.light_q(light, on)) if light else self

    def for_list(self):
        return self.select_related("lead_unit").prefetch_related("townships")


class PlanArea(VersionedModel, UnitOwnedModel):
    """A 片区 plan (乡镇级 or 村级): identified by its name and its township(s)."""

    workstream = WORKSTREAM
    unit_paths = ("lead_unit", "townships")
    # Stage, compiler and deadlines: supervisors (县自然资源局) and the lead unit's staff;
    # progress notes (``report``): the townships' staff too. Areas come from the ledger.
    permissions = {
        "create": ("admin", "supervisor"),
        "change": ("admin", "supervisor", "unit_staff:lead_unit"),
        "report": ("admin", "supervisor", "unit_staff"),
    }

    name = models.CharField("片区名称", max_length=100)
    title = models.CharField("全称", max_length=200, editable=False, default="")
    level = models.CharField("层级", max_length=20, choices=Level.choices)
    batch = models.CharField("批次", max_length=20, choices=Batch.choices)
    townships = models.ManyToManyField(
        "county.Unit",
        related_name="landplan_areas",
        limit_choices_to={"kind": UnitKind.TOWNSHIP},
        verbose_name="涉及乡镇",
    )
    villages = models.ManyToManyField(
        "county.Village", blank=True, related_name="landplan_areas", verbose_name="涉及村"
    )
    lead_unit = models.ForeignKey(
        "county.Unit",
        on_delete=models.PROTECT,
        related_name="landplan_led_areas",
        verbose_name="牵头单位",
    )
    compiler = models.CharField("编制单位", max_length=200, blank=True)
    stage = models.PositiveSmallIntegerField(
        "当前阶段", choices=Stage.choices, default=Stage.BASE_DATA
    )
    city_review_deadline = models.DateField(
        "报市级审查时限", null=True, blank=True, validators=[check_plausible_date]
    )
    completion_deadline = models.DateField("完成时限", validators=[check_plausible_date])
    next_deadline = models.DateField(
        "下一时限", null=True, blank=True, editable=False, validators=[check_plausible_date]
    )
    note = models.TextField("备注", blank=True, max_length=LONG_TEXT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(m2m_fields=[townships, villages], excluded_fields=VERSION_EXCLUDED)

    objects = PlanAreaQuerySet.as_manager()

    class Meta:
        verbose_name = "片区规划"
        verbose_name_plural = "片区规划"
        ordering = ["level", "batch", "pk"]
        indexes = [models.Index(fields=["stage", "next_deadline"])]

    def __str__(self):
        return self.title or self.name

    def get_absolute_url(self):
        return record_url("landplan:area_detail", self.pk)

    @staticmethod
    def make_title(name, townships):
        names = "、".join(t.name for t in townships)
        return f"{name}（{names}）" if names else name

    def save(self, *args, **kwargs):
        self.next_deadline = self.compute_next_deadline()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "next_deadline", "updated_at"}
        super().save(*args, **kwargs)

    # --- the milestone rule ---------------------------------------------------
    def compute_next_deadline(self):
        return next_deadline_for(self.stage, self.city_review_deadline, self.completion_deadline)

    @property
    def is_done(self):
        return self.stage == Stage.DONE

    def light_on(self, on=None):
        return AREA_STATUS.light_of(self, on, deadline=self.compute_next_deadline())

    @property
    def light(self):
        return self.light_on()

    @property
    def light_tone(self):
        return LIGHT_TONES[self.light]

    @property
    def next_deadline_label(self):
        if self.stage < Stage.CITY_REVIEW and self.city_review_deadline is not None:
            return "报市级审查时限"
        return "完成时限"

    @property
    def stage_tone(self):
        return STAGE_TONES[Stage(self.stage)]

    @property
    def allowed_targets(self):
        return allowed_targets(self.stage)

    def move_to(self, target, user=None, date=None, reason=""):
        """Change the stage by the rule, record it on the timeline; returns the StageChange."""
        if user is not None and not may(user, "change", self):
            raise PermissionDenied("只有县自然资源局（督查、牵头单位）可以变更规划阶段。")
        date = date or today()
        with transaction.atomic():
            area = PlanArea.objects.select_for_update().get(pk=self.pk)
            check_move(area.stage, target, reason)
            last = area.stage_changes.order_by("-date", "-pk").first()
            if date > today():
                raise StageError("日期不能晚于今天。")
            if last and date < last.date:
                raise StageError(f"日期不能早于上一次阶段变更（{cn_date(last.date)}）。")
            change = StageChange.objects.create(
                area=area,
                from_stage=area.stage,
                to_stage=target,
                date=date,
                note=reason.strip(),
                user=user,
            )
            area.stage = target
            area._history_user = user
            area._change_reason = f"阶段：{Stage(change.from_stage).label} → {Stage(target).label}"
            area.save(update_fields=["stage"])
            area.tell_stage_change(change, user)
        self.stage, self.next_deadline = area.stage, area.next_deadline
        return change

    def tell_stage_change(self, change, user):
        """Entering a review: landplan's supervisors are told a result is awaited. Leaving a
        review (the result recorded): the lead unit's and the townships' staff are told,
        with the review's opinion, and the decision is audited."""
        from county.events import notify, record_decision, staff_of, supervisors_of

        old, new = Stage(change.from_stage), Stage(change.to_stage)
        url = self.get_absolute_url()
        if new in REVIEW_STAGES:
            notify(
                "landplan.review.requested",
                supervisors_of(WORKSTREAM),
                f"{self}已{new.label}，待录入审查结果"[:200],
                f"{old.label} → {new.label}（{cn_date(change.date)}）"
                + (f"\n说明：{change.note}" if change.note else ""),
                url,
                actor=user,
            )
        if old in REVIEW_STAGES:
            verdict = "审查退回修改完善" if new == Stage.REVISING else f"审查通过，进入{new.label}"
            units = [self.lead_unit_id, *self.townships.values_list("pk", flat=True)]
            notify(
                f"landplan.review.{'sent_back' if new == Stage.REVISING else 'accepted'}",
                staff_of(*units),
                f"{self}{old.label}：{verdict}"[:200],
                f"{old.label} → {new.label}（{cn_date(change.date)}）"
                + (f"\n审查意见：{change.note}" if change.note else ""),
                url,
                actor=user,
            )
            if user is not None:
                record_decision(user, f"片区规划 {self}", f"{old.label}：{verdict}；{change.note}")

    def stage_steps(self):
        """The seven stages with the date each was (last) reached, for the stepper."""
        reached = {}
        for change in self.stage_changes.all():
            reached[change.to_stage] = change.date  # ordered by date: the last one wins
        steps = []
        for stage in Stage:
            if stage < self.stage:
                state = "past"
            elif stage == self.stage:
                state = "done" if stage == Stage.DONE else "current"
            else:
                state = "future"
            steps.append({"stage": stage, "date": reached.get(stage), "state": state})
        return steps


class StageChange(UnitOwnedModel):
    """One step on an area's milestone timeline: from → to, on a date, by whom, why."""

    workstream = WORKSTREAM
    unit_paths = ("area__lead_unit", "area__townships")

    area = models.ForeignKey(
        PlanArea, on_delete=models.CASCADE, related_name="stage_changes", verbose_name="片区"
    )
    from_stage = models.PositiveSmallIntegerField(
        "原阶段", choices=Stage.choices, null=True, blank=True
    )
    to_stage = models.PositiveSmallIntegerField("新阶段", choices=Stage.choices)
    date = models.DateField("日期", validators=[check_plausible_date])
    note = models.TextField("说明", blank=True, max_length=LONG_TEXT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "阶段变更"
        verbose_name_plural = "阶段变更"
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.area}：{self.get_to_stage_display()}"

    @property
    def is_back(self):
        return (
            self.from_stage is not None
            and self.to_stage == Stage.REVISING
            and (self.from_stage + 1 != Stage.REVISING)
        )


class ProgressNote(UnitOwnedModel):
    """A progress note (进展) on an area, by its lead unit, a township involved or a supervisor."""

    workstream = WORKSTREAM
    unit_paths = ("area__lead_unit", "area__townships")

    area = models.ForeignKey(
        PlanArea, on_delete=models.CASCADE, related_name="notes", verbose_name="片区"
    )
    date = models.DateField("日期", validators=[check_plausible_date])
    text = models.TextField("进展情况", max_length=LONG_TEXT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="填报人",
    )
    unit = models.ForeignKey(
        "county.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="填报单位",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "进展情况"
        verbose_name_plural = "进展情况"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.area} {cn_date(self.date)}"


class PlanYear(models.Model):
    """A plan year's three milestones (讲话明确的时间节点), the county's setting.

    乡镇级片区 report to the city's review by the end of October, 乡镇级 plans are done by the
    end of December, 村级 plans by the end of June of the next year: a date left blank is
    filled by that rule from the year, and any date may be set otherwise. The overview and
    the cockpit read the newest year (:meth:`current`); the demo seeds it with its clock.
    """

    year = models.PositiveSmallIntegerField("规划年度", unique=True)
    city_review_by = models.DateField(
        "乡镇级片区报市级审查",
        blank=True,
        validators=[check_plausible_date],
        help_text="留空则为当年10月31日。",
    )
    township_done_by = models.DateField(
        "乡镇级片区规划编制完成",
        blank=True,
        validators=[check_plausible_date],
        help_text="留空则为当年12月31日。",
    )
    village_done_by = models.DateField(
        "村级片区应编尽编",
        blank=True,
        validators=[check_plausible_date],
        help_text="留空则为次年6月30日。",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "规划时间节点"
        verbose_name_plural = "规划时间节点"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年度规划时间节点"

    def save(self, *args, **kwargs):
        review, township, village = self.rule_dates(self.year)
        self.city_review_by = self.city_review_by or review
        self.township_done_by = self.township_done_by or township
        self.village_done_by = self.village_done_by or village
        super().save(*args, **kwargs)

    @staticmethod
    def rule_dates(year):
        """The speech's rule: (10月底, 12月底, 次年6月底) of ``year``."""
        return (
            datetime.date(year, 10, 31),
            datetime.date(year, 12, 31),
            datetime.date(year + 1, 6, 30),
        )

    @classmethod
    def current(cls):
        """The newest plan year, or None before the county has set one."""
        return cls.objects.order_by("-year").first()

    def milestones(self):
        """``[(short name, date, what)]`` in order, as the overview and the cockpit show them."""
        return [
            ("报市级审查", self.city_review_by, "乡镇级片区报市级审查"),
            ("乡镇级完成", self.township_done_by, "全面完成乡镇级片区规划编制"),
            ("村级完成", self.village_done_by, "村级片区应编尽编"),
        ]

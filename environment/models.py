"""Inspections, problems and the closed loop that fixes them for good.

发现 (an inspection finds a problem) → 交办 (assigned to a township, and to a
department or line company where it owns the problem) → 整改 (the unit submits
its rectification with after-photos) → 验收销号 (a supervisor other than the
submitter accepts, or sends it back with a reason) → 回头看 (a closed problem is
re-checked: still fine, or recurred, which reopens the loop and is counted).

The loop's rules live in the ``Problem`` methods below; views and the API only
call them, so the rules hold wherever a change comes from.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Max, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from county import places
from county.choices import UnitKind
from county.concurrency import VERSION_EXCLUDED, Conflict, VersionedModel, lock
from county.events import notify, record_decision, staff_of, supervisors_of
from county.inputs import LONG_TEXT, check_plausible_date
from county.registry import record_url
from county.scoping import (
    ScopedQuerySet,
    UnitOwnedModel,
    decide_refusal,
    may,
    require_reassign,
)
from county.status import LIGHT_TONES, is_overdue, today
from county.templatetags.dates import cn_date
from county.voiding import VoidableModel, active_manager

from .choices import (
    NOT_CLOSED,
    STATUS_TONES,
    STUBBORN_WINDOW_DAYS,
    CategoryGroup,
    InspectionKind,
    Measure,
    NoticeStatus,
    PhotoKind,
    ProblemStatus,
    RecheckResult,
    ReviewResult,
)
from .registration import PROBLEM_STATUS

WORKSTREAM = "environment"
PROBLEM_UNIT_PATHS = ("problem__township", "problem__departments")


class LoopError(ValidationError):
    """A step of the loop that the rules do not allow (message in Chinese)."""


class LoopConflict(LoopError, Conflict):
    """The problem is no longer in the state the step needs, e.g. already decided (409)."""


# Who does what (``county.scoping``): supervisors record, correct and void problems,
# inspections, categories and accountability; the responsible units act on their own
# problems (``rectify``: start, submit); another unit's supervisor decides (``decide``).
SUPERVISORS = ("admin", "supervisor")
SUPERVISOR_WRITES = {"create": SUPERVISORS, "change": SUPERVISORS, "delete": SUPERVISORS}


class ProblemCategory(models.Model):
    """A kind of problem (问题类别); seeded from the speech, supervisors add more."""

    workstream = WORKSTREAM
    permissions = SUPERVISOR_WRITES

    name = models.CharField("类别名称", max_length=50, unique=True)
    group = models.CharField(
        "分组", max_length=20, choices=CategoryGroup.choices, default=CategoryGroup.COMMON
    )
    order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


def ensure_seed_categories():
    """Create the seeded categories that are missing (a flushed test database has none)."""
    from .choices import SEED_CATEGORIES

    for order, (group, name) in enumerate(SEED_CATEGORIES, start=1):
        ProblemCategory.objects.get_or_create(
            name=name, defaults={"group": group, "order": order * 10}
        )


class Inspection(VersionedModel, VoidableModel, UnitOwnedModel):
    """One inspection (明查 / 暗访 / 交叉检查 / 日常巡查) covering some townships.

    Recorded by mistake, it is voided (作废, :mod:`county.voiding`) once none of its
    problems is in force; never deleted.
    """

    workstream = WORKSTREAM
    unit_paths = ("townships", "problems__departments")
    permissions = SUPERVISOR_WRITES

    date = models.DateField("检查日期", validators=[check_plausible_date])
    kind = models.CharField("检查方式", max_length=20, choices=InspectionKind.choices)
    inspectors = models.CharField("检查人员", max_length=200, blank=True)
    townships = models.ManyToManyField(
        "county.Unit",
        related_name="environment_inspections",
        limit_choices_to={"kind": UnitKind.TOWNSHIP},
        verbose_name="检查乡镇",
    )
    notes = models.TextField("备注", blank=True, max_length=LONG_TEXT)
    longitude = places.longitude_field()
    latitude = places.latitude_field()
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[townships], excluded_fields=VERSION_EXCLUDED)

    objects = active_manager(ScopedQuerySet)
    all_objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "检查"
        verbose_name_plural = "检查"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{cn_date(self.date)}{self.get_kind_display()}"

    def get_absolute_url(self):
        return record_url("environment:inspection_detail", self.pk)

    def clean(self):
        errors = {}
        places.check_point(self, errors)
        if errors:
            raise ValidationError(errors)

    def void(self, user, reason):
        """作废, refused (409) while a problem found by this inspection is in force."""
        in_force = Problem.objects.filter(inspection=self).count()
        if in_force:
            raise Conflict(f"该检查下还有 {in_force} 个问题，请先将这些问题作废，再作废检查。")
        super().void(user, reason)


def market_town_name(township):
    """The market town (场镇) of a township: 双河镇 → 双河场镇, 云峰乡 → 云峰场镇."""
    name = township.name
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return f"{name}场镇"


class ProblemQuerySet(ScopedQuerySet):
    """Problems with the scoping rules and the loop's usual filters."""

    def open(self):
        return self.filter(status__in=NOT_CLOSED)

    def overdue(self, on=None):
        """逾期: still the unit's work past its deadline (待验收 is not: PROBLEM_STATUS)."""
        return self.filter(PROBLEM_STATUS.overdue_q(on))

    def stubborn(self):
        return self.filter(stubborn_of__isnull=False)

    def for_list(self):
        return self.select_related(
            "township", "village", "category", "inspection"
        ).prefetch_related("departments")


class Problem(VersionedModel, VoidableModel, UnitOwnedModel):
    """A problem found by an inspection, assigned to a township (and its owning department).

    A problem recorded by mistake is voided (作废, :mod:`county.voiding`), never deleted:
    ``objects`` leaves it out everywhere, ``all_objects`` still sees it and its number.
    """

    workstream = WORKSTREAM
    unit_paths = ("township", "departments")
    permissions = {
        **SUPERVISOR_WRITES,
        "rectify": (*SUPERVISORS, "unit_staff"),
        "recheck": SUPERVISORS,
    }

    number = models.PositiveIntegerField("问题编号", unique=True)
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name="所属检查",
    )
    found_on = models.DateField("发现日期", validators=[check_plausible_date])
    township = models.ForeignKey(
        "county.Unit",
        on_delete=models.PROTECT,
        related_name="environment_problems",
        limit_choices_to={"kind": UnitKind.TOWNSHIP},
        verbose_name="乡镇（街道）",
    )
    village = models.ForeignKey(
        "county.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="environment_problems",
        verbose_name="村（社区）",
    )
    at_market_town = models.BooleanField("场镇", default=False)
    place = models.CharField("具体位置", max_length=200, blank=True)
    category = models.ForeignKey(
        ProblemCategory, on_delete=models.PROTECT, related_name="problems", verbose_name="问题类别"
    )
    description = models.TextField("问题描述", max_length=LONG_TEXT)
    departments = models.ManyToManyField(
        "county.Unit",
        blank=True,
        related_name="environment_owned_problems",
        limit_choices_to={"kind": UnitKind.DEPARTMENT},
        verbose_name="责任部门（单位）",
        help_text="问题归属部门或线路单位时填写，如“三线”杂乱归国网供电公司。",
    )
    deadline = models.DateField("整改时限", validators=[check_plausible_date])
    status = models.CharField(
        "状态", max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.ASSIGNED
    )
    progress_note = models.CharField("整改情况", max_length=200, blank=True)
    is_serious = models.BooleanField("严重问题", default=False)
    closed_on = models.DateField(
        "销号日期", null=True, blank=True, validators=[check_plausible_date]
    )
    recurrence_count = models.PositiveIntegerField("反弹次数", default=0)
    stubborn_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stubborn_followers",
        verbose_name="顽固问题（90日内同地点同类已销号问题）",
    )
    longitude = places.longitude_field("WGS-84，如现场手机定位。")
    latitude = places.latitude_field("WGS-84，如现场手机定位。")
    location_accuracy = models.PositiveIntegerField(
        "定位精度（米）",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100000)],
    )
    # The id the field app gave the record on the phone: a retried upload finds it again
    # (a technical key set once, left out of the history).
    client_id = models.UUIDField("客户端编号", unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(
        m2m_fields=[departments], excluded_fields=[*VERSION_EXCLUDED, "client_id"]
    )

    objects = active_manager(ProblemQuerySet)
    all_objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = "环境问题"
        verbose_name_plural = "环境问题"
        default_manager_name = "objects"
        ordering = ["-found_on", "-number"]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["township", "found_on"]),
            # the list's page (newest first) and its count: problems in force
            models.Index(
                fields=["-found_on", "-number"],
                condition=models.Q(voided_at__isnull=True),
                name="problem_in_force_list",
            ),
            # a week's or a period's closures and deadlines (周报, 考核排名): the period's rows
            models.Index(
                fields=["closed_on"],
                condition=models.Q(voided_at__isnull=True),
                name="problem_in_force_closed_on",
            ),
            models.Index(
                fields=["deadline"],
                condition=models.Q(voided_at__isnull=True),
                name="problem_in_force_deadline",
            ),
        ]

    def __str__(self):
        return f"第{self.number}号 {self.title}"

    def get_absolute_url(self):
        return record_url("environment:problem_detail", self.pk)

    # --- presentation -------------------------------------------------------
    @property
    def title(self):
        return f"{self.place_label}{self.category.name}"

    @property
    def place_label(self):
        if self.at_market_town:
            return market_town_name(self.township)
        return self.village.name if self.village_id else ""

    @property
    def is_closed(self):
        return self.status == ProblemStatus.CLOSED

    @property
    def is_stubborn(self):
        return self.stubborn_of_id is not None

    @property
    def light(self):
        return PROBLEM_STATUS.light_of(self)

    @property
    def light_tone(self):
        return LIGHT_TONES[self.light]

    @property
    def status_tone(self):
        return STATUS_TONES[self.status]

    @property
    def responsible_units(self):
        return [self.township, *self.departments.all()]

    def clean(self):
        errors = {}
        if self.township_id and self.township.kind != UnitKind.TOWNSHIP:
            errors["township"] = "请选择乡镇（街道）。"
        if self.village_id and self.township_id and self.village.township_id != self.township_id:
            errors["village"] = "该村（社区）不属于所选乡镇。"
        if self.at_market_town and self.village_id:
            errors["village"] = "问题在场镇时不填村（社区）。"
        if self.deadline and self.found_on and self.deadline < self.found_on:
            errors["deadline"] = "整改时限不能早于发现日期。"
        places.check_point(self, errors)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def next_number(cls):
        """One more than the highest number ever given, voided problems included."""
        return (cls.all_objects.aggregate(m=Max("number"))["m"] or 0) + 1

    # --- 顽固问题 -------------------------------------------------------------
    def same_place(self):
        """Problems of the same category at the same place (township + village / 场镇)."""
        return Problem._default_manager.filter(
            category_id=self.category_id,
            township_id=self.township_id,
            village_id=self.village_id,
            at_market_town=self.at_market_town,
        ).exclude(pk=self.pk)

    def find_stubborn_predecessor(self):
        """The latest problem here, of this category, closed 0–90 days before this one was found."""
        window_start = self.found_on - datetime.timedelta(days=STUBBORN_WINDOW_DAYS)
        return (
            self.same_place()
            .filter(closed_on__gte=window_start, closed_on__lte=self.found_on)
            .order_by("-closed_on", "-number")
            .first()
        )

    def refresh_stubborn(self):
        predecessor = self.find_stubborn_predecessor()
        if (predecessor.pk if predecessor else None) != self.stubborn_of_id:
            self.stubborn_of = predecessor
            self.save(update_fields=["stubborn_of", "updated_at"])
        return predecessor

    # --- the loop -----------------------------------------------------------
    def _set_status(self, status, **fields):
        self.status = status
        for key, value in fields.items():
            setattr(self, key, value)
        self.save(update_fields=["status", *fields, "updated_at"])

    @transaction.atomic
    def start(self, user):
        """已交办 → 整改中 (the responsible unit takes it up)."""
        if not may(user, "rectify", self):
            raise PermissionDenied("只有责任单位可以开始整改。")
        lock(self)
        if self.status == ProblemStatus.RECTIFYING:
            raise LoopConflict("该问题已经开始整改了（可能已由他人操作）。")
        if self.status != ProblemStatus.ASSIGNED:
            raise LoopConflict("只有“已交办”的问题可以开始整改。")
        self._set_status(ProblemStatus.RECTIFYING)

    @transaction.atomic
    def submit(self, user, note, photos=()):
        """已交办 / 整改中 → 待验收, with a note and the after-photos (already checked)."""
        if not may(user, "rectify", self):
            raise PermissionDenied("只有责任单位可以提交整改。")
        lock(self)  # a second submit waits here, then sees 待验收
        if self.status == ProblemStatus.PENDING:
            raise LoopConflict("该问题的整改已经提交过了，正在等待验收，请勿重复提交。")
        if self.status not in (ProblemStatus.ASSIGNED, ProblemStatus.RECTIFYING):
            raise LoopConflict("只有“已交办”或“整改中”的问题可以提交整改。")
        if not photos:
            raise LoopError("请上传至少一张整改后照片。")
        rectification = Rectification.objects.create(problem=self, submitted_by=user, note=note)
        for photo in photos:
            Photo.create_from_upload(
                photo, problem=self, kind=PhotoKind.AFTER, user=user, rectification=rectification
            )
        self._set_status(ProblemStatus.PENDING, progress_note="已整改待验收")
        unit = user.unit.name if user.unit_id else ""
        notify(
            "environment.rectification.requested",
            supervisors_of(WORKSTREAM),
            f"{unit}提交整改待验收：第{self.number}号 {self.title}"[:200],
            f"问题：{self.description}\n乡镇：{self.township.name}\n提交人：{user}（{unit}）"
            f"\n整改说明：{note}\n整改后照片：{len(photos)} 张\n请在“待我审核”中验收。",
            reverse("county:inbox"),
            actor=user,
        )
        return rectification

    def _tell_decision(self, user, rectification, accepted, note):
        """The township, the problem's departments and the submitter are told; audited."""
        verdict = "验收通过，已销号" if accepted else "验收未通过，退回整改"
        body = f"问题：{self.description}\n验收人：{user}（{user.affiliation}）"
        if note:
            body += f"\n{'验收意见' if accepted else '退回原因'}：{note}"
        units = [self.township_id, *self.departments.values_list("pk", flat=True)]
        notify(
            f"environment.rectification.{'accepted' if accepted else 'sent_back'}",
            [rectification.submitted_by_id, staff_of(*units)],
            f"第{self.number}号{verdict}：{self.title}"[:200],
            body,
            self.get_absolute_url(),
            actor=user,
        )
        record_decision(user, f"环境问题第{self.number}号 验收", f"{verdict}；{note}".rstrip("；"))

    def pending_rectification(self):
        return self.rectifications.filter(result=ReviewResult.PENDING).order_by("-pk").first()

    def _review_checks(self, user):
        refusal = decide_refusal(user, self)  # a supervisor, never the problem's own unit
        if refusal:
            raise PermissionDenied(refusal)
        lock(self)  # a second decision waits here, then sees the first one's result
        if self.status == ProblemStatus.CLOSED:
            raise LoopConflict("该问题已经审核过了：已验收通过并销号。")
        if self.status != ProblemStatus.PENDING:
            if self.rectifications.filter(result=ReviewResult.REJECTED).exists():
                raise LoopConflict("该问题已经审核过了：已退回整改，正在等待重新提交。")
            raise LoopConflict("只有“待验收”的问题可以验收或退回。")
        rectification = self.pending_rectification()
        if rectification is None:
            raise LoopError("没有待验收的整改记录。")
        if rectification.submitted_by_id == user.pk:
            raise LoopError("提交整改的人不能验收自己提交的整改。")
        return rectification

    @transaction.atomic
    def accept(self, user, note=""):
        """待验收 → 已销号 by a supervisor who did not submit it."""
        rectification = self._review_checks(user)
        rectification.decide(user, ReviewResult.ACCEPTED, note)
        self._set_status(ProblemStatus.CLOSED, closed_on=today(), progress_note="已整改到位")
        self._tell_decision(user, rectification, True, note)

    @transaction.atomic
    def reject(self, user, reason):
        """待验收 → 整改中, with the reason told to the unit."""
        reason = (reason or "").strip()
        if not reason:
            raise LoopError("退回必须填写原因。")
        rectification = self._review_checks(user)
        rectification.decide(user, ReviewResult.REJECTED, reason)
        self._set_status(ProblemStatus.RECTIFYING, progress_note="验收未通过，退回整改")
        self._tell_decision(user, rectification, False, reason)

    @transaction.atomic
    def reassign(self, user, township, departments, reason, village=None, at_market_town=None):
        """调整责任单位 (``reassign``, county.scoping): the township (with its village) and the
        departments, by a supervisor of none of the units before or after (issue 20)."""
        new_units = {township.pk, *(d.pk for d in departments)}
        require_reassign(user, self, new_units)
        lock(self)
        require_reassign(user, self, new_units)  # its units as they are now, under the lock
        department_ids = {d.pk for d in departments}
        if township.pk == self.township_id and department_ids == set(
            self.departments.values_list("pk", flat=True)
        ):
            raise LoopError("乡镇和责任部门没有变化。")
        if township.pk != self.township_id:
            self.township = township
            self.village = village
            if at_market_town is not None:
                self.at_market_town = at_market_town
        try:
            self.clean()  # the village belongs to the township, a township is a township …
        except ValidationError as error:
            raise LoopError(error.message_dict) from None
        self._history_user = user
        self._change_reason = f"调整责任单位：{reason}"[:100]
        self.save()
        self.departments.set(department_ids)
        units = [self.township_id, *department_ids]
        notify(
            "environment.problem.reassigned",
            staff_of(*units),
            f"问题已调整交办：第{self.number}号 {self.title}"[:200],
            f"问题：{self.description}\n调整人：{user}（{user.affiliation}）\n调整理由：{reason}",
            self.get_absolute_url(),
            actor=user,
        )

    @transaction.atomic
    def recheck(self, user, result, note="", new_deadline=None, photos=(), on=None):
        """回头看 of a closed problem: still fine, or recurred (reopens the loop, counted)."""
        if not may(user, "recheck", self):
            raise PermissionDenied("只有督查单位可以开展回头看。")
        lock(self)
        if self.status != ProblemStatus.CLOSED:
            raise LoopConflict("只有“已销号”的问题可以回头看（可能已由他人处理）。")
        on = on or today()
        if result == RecheckResult.RECURRED:
            if new_deadline is None:
                raise LoopError("问题反弹时必须重新确定整改时限。")
            if is_overdue(new_deadline, on):
                raise LoopError("新的整改时限不能早于回头看日期。")
        recheck = Recheck.objects.create(
            problem=self,
            checked_on=on,
            checked_by=user,
            result=result,
            note=note,
            new_deadline=new_deadline if result == RecheckResult.RECURRED else None,
        )
        for photo in photos:
            Photo.create_from_upload(
                photo, problem=self, kind=PhotoKind.RECHECK, user=user, recheck=recheck
            )
        if result == RecheckResult.RECURRED:
            self.recurrence_count += 1
            self._set_status(
                ProblemStatus.ASSIGNED,
                closed_on=None,
                deadline=new_deadline,
                recurrence_count=self.recurrence_count,
                progress_note="回头看发现反弹，重新交办",
            )
            units = [self.township_id, *self.departments.values_list("pk", flat=True)]
            notify(
                "environment.recheck.recurred",
                staff_of(*units),
                f"回头看发现反弹，重新交办：第{self.number}号 {self.title}"[:200],
                f"问题：{self.description}\n回头看：{cn_date(on)}，{user}"
                f"\n新的整改时限：{cn_date(new_deadline)}"
                + (f"\n情况说明：{note}" if note else ""),
                self.get_absolute_url(),
                actor=user,
            )
        return recheck


def refresh_stubborn_all():
    """Recompute 顽固问题 for every problem (after an import); saves only what changes."""
    groups = {}
    problems = list(Problem._default_manager.order_by("found_on", "number"))
    for problem in problems:
        key = (problem.category_id, problem.township_id, problem.village_id, problem.at_market_town)
        groups.setdefault(key, []).append(problem)
    changed = 0
    for problem in problems:
        key = (problem.category_id, problem.township_id, problem.village_id, problem.at_market_town)
        window_start = problem.found_on - datetime.timedelta(days=STUBBORN_WINDOW_DAYS)
        candidates = [
            other
            for other in groups[key]
            if other.pk != problem.pk
            and other.closed_on is not None
            and window_start <= other.closed_on <= problem.found_on
        ]
        best = max(candidates, key=lambda o: (o.closed_on, o.number), default=None)
        if (best.pk if best else None) != problem.stubborn_of_id:
            problem.stubborn_of = best
            problem.save(update_fields=["stubborn_of", "updated_at"])
            changed += 1
    return changed


class Rectification(UnitOwnedModel):
    """A unit's report that a problem is fixed, and the supervisor's decision on it."""

    workstream = WORKSTREAM
    unit_paths = PROBLEM_UNIT_PATHS

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="rectifications", verbose_name="问题"
    )
    note = models.TextField("整改说明", blank=True, max_length=LONG_TEXT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="提交人",
    )
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    result = models.CharField(
        "验收结果", max_length=20, choices=ReviewResult.choices, default=ReviewResult.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="验收人",
    )
    decided_at = models.DateTimeField("验收时间", null=True, blank=True)
    decision_note = models.TextField("验收意见/退回原因", blank=True, max_length=LONG_TEXT)
    # The id the field app gave the submission on the phone: a retried upload finds it again.
    client_id = models.UUIDField("客户端编号", unique=True, null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["client_id"])  # a technical key, set once

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("submitted_by")),
                name="environment_no_self_acceptance",
            )
        ]
        # the day decided (decided_at__date, in the county's time zone): a week's decisions
        # (周报) read from the index, not every rectification
        indexes = [models.Index(TruncDate("decided_at"), name="rectification_decided_on")]

    def __str__(self):
        return f"{self.problem} 的整改（{self.get_result_display()}）"

    def decide(self, user, result, note):
        self.result = result
        self.decided_by = user
        self.decided_at = timezone.now()
        self.decision_note = note
        self.save(update_fields=["result", "decided_by", "decided_at", "decision_note"])


class Recheck(UnitOwnedModel):
    """回头看: a later visit to a closed problem."""

    workstream = WORKSTREAM
    unit_paths = PROBLEM_UNIT_PATHS

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="rechecks", verbose_name="问题"
    )
    checked_on = models.DateField("回头看日期", validators=[check_plausible_date])
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="检查人"
    )
    result = models.CharField("结果", max_length=20, choices=RecheckResult.choices)
    note = models.TextField("情况说明", blank=True, max_length=LONG_TEXT)
    new_deadline = models.DateField(
        "新的整改时限", null=True, blank=True, validators=[check_plausible_date]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "回头看"
        verbose_name_plural = "回头看"
        ordering = ["-checked_on", "-pk"]

    def __str__(self):
        return f"{self.problem} 回头看：{self.get_result_display()}"


def _photo_path(folder):
    def upload_to(instance, filename):
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
        return f"environment/{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"

    return upload_to


def photo_original_path(instance, filename):
    return _photo_path("originals")(instance, filename)


def photo_display_path(instance, filename):
    return _photo_path("display")(instance, filename)


def notice_document_path(instance, filename):
    return _photo_path("notices")(instance, filename)


class Photo(UnitOwnedModel):
    """A photo: the original as uploaded and a display copy resized for the page."""

    workstream = WORKSTREAM
    unit_paths = PROBLEM_UNIT_PATHS

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="photos", verbose_name="问题"
    )
    kind = models.CharField("类别", max_length=20, choices=PhotoKind.choices)
    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    recheck = models.ForeignKey(
        Recheck, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    original = models.FileField("原图", upload_to=photo_original_path, max_length=200)
    display = models.FileField("展示图", upload_to=photo_display_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    width = models.PositiveIntegerField("宽", default=0)
    height = models.PositiveIntegerField("高", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"

    @classmethod
    def create_from_upload(cls, checked, *, problem, kind, user, rectification=None, recheck=None):
        """Store a photo that :func:`environment.photos.check_photo` has accepted."""
        from .photos import save_photo_files

        photo = cls(
            problem=problem,
            kind=kind,
            rectification=rectification,
            recheck=recheck,
            uploaded_by=user,
        )
        save_photo_files(photo, checked)
        photo.save()
        return photo

    def url(self, variant="display"):
        return reverse("environment:photo", args=[self.pk, variant])


class Accountability(VersionedModel, VoidableModel, UnitOwnedModel):
    """通报批评 / 约谈 / 追责问责 of a unit, with the problems that led to it.

    Recorded by mistake, it is voided (作废, :mod:`county.voiding`), never deleted.
    """

    workstream = WORKSTREAM
    unit_paths = ("unit",)
    permissions = SUPERVISOR_WRITES

    unit = models.ForeignKey(
        "county.Unit",
        on_delete=models.PROTECT,
        related_name="environment_accountabilities",
        verbose_name="被问责单位",
    )
    measure = models.CharField("措施", max_length=20, choices=Measure.choices)
    reason = models.TextField("事由", max_length=LONG_TEXT)
    date = models.DateField("日期", validators=[check_plausible_date])
    problems = models.ManyToManyField(
        Problem, blank=True, related_name="accountabilities", verbose_name="相关问题"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="登记人",
    )
    history = HistoricalRecords(m2m_fields=[problems], excluded_fields=VERSION_EXCLUDED)

    objects = active_manager(ScopedQuerySet)
    all_objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "问责记录"
        verbose_name_plural = "问责记录"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.unit} {self.get_measure_display()}（{cn_date(self.date)}）"

    def get_absolute_url(self):
        return record_url("environment:accountability_detail", self.pk)


class Notice(models.Model):
    """A notice (通报) for a period: drafted from the figures, edited in Word, then issued.

    Notices are county-wide publications, not one unit's records: every signed-in
    user reads issued notices, as they were issued (their stored Word file); the draft
    for any period — every township's figures, problems and accountability — is for those
    who read every unit's records (``draft``: the page and its Word file alike); supervisors
    issue.
    """

    workstream = WORKSTREAM
    permissions = {
        "view": ("signed_in",),  # issued notices
        "draft": ("readers",),
        "create": SUPERVISORS,  # issue
        "change": SUPERVISORS,
    }

    title = models.CharField("标题", max_length=200)
    period_start = models.DateField("起始日期", validators=[check_plausible_date])
    period_end = models.DateField("截止日期", validators=[check_plausible_date])
    status = models.CharField(
        "状态", max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    issued_on = models.DateField(
        "印发日期", null=True, blank=True, validators=[check_plausible_date]
    )
    document = models.FileField(
        "通报文件（Word）", upload_to=notice_document_path, max_length=200, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="起草人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ["-period_end", "-pk"]

    def __str__(self):
        return self.title

"""Abandoned farmland parcels (地块) and their inspection records (巡查).

A parcel belongs to its township (the owning unit). Its status moves through the loop
整治一片、巩固一片、用好一片 (已排查 → 已整治 → 已种植 → 已巩固) or falls back to 复撂荒;
every status change and every inspection is recorded as an ``Inspection`` with who and
when, and every field change is in the parcel's history. The rules live in
:mod:`abandoned_land.rules`; :meth:`Parcel.apply_update` is the one way pages and API
change a parcel's data and status, :meth:`Parcel.reassign` the one way its township and
village change (issue 20: never by a plain edit).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from county import places
from county.choices import UnitKind
from county.concurrency import VERSION_EXCLUDED, VersionedModel
from county.inputs import LONG_TEXT, check_plausible_date
from county.registry import record_url
from county.scoping import ScopedQuerySet, UnitOwnedModel, may, require_reassign
from county.status import LIGHT_TONES
from county.templatetags.dates import cn_date
from county.voiding import VoidableModel, active_manager

from . import rules
from .choices import STATUS_TONES, OperatorType, ParcelStatus, Season
from .registration import PARCEL_STATUS

WORKSTREAM = "abandoned_land"


# Who does what (``county.scoping``): supervisors (县农业农村局) record, correct (any field,
# any status) and void parcels; the township's staff change their parcels' remediation,
# planting and status, forward only (``rules.allowed_statuses``).
SUPERVISORS = ("admin", "supervisor")


class ParcelQuerySet(ScopedQuerySet):
    """Parcels with the scoping rules and the workstream's usual filters."""

    def at_risk(self):
        return self.filter(rules.AT_RISK)

    def reabandoned(self):
        return self.filter(status=ParcelStatus.REABANDONED)

    def awaiting_planting(self):
        return self.filter(rules.AWAITING_PLANTING)

    def for_list(self):
        return self.select_related("township", "village")


class Parcel(VersionedModel, VoidableModel, UnitOwnedModel):
    """One parcel of abandoned farmland (撂荒地块), owned by its township.

    A parcel recorded by mistake is voided (作废, :mod:`county.voiding`), never deleted:
    ``objects`` leaves it out everywhere, ``all_objects`` still sees it, and its code is
    not given to another parcel.
    """

    workstream = WORKSTREAM
    permissions = {"create": SUPERVISORS, "delete": SUPERVISORS, "correct": SUPERVISORS}
    unit_paths = ("township",)

    township = models.ForeignKey(
        "county.Unit",
        on_delete=models.PROTECT,
        related_name="abandoned_parcels",
        limit_choices_to={"kind": UnitKind.TOWNSHIP},
        verbose_name="乡镇（街道）",
    )
    village = models.ForeignKey(
        "county.Village",
        on_delete=models.PROTECT,
        related_name="abandoned_parcels",
        verbose_name="村（社区）",
    )
    code = models.CharField("地块编号", max_length=40, unique=True)
    area = models.DecimalField(
        "面积（亩）",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), "面积必须大于0。")],
    )
    year_abandoned = models.PositiveSmallIntegerField(
        "撂荒年份",
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1980, "撂荒年份不早于1980年。"),
            MaxValueValidator(2100, "撂荒年份不正确。"),
        ],
    )
    cause = models.CharField("撂荒原因", max_length=100, blank=True)
    remediated_on = models.DateField(
        "整治时间", null=True, blank=True, validators=[check_plausible_date]
    )
    method = models.CharField("整治方式", max_length=100, blank=True)
    crop = models.CharField("种植作物", max_length=50, blank=True)
    season = models.CharField("种植季节", max_length=20, choices=Season.choices, blank=True)
    operator = models.CharField("经营主体", max_length=100, blank=True)
    operator_type = models.CharField(
        "经营主体类型", max_length=20, choices=OperatorType.choices, blank=True
    )
    status = models.CharField(
        "状态", max_length=20, choices=ParcelStatus.choices, default=ParcelStatus.SURVEYED
    )
    planting_deadline = models.DateField(
        "种植时限",
        null=True,
        blank=True,
        help_text="已整治的地块须在此日期前种上（下一季播种期）。",
        validators=[check_plausible_date],
    )
    note = models.CharField("备注", max_length=200, blank=True)
    longitude = places.longitude_field()
    latitude = places.latitude_field()
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=VERSION_EXCLUDED)

    objects = active_manager(ParcelQuerySet)
    all_objects = ParcelQuerySet.as_manager()

    class Meta:
        verbose_name = "撂荒地块"
        verbose_name_plural = "撂荒地块"
        default_manager_name = "objects"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["status", "township"]),
            models.Index(fields=["township", "code"]),
            # the list's page and its count: parcels in force, by (township_id, code)
            models.Index(
                fields=["township", "code"],
                condition=models.Q(voided_at__isnull=True),
                name="parcel_in_force_list",
            ),
        ]

    def __str__(self):
        return f"{self.code}（{self.area}亩）"

    def get_absolute_url(self):
        return record_url("abandoned_land:parcel_detail", self.pk)

    # --- the rules -----------------------------------------------------------
    @property
    def is_at_risk(self):
        """整治后无种植计划: remediated, but nobody knows what to plant or who farms it."""
        return rules.is_at_risk(self.status, self.crop, self.operator)

    @property
    def is_reabandoned(self):
        return self.status == ParcelStatus.REABANDONED

    @property
    def awaits_planting(self):
        return self.status == ParcelStatus.REMEDIATED

    @property
    def light(self):
        """The planting deadline's light while the parcel waits to be planted."""
        return PARCEL_STATUS.light_of(self)

    @property
    def light_tone(self):
        return LIGHT_TONES[self.light] if self.light else ""

    @property
    def status_tone(self):
        return STATUS_TONES[self.status]

    def clean(self):
        errors = {}
        if self.township_id and self.township.kind != UnitKind.TOWNSHIP:
            errors["township"] = "请选择乡镇（街道）。"
        if self.village_id and self.township_id and self.village.township_id != self.township_id:
            errors["village"] = "该村（社区）不属于所选乡镇。"
        values = {f.name: getattr(self, f.name) for f in self._meta.concrete_fields}
        errors.update(rules.missing_for(self.status, values))
        places.check_point(self, errors)
        if errors:
            raise ValidationError(errors)

    def validate_unique(self, exclude=None):
        """Django's checks (over parcels in force), plus: a voided parcel keeps its code."""
        super().validate_unique(exclude)
        if (exclude and "code" in exclude) or not self.code:
            return
        voided = Parcel.all_objects.filter(code=self.code, voided_at__isnull=False)
        if voided.exclude(pk=self.pk).exists():
            raise ValidationError(
                {"code": f"地块编号“{self.code}”属于一块已作废的地块，不能再用，请换一个编号。"}
            )

    @transaction.atomic
    def apply_update(self, user, values, finding="", on=None):
        """Change this parcel as ``user`` (status, planting, ...) and record the inspection.

        ``values`` maps field names to new values; the status must be one the user may
        set (:func:`rules.allowed_statuses`), 复撂荒 needs a finding. Raises
        ValidationError with field messages. Returns the Inspection recorded, or None.
        """
        supervisor = may(user, "correct", self)
        if not may(user, "change", self):
            raise ValidationError("您无权修改该地块。")
        old_status = self.status
        new_status = values.get("status", old_status)
        if new_status not in rules.allowed_statuses(old_status, supervisor):
            raise ValidationError(
                {
                    "status": f"不能从“{self.get_status_display()}”改为"
                    f"“{ParcelStatus(new_status).label}”（只能按整治、种植、巩固的顺序推进，"
                    "或登记复撂荒）。"
                }
            )
        finding = (finding or "").strip()
        if new_status == ParcelStatus.REABANDONED and new_status != old_status and not finding:
            raise ValidationError({"finding": "登记复撂荒须填写巡查发现的情况。"})
        for key, value in values.items():
            setattr(self, key, value)
        entering = new_status == ParcelStatus.REMEDIATED and old_status != new_status
        if (
            self.status == ParcelStatus.REMEDIATED
            and (self.planting_deadline is None or entering)
            and "planting_deadline" not in values
        ):
            self.planting_deadline = rules.next_planting_deadline(on or timezone.localdate())
        self.full_clean()
        self._history_user = user
        self.save()
        if new_status != old_status or finding:
            return Inspection.objects.create(
                parcel=self,
                inspected_on=on or timezone.localdate(),
                finding=finding,
                status_before=old_status,
                status_after=new_status,
                user=user,
            )
        return None

    @transaction.atomic
    def reassign(self, user, township, village, reason):
        """调整乡镇/村 (``reassign``, county.scoping): by a supervisor of neither the township
        before nor the one after (issue 20); kept in history with who and why."""
        require_reassign(user, self, {township.pk})
        locked = Parcel.objects.select_for_update().get(pk=self.pk)
        require_reassign(user, locked, {township.pk})  # its township as it is now, locked
        if locked.township_id == township.pk and locked.village_id == village.pk:
            raise ValidationError("乡镇和村（社区）没有变化。")
        self.refresh_from_db()
        self.township, self.village = township, village
        self.clean()  # the village belongs to the township, a township is a township …
        self._history_user = user
        self._change_reason = f"调整乡镇/村：{reason}"[:100]
        self.save()
        return self


class Inspection(UnitOwnedModel):
    """巡查记录: a visit or a status change of a parcel — who, when, what was found."""

    workstream = WORKSTREAM
    unit_paths = ("parcel__township",)

    parcel = models.ForeignKey(
        Parcel, on_delete=models.CASCADE, related_name="inspections", verbose_name="地块"
    )
    inspected_on = models.DateField(
        "巡查日期", default=timezone.localdate, validators=[check_plausible_date]
    )
    finding = models.TextField("巡查情况", blank=True, max_length=LONG_TEXT)
    status_before = models.CharField(
        "原状态", max_length=20, choices=ParcelStatus.choices, blank=True
    )
    status_after = models.CharField(
        "新状态", max_length=20, choices=ParcelStatus.choices, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="记录人",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    # The id the field app gave the record on the phone: a retried upload finds it again.
    client_id = models.UUIDField("客户端编号", unique=True, null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["client_id"])  # a technical key, set once

    class Meta:
        verbose_name = "巡查记录"
        verbose_name_plural = "巡查记录"
        ordering = ["-inspected_on", "-pk"]

    def __str__(self):
        return f"{self.parcel.code} {cn_date(self.inspected_on)}巡查"

    @property
    def status_changed(self):
        return self.status_before != self.status_after

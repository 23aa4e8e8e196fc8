"""One FilterSet for the parcel list: it serves the HTML list, the API and the Excel export."""

import django_filters
from django.db.models import Q

from county.filtersets import DatedWorkFilterSet
from county.inputs import positive_id
from county.models import Unit, Village
from county.status import today

from . import rules
from .choices import (
    CAUSES,
    CROPS,
    IN_USE,
    METHODS,
    REMEDIATED_EVER,
    STILL_ABANDONED,
    OperatorType,
    ParcelStatus,
    Season,
)
from .models import Parcel

YES = [("1", "是")]
STATUS_FILTER_CHOICES = [
    ("remediated_ever", "整治过（已整治、已种植、已巩固、复撂荒）"),
    ("still_abandoned", "仍撂荒（已排查、复撂荒）"),
    ("in_use", "已用好（已种植、已巩固）"),
    *ParcelStatus.choices,
]
STATUS_GROUPS = {
    "remediated_ever": REMEDIATED_EVER,
    "still_abandoned": STILL_ABANDONED,
    "in_use": IN_USE,
}


def _choices(values):
    return [(v, v) for v in values]


class ParcelFilter(DatedWorkFilterSet):
    """Filters of the parcel list."""

    dated_work = "abandoned_land.parcel"

    q = django_filters.CharFilter(method="filter_q", label="关键词")
    township = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.townships(), label="乡镇（街道）", empty_label="全部"
    )
    village = django_filters.ModelChoiceFilter(
        queryset=Village.objects.select_related("township"), label="村（社区）", empty_label="全部"
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_FILTER_CHOICES, method="filter_status", label="状态", empty_label="全部"
    )
    at_risk = django_filters.ChoiceFilter(
        choices=YES, method="filter_at_risk", label="整治后无种植计划", empty_label="全部"
    )
    overdue = django_filters.ChoiceFilter(
        choices=YES, method="filter_overdue", label="逾期未种植", empty_label="全部"
    )
    deadline_after = django_filters.DateFilter(
        field_name="planting_deadline", lookup_expr="gte", label="种植时限从"
    )
    deadline_before = django_filters.DateFilter(
        field_name="planting_deadline", lookup_expr="lte", label="种植时限至"
    )
    cause = django_filters.ChoiceFilter(
        choices=_choices(CAUSES), label="撂荒原因", empty_label="全部"
    )
    method = django_filters.ChoiceFilter(
        choices=_choices(METHODS), label="整治方式", empty_label="全部"
    )
    crop = django_filters.ChoiceFilter(
        choices=[("none", "（未定作物）"), *_choices(CROPS)],
        method="filter_crop",
        label="种植作物",
        empty_label="全部",
    )
    season = django_filters.ChoiceFilter(
        choices=Season.choices, label="种植季节", empty_label="全部"
    )
    operator_type = django_filters.ChoiceFilter(
        choices=OperatorType.choices, label="经营主体类型", empty_label="全部"
    )
    area_min = django_filters.NumberFilter(
        field_name="area", lookup_expr="gte", label="面积≥（亩）"
    )
    area_max = django_filters.NumberFilter(
        field_name="area", lookup_expr="lte", label="面积≤（亩）"
    )

    class Meta:
        model = Parcel
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The village options: those of the chosen township, named without it (one query
        # however many villages); with no township, none but a village already chosen, so
        # the page does not list every village of the county (5,000 at ten times the demo).
        for name in ("deadline_after", "deadline_before"):
            self.filters[name].field.widget.input_type = "date"
        data = self.data or {}
        villages = self.filters["village"]
        if (township_id := positive_id(data.get("township"))) is not None:
            villages.queryset = Village.objects.filter(township_id=township_id).order_by("name")
            self.form.fields["village"].label_from_instance = lambda village: village.name
        elif (village_id := positive_id(data.get("village"))) is not None:
            villages.queryset = Village.objects.select_related("township").filter(pk=village_id)
        else:
            villages.queryset = Village.objects.none()
            villages.extra["empty_label"] = "全部（先选乡镇）"

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(operator__icontains=value)
            | Q(village__name__icontains=value)
            | Q(crop__icontains=value)
            | Q(note__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        if value in STATUS_GROUPS:
            return queryset.filter(status__in=STATUS_GROUPS[value])
        return queryset.filter(status=value)

    def filter_at_risk(self, queryset, name, value):
        return queryset.filter(rules.AT_RISK) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(rules.planting_overdue(today())) if value else queryset

    def filter_crop(self, queryset, name, value):
        if value == "none":
            return queryset.filter(crop="")
        return queryset.filter(crop=value)

"""The plan-area FilterSet: it serves the HTML list, the API and the Excel export."""

import django_filters
from django.db.models import Q

from county.filtersets import DatedWorkFilterSet
from county.models import Unit
from county.status import Light

from .choices import Batch, Level, Stage
from .models import PlanArea

LIGHT_CHOICES = [(v, label) for v, label in Light.choices if v != Light.LONG_TERM]
STAGE_FILTER_CHOICES = [("open", "未完成（全部）"), *Stage.choices]


class PlanAreaFilter(DatedWorkFilterSet):
    """Filters of the plan-area list."""

    dated_work = "landplan.area"

    q = django_filters.CharFilter(method="filter_q", label="关键词")
    level = django_filters.ChoiceFilter(choices=Level.choices, label="层级", empty_label="全部")
    batch = django_filters.ChoiceFilter(choices=Batch.choices, label="批次", empty_label="全部")
    township = django_filters.ModelChoiceFilter(
        field_name="townships",
        queryset=Unit.objects.townships(),
        label="涉及乡镇",
        empty_label="全部",
        distinct=True,
    )
    stage = django_filters.ChoiceFilter(
        choices=STAGE_FILTER_CHOICES, method="filter_stage", label="当前阶段", empty_label="全部"
    )
    light = django_filters.ChoiceFilter(
        choices=LIGHT_CHOICES, method="filter_light", label="状态", empty_label="全部"
    )
    deadline_after = django_filters.DateFilter(
        field_name="next_deadline", lookup_expr="gte", label="下一节点时限从"
    )
    deadline_before = django_filters.DateFilter(
        field_name="next_deadline", lookup_expr="lte", label="下一节点时限至"
    )
    reached = django_filters.ChoiceFilter(
        choices=Stage.choices,
        field_name="stage",
        lookup_expr="gte",
        label="已到达阶段",
        empty_label="不限",
    )
    not_reached = django_filters.ChoiceFilter(
        choices=Stage.choices,
        field_name="stage",
        lookup_expr="lt",
        label="尚未到达阶段",
        empty_label="不限",
    )

    class Meta:
        model = PlanArea
        fields = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(title__icontains=value) | Q(compiler__icontains=value)
        )

    def filter_stage(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        return queryset.filter(stage=int(value))

    def filter_light(self, queryset, name, value):
        return queryset.with_light(value) if value else queryset

"""One FilterSet per list: it serves the HTML list, the API and the Excel export."""

import django_filters
from django.db.models import Q

from county.filtersets import BootstrapFilterSet, DatedWorkFilterSet
from county.inputs import positive_id
from county.models import Unit
from county.status import today

from .choices import NOT_CLOSED, InspectionKind, Measure, ProblemStatus
from .models import Accountability, Inspection, Problem, ProblemCategory
from .registration import PROBLEM_STATUS

STATUS_FILTER_CHOICES = [("open", "未销号（全部）"), *ProblemStatus.choices]
YES = [("1", "是")]


class ProblemFilter(DatedWorkFilterSet):
    """Filters of the problem list."""

    dated_work = "environment.problem"

    q = django_filters.CharFilter(method="filter_q", label="关键词")
    township = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.townships(), label="乡镇（街道）", empty_label="全部乡镇"
    )
    department = django_filters.ModelChoiceFilter(
        field_name="departments",
        queryset=Unit.objects.departments(),
        label="责任部门",
        empty_label="全部部门",
    )
    category = django_filters.ModelChoiceFilter(
        queryset=ProblemCategory.objects.all(), label="问题类别", empty_label="全部类别"
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_FILTER_CHOICES, method="filter_status", label="状态", empty_label="全部状态"
    )
    kind = django_filters.ChoiceFilter(
        field_name="inspection__kind",
        choices=InspectionKind.choices,
        label="检查方式",
        empty_label="全部方式",
    )
    found_after = django_filters.DateFilter(
        field_name="found_on", lookup_expr="gte", label="发现日期从"
    )
    found_before = django_filters.DateFilter(
        field_name="found_on", lookup_expr="lte", label="发现日期至"
    )
    closed_after = django_filters.DateFilter(
        field_name="closed_on", lookup_expr="gte", label="销号日期从"
    )
    closed_before = django_filters.DateFilter(
        field_name="closed_on", lookup_expr="lte", label="销号日期至"
    )
    deadline_after = django_filters.DateFilter(
        field_name="deadline", lookup_expr="gte", label="整改时限从"
    )
    deadline_before = django_filters.DateFilter(
        field_name="deadline", lookup_expr="lte", label="整改时限至"
    )
    overdue = django_filters.ChoiceFilter(
        choices=YES, method="filter_overdue", label="逾期", empty_label="不限"
    )
    late = django_filters.ChoiceFilter(
        choices=[("1", "逾期未销号或超期销号")],
        method="filter_late",
        label="超期",
        empty_label="不限",
    )
    on_time = django_filters.ChoiceFilter(
        choices=[("1", "按期销号")], method="filter_on_time", label="按期销号", empty_label="不限"
    )
    stubborn = django_filters.ChoiceFilter(
        choices=YES, method="filter_stubborn", label="顽固问题", empty_label="不限"
    )
    recurred = django_filters.ChoiceFilter(
        choices=[("1", "顽固或反弹")],
        method="filter_recurred",
        label="顽固或反弹",
        empty_label="不限",
    )

    class Meta:
        model = Problem
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        dates = ("found_after", "found_before", "closed_after", "closed_before")
        for name in (*dates, "deadline_after", "deadline_before"):
            self.filters[name].field.widget.input_type = "date"

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = (
            Q(description__icontains=value)
            | Q(place__icontains=value)
            | Q(village__name__icontains=value)
        )
        if (number := positive_id(value)) is not None:
            condition |= Q(number=number)
        return queryset.filter(condition)

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=NOT_CLOSED)
        return queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(PROBLEM_STATUS.overdue_q(today())) if value else queryset

    def filter_stubborn(self, queryset, name, value):
        return queryset.filter(stubborn_of__isnull=False) if value else queryset

    # 考核 and 周报 count with these (environment/measures.py)
    def filter_late(self, queryset, name, value):
        from .measures import LATE

        return queryset.filter(LATE()) if value else queryset

    def filter_on_time(self, queryset, name, value):
        from .measures import CLOSED_ON_TIME

        return queryset.filter(CLOSED_ON_TIME) if value else queryset

    def filter_recurred(self, queryset, name, value):
        from .measures import STUBBORN

        return queryset.filter(STUBBORN) if value else queryset


class InspectionFilter(BootstrapFilterSet):
    """Filters of the inspection list."""

    kind = django_filters.ChoiceFilter(
        choices=InspectionKind.choices, label="检查方式", empty_label="全部方式"
    )
    township = django_filters.ModelChoiceFilter(
        field_name="townships",
        queryset=Unit.objects.townships(),
        label="乡镇（街道）",
        empty_label="全部乡镇",
    )
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="日期从")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="日期至")

    class Meta:
        model = Inspection
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_after", "date_before"):
            self.filters[name].field.widget.input_type = "date"


class AccountabilityFilter(BootstrapFilterSet):
    """Filters of the accountability records."""

    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.all(), label="单位", empty_label="全部单位"
    )
    measure = django_filters.ChoiceFilter(
        choices=Measure.choices, label="措施", empty_label="全部措施"
    )

    class Meta:
        model = Accountability
        fields = []

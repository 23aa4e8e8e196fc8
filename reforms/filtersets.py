"""Filters of the reform ledger: one FilterSet serves the list page, the API and the export."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from county.filtersets import BootstrapFilterSet, DatedWorkFilterSet
from county.models import Leader, SpecialGroup, Unit
from county.status import Light

from .choices import ExperienceLevel, FollowUpStatus, TaskStatus, Track
from .models import Experience, FollowUpProblem, Innovation, ReformItem, SubTask
from .registration import ITEM_ROLLUP, SUBTASK_STATUS


def task_light_q(light, on=None, prefix=""):
    """A Q over sub-tasks matching one light (county.status, on the declared inputs)."""
    return SUBTASK_STATUS.light_q(light, on, prefix)


def item_light_filter(queryset, light, on=None):
    """Items whose rolled-up light (ReformItem.rollup) is ``light``."""
    return queryset.filter(ITEM_ROLLUP.light_q(queryset.model, light, on))


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LightFilter(django_filters.ChoiceFilter):
    """状态灯: 逾期 / 临期 / 正常 / 长期 / 已完成."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", Light.choices)
        kwargs.setdefault("label", "状态")
        kwargs.setdefault("empty_label", "全部")
        super().__init__(*args, **kwargs)


class ReformItemFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    group = django_filters.ModelChoiceFilter(
        label="专项小组", queryset=SpecialGroup.objects.all(), empty_label="全部"
    )
    track = django_filters.ChoiceFilter(label="类别", choices=Track.choices, empty_label="全部")
    lead_leader = django_filters.ModelChoiceFilter(
        label="牵头县领导", queryset=Leader.objects.all(), empty_label="全部"
    )
    lead_unit = django_filters.ModelChoiceFilter(
        label="牵头单位", queryset=Unit.objects.all(), empty_label="全部"
    )
    unit = django_filters.ModelChoiceFilter(
        label="责任单位", queryset=Unit.objects.all(), method="responsible_unit", empty_label="全部"
    )
    light = LightFilter(method="by_light")
    overdue = django_filters.ChoiceFilter(
        label="逾期情况",
        choices=[("yes", "有逾期细分任务"), ("no", "无逾期细分任务")],
        empty_label="全部",
        method="has_overdue",
    )

    class Meta:
        model = ReformItem
        fields = ["q", "group", "track", "lead_leader", "lead_unit", "unit", "light", "overdue"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Exists(SubTask.objects.filter(item=OuterRef("pk"), name__icontains=value))
        )

    @extend_schema_field(OpenApiTypes.INT)
    def responsible_unit(self, queryset, name, value):
        return queryset.filter(
            Q(lead_unit=value) | Exists(SubTask.objects.filter(item=OuterRef("pk"), units=value))
        )

    def by_light(self, queryset, name, value):
        return item_light_filter(queryset, value)

    def has_overdue(self, queryset, name, value):
        overdue = Exists(SubTask.objects.filter(task_light_q(Light.OVERDUE), item=OuterRef("pk")))
        return queryset.filter(overdue if value == "yes" else ~overdue)


class SubTaskFilter(DatedWorkFilterSet):
    dated_work = "reforms.subtask"
    q = django_filters.CharFilter(label="关键词", method="search")
    group = django_filters.ModelChoiceFilter(
        label="专项小组",
        field_name="item__group",
        queryset=SpecialGroup.objects.all(),
        empty_label="全部",
    )
    track = django_filters.ChoiceFilter(
        label="类别", field_name="item__track", choices=Track.choices, empty_label="全部"
    )
    lead_leader = django_filters.ModelChoiceFilter(
        label="牵头县领导",
        field_name="item__lead_leader",
        queryset=Leader.objects.all(),
        empty_label="全部",
    )
    unit = django_filters.ModelChoiceFilter(
        label="责任单位", field_name="units", queryset=Unit.objects.all(), empty_label="全部"
    )
    status = django_filters.ChoiceFilter(
        label="完成状态", choices=TaskStatus.choices, empty_label="全部"
    )
    light = LightFilter(method="by_light", label="时限状态")  # beside 完成状态: not two 状态
    completed_from = django_filters.DateFilter(
        label="完成日期起", field_name="completed_on", lookup_expr="gte", widget=DATE_WIDGET
    )
    completed_to = django_filters.DateFilter(
        label="完成日期止", field_name="completed_on", lookup_expr="lte", widget=DATE_WIDGET
    )
    deadline_from = django_filters.DateFilter(
        label="完成时限起", field_name="deadline", lookup_expr="gte", widget=DATE_WIDGET
    )
    deadline_to = django_filters.DateFilter(
        label="完成时限止", field_name="deadline", lookup_expr="lte", widget=DATE_WIDGET
    )
    late = django_filters.ChoiceFilter(
        label="超期",
        choices=[("1", "逾期未完成或超期完成")],
        method="filter_late",
        empty_label="不限",
    )

    class Meta:
        model = SubTask
        fields = ["q", "group", "track", "lead_leader", "unit", "status", "light"]
        fields += ["completed_from", "completed_to", "deadline_from", "deadline_to", "late"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(item__title__icontains=value))

    def by_light(self, queryset, name, value):
        return queryset.filter(task_light_q(value))

    def filter_late(self, queryset, name, value):
        from .measures import LATE

        return queryset.filter(LATE) if value else queryset


# --- records: follow-up problems, micro-innovations, typical experiences ---------------------


def follow_up_areas():
    areas = FollowUpProblem.objects.order_by("area").values_list("area", flat=True).distinct()
    return [(a, a) for a in areas]


class ReportedWidget(django_filters.widgets.BooleanWidget):
    """是否报送: 全部 / 已报送 / 未报送."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "全部"), ("true", "已报送"), ("false", "未报送")]


class FollowUpProblemFilter(BootstrapFilterSet):
    """后半篇文章: area, lead unit, status, text."""

    q = django_filters.CharFilter(label="关键词", method="search")
    area = django_filters.ChoiceFilter(label="领域", choices=follow_up_areas, empty_label="全部")
    lead_unit = django_filters.ModelChoiceFilter(
        label="牵头单位", queryset=Unit.objects.all(), empty_label="全部"
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=FollowUpStatus.choices, empty_label="全部"
    )

    class Meta:
        model = FollowUpProblem
        fields = ["q", "area", "lead_unit", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(problem__icontains=value) | Q(measures__icontains=value) | Q(area__icontains=value)
        )


class InnovationFilter(BootstrapFilterSet):
    """微改革微创新: unit, reported or not, text."""

    q = django_filters.CharFilter(label="关键词", method="search")
    unit = django_filters.ModelChoiceFilter(
        label="承担单位", queryset=Unit.objects.all(), empty_label="全部"
    )
    reported = django_filters.BooleanFilter(label="是否报送", widget=ReportedWidget())

    class Meta:
        model = Innovation
        fields = ["q", "unit", "reported"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(innovation_point__icontains=value)
            | Q(experience__icontains=value)
        )


class ExperienceFilter(BootstrapFilterSet):
    """典型经验: level, outlet text, date range, unit, item."""

    q = django_filters.CharFilter(label="标题", field_name="title", lookup_expr="icontains")
    level = django_filters.ChoiceFilter(
        label="层级", choices=ExperienceLevel.choices, empty_label="全部"
    )
    outlet = django_filters.CharFilter(label="刊载载体", lookup_expr="icontains")
    published_from = django_filters.DateFilter(
        label="刊载日期起", field_name="published_on", lookup_expr="gte", widget=DATE_WIDGET
    )
    published_to = django_filters.DateFilter(
        label="刊载日期止", field_name="published_on", lookup_expr="lte", widget=DATE_WIDGET
    )
    unit = django_filters.ModelChoiceFilter(
        label="报送单位", queryset=Unit.objects.all(), empty_label="全部"
    )
    item = django_filters.ModelChoiceFilter(
        label="关联改革任务", queryset=ReformItem.objects.all(), empty_label="全部"
    )

    class Meta:
        model = Experience
        fields = ["q", "level", "outlet", "published_from", "published_to", "unit", "item"]

"""Filters of the reform ledger: one FilterSet serves the list page, the API and the export."""

import datetime

import django_filters
from django.db.models import Exists, OuterRef, Q

from county.filtersets import BootstrapFilterSet
from county.models import Leader, SpecialGroup, Unit
from county.status import DUE_SOON_DAYS, Light, today

from .choices import TaskStatus, Track
from .models import ReformItem, SubTask


def task_light_q(light, on=None, prefix=""):
    """A Q over sub-tasks matching one light of county.status (prefix for related lookups)."""
    on = on or today()
    soon = on + datetime.timedelta(days=DUE_SOON_DAYS)
    p = prefix
    open_ = ~Q(**{f"{p}status": TaskStatus.DONE})
    dated = Q(**{f"{p}long_term": False, f"{p}deadline__isnull": False})
    return {
        Light.DONE: Q(**{f"{p}status": TaskStatus.DONE}),
        Light.OVERDUE: open_ & dated & Q(**{f"{p}deadline__lt": on}),
        Light.DUE_SOON: open_ & dated & Q(**{f"{p}deadline__gte": on, f"{p}deadline__lte": soon}),
        Light.NORMAL: open_ & dated & Q(**{f"{p}deadline__gt": soon}),
        Light.LONG_TERM: open_ & ~dated,
    }[light]


def item_light_filter(queryset, light, on=None):
    """Items whose rolled-up light (ReformItem.rollup) is ``light``."""

    def has(which):
        return Exists(SubTask.objects.filter(task_light_q(which, on), item=OuterRef("pk")))

    order = [Light.OVERDUE, Light.DUE_SOON, Light.NORMAL, Light.LONG_TERM]
    if light == Light.DONE:
        any_open = Exists(SubTask.objects.filter(item=OuterRef("pk")).exclude(status="done"))
        return queryset.filter(~any_open, Exists(SubTask.objects.filter(item=OuterRef("pk"))))
    condition = has(light)
    for earlier in order[: order.index(light)]:
        condition &= ~has(earlier)
    return queryset.filter(condition)


class LightFilter(django_filters.ChoiceFilter):
    """状态灯: 逾期 / 临期 / 正常 / 长期 / 已完成."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", Light.choices)
        kwargs.setdefault("label", "状态")
        super().__init__(*args, **kwargs)


class ReformItemFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    group = django_filters.ModelChoiceFilter(label="专项小组", queryset=SpecialGroup.objects.all())
    track = django_filters.ChoiceFilter(label="类别", choices=Track.choices)
    lead_leader = django_filters.ModelChoiceFilter(
        label="牵头县领导", queryset=Leader.objects.all()
    )
    lead_unit = django_filters.ModelChoiceFilter(label="牵头单位", queryset=Unit.objects.all())
    unit = django_filters.ModelChoiceFilter(
        label="责任单位", queryset=Unit.objects.all(), method="responsible_unit"
    )
    light = LightFilter(method="by_light")
    overdue = django_filters.BooleanFilter(
        label="有逾期",
        method="has_overdue",
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = ReformItem
        fields = ["q", "group", "track", "lead_leader", "lead_unit", "unit", "light", "overdue"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Exists(SubTask.objects.filter(item=OuterRef("pk"), name__icontains=value))
        )

    def responsible_unit(self, queryset, name, value):
        return queryset.filter(
            Q(lead_unit=value) | Exists(SubTask.objects.filter(item=OuterRef("pk"), units=value))
        )

    def by_light(self, queryset, name, value):
        return item_light_filter(queryset, value)

    def has_overdue(self, queryset, name, value):
        overdue = Exists(SubTask.objects.filter(task_light_q(Light.OVERDUE), item=OuterRef("pk")))
        return queryset.filter(overdue if value else ~overdue)


class SubTaskFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    group = django_filters.ModelChoiceFilter(
        label="专项小组", field_name="item__group", queryset=SpecialGroup.objects.all()
    )
    track = django_filters.ChoiceFilter(
        label="类别", field_name="item__track", choices=Track.choices
    )
    lead_leader = django_filters.ModelChoiceFilter(
        label="牵头县领导", field_name="item__lead_leader", queryset=Leader.objects.all()
    )
    unit = django_filters.ModelChoiceFilter(
        label="责任单位", field_name="units", queryset=Unit.objects.all()
    )
    status = django_filters.ChoiceFilter(label="完成状态", choices=TaskStatus.choices)
    light = LightFilter(method="by_light")

    class Meta:
        model = SubTask
        fields = ["q", "group", "track", "lead_leader", "unit", "status", "light"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(item__title__icontains=value))

    def by_light(self, queryset, name, value):
        return queryset.filter(task_light_q(value))

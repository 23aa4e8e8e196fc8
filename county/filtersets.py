"""Base FilterSet: one FilterSet serves the HTML list, the API and the Excel export."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .forms import bootstrapify
from .inputs import bound_date_fields
from .models import Leader, Unit


class BootstrapFilterSet(django_filters.FilterSet):
    """A FilterSet whose form renders with small Bootstrap widgets; dates in the plausible range."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_bootstrapped", False):
            bootstrapify(form, filtering=True)
            for field in form.fields.values():
                css = field.widget.attrs.get("class", "")
                field.widget.attrs["class"] = css.replace(
                    "form-control", "form-control-sm form-control"
                ).replace("form-select", "form-select form-select-sm")
            bound_date_fields(form)
            form._bootstrapped = True
        return form


class DatedWorkFilterSet(BootstrapFilterSet):
    """The list of one registered kind of dated work (``dated_work``: its ``DatedWork`` key).

    Its three filters open exactly the rows 我的待办 and the leader page count
    (``DatedWork.list_url``), asking the registration the same questions they do: ``todo``
    its open dated rows (``open_q``), ``owner`` a unit's rows (through every path the unit
    owns them), ``leader`` a leader's own work (``of_leader``: what he leads, and what his
    liaison townships own). They come last in the form.
    """

    dated_work = ""  # "reforms.subtask"
    LAST = ("todo", "owner", "leader")

    todo = django_filters.ChoiceFilter(
        label="待办", choices=[("1", "未完成且有时限")], method="filter_todo", empty_label="不限"
    )
    owner = django_filters.ModelChoiceFilter(
        label="所属单位", queryset=Unit.objects.all(), method="filter_owner", empty_label="全部"
    )
    leader = django_filters.ModelChoiceFilter(
        label="县领导牵头或联系",
        queryset=Leader.objects.all(),
        method="filter_leader",
        empty_label="全部",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.LAST:
            self.filters[name] = self.filters.pop(name)

    @property
    def registered(self):
        from .registry import registry

        return registry.dated(self.dated_work)

    def filter_todo(self, queryset, name, value):
        return queryset.filter(self.registered.open_q()) if value else queryset

    @extend_schema_field(OpenApiTypes.INT)
    def filter_owner(self, queryset, name, unit):
        return queryset.owned_by(unit.pk)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_leader(self, queryset, name, leader):
        townships = list(leader.liaison_townships.values_list("pk", flat=True))
        mine = self.registered.of_leader(
            leader.pk, townships, queryset.model._default_manager.all()
        )
        return queryset.filter(pk__in=mine.values("pk"))

"""Pages of 撂荒地整治: overview, parcel list, parcel page, update and inspection forms.

Every page reads through ``visible_to`` (another township's parcel is a 404); changes go
through :meth:`Parcel.apply_update`, which holds the loop's rules, and the township and
village only through :meth:`Parcel.reassign` (调整乡镇/村, issue 20).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from county.base_views import ActionStepView, ScopedDetailView, ScopedListView
from county.figures_cache import caches_rows, rows_key
from county.history import timeline
from county.registry import NONE_LATE, RATE_THRESHOLD, Figure
from county.scoping import may, reassign_refusal
from county.void_views import VoidView

from .choices import STATUS_TONES, ParcelStatus
from .figures import by_township, summary
from .filtersets import ParcelFilter
from .forms import InspectionForm, ParcelReassignForm, ParcelUpdateForm
from .models import Inspection, Parcel


def ledger_links(query_string=""):
    export = reverse("ledger:export", args=["abandoned_land"])
    return {
        "import": reverse("ledger:import", args=["abandoned_land"]),
        "export": f"{export}?{query_string}" if query_string else export,
        "template": reverse("ledger:template", args=["abandoned_land"]),
    }


@login_required
@caches_rows
def overview(request):
    """概览: parcels and 亩 by status, the three targets, risks, and 亩 by status per township."""
    data = summary(request.user)
    townships = by_township(request.user)
    statuses = [
        {
            "key": status.value,
            "label": status.label,
            "color": STATUS_TONES[status].hex,
            "count": data["by_status"][status]["count"],
            "area": data["by_status"][status]["area"],
        }
        for status in ParcelStatus
    ]
    charts = {
        "statuses": [{k: s[k] for k in ("key", "label", "color")} for s in statuses],
        "townships": {
            "labels": [row["township__name"] for row in townships],
            "ids": [row["township"] for row in townships],
            "series": {s.value: [float(row[s.value]) for row in townships] for s in ParcelStatus},
        },
        "list_url": reverse("abandoned_land:parcel_list"),
    }
    return render(
        request,
        "abandoned_land/overview.html",
        {
            "data": data,
            "judged": {  # the cards coloured by their thresholds (county.registry.Threshold)
                "use_rate": Figure(  # nothing remediated yet: no rate to judge
                    "用好率",
                    f"{data['use_rate']}%" if data["remediated_area"] else "—",
                    threshold=RATE_THRESHOLD,
                ),
                "overdue": Figure("逾期未种植", data["overdue_count"], threshold=NONE_LATE),
            },
            "statuses": statuses,
            "townships": townships,
            "charts": charts,
            "active": "overview",
            "rows_key": rows_key(request, "abandoned_land"),
        },
    )


class ParcelList(ScopedListView):
    """地块台账: filters, table (cards on a phone), pagination, Excel export."""

    model = Parcel
    filterset_class = ParcelFilter
    template_name = "abandoned_land/parcel_list.html"
    page_title = "地块台账"
    active = "list"

    def get_queryset(self):
        # township_id, not township__order: the index (township, code) serves the page, where
        # a joined column made PostgreSQL sort every parcel (townships are numbered in the
        # order the set-up workbook lists them)
        return super().get_queryset().for_list().order_by("township_id", "code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            page_title=self.page_title,
            active=self.active,
            can_import=may(self.request.user, "import", Parcel),
            ledger=ledger_links(context["query_string"]),
        )
        return context


class ParcelDetail(ScopedDetailView):
    """A parcel with its inspections (who/when/what) and its change history."""

    model = Parcel
    template_name = "abandoned_land/parcel_detail.html"

    def get_queryset(self):
        return super().get_queryset().for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        parcel = self.object
        context.update(
            parcel=parcel,
            active="list",
            inspections=parcel.inspections.select_related("user"),
            history=timeline(parcel),
            can_void=parcel.may_void(self.request.user),
            can_reassign=not reassign_refusal(self.request.user, parcel),
            inspection_form=kwargs.get("inspection_form")
            or (InspectionForm() if context["can_edit"] else None),
        )
        return context


class ParcelVoid(VoidView):
    """作废 a parcel recorded by mistake (supervisors, with a reason); kept in history."""

    model = Parcel
    success_url_name = "abandoned_land:parcel_list"


def _editable_parcel(request, pk):
    parcel = get_object_or_404(Parcel.objects.visible_to(request.user).for_list(), pk=pk)
    if not may(request.user, "change", parcel):
        raise PermissionDenied("您无权修改该地块。")
    return parcel


class ParcelStep(ActionStepView):
    """A step on a parcel its township (or a supervisor) may change; the rules live in
    :meth:`Parcel.apply_update`, which re-checks the locked parcel."""

    model = Parcel

    def get_queryset(self):
        return super().get_queryset().for_list()

    permission_action = "change"
    permission_denied_message = "您无权修改该地块。"


class ParcelUpdate(ParcelStep):
    """Record remediation, planting (种什么、谁来种), consolidation or 复撂荒 — phone-friendly."""

    form_class = ParcelUpdateForm
    form_template_name = "abandoned_land/parcel_form.html"

    def get_form_kwargs(self, parcel):
        kwargs = super().get_form_kwargs(parcel)
        kwargs.pop("initial")
        return {**kwargs, "instance": parcel, "full": may(self.request.user, "correct", parcel)}

    def get_context_data(self, parcel, form, **kwargs):
        return {"form": form, "parcel": parcel, "active": "list", **kwargs}

    def perform(self, form, parcel):
        parcel.apply_update(
            self.request.user,
            form.update_values(),
            form.cleaned_data["finding"],
            form.cleaned_data["inspected_on"],
        )
        return f"地块 {parcel.code} 已更新为“{parcel.get_status_display()}”。"


class InspectionCreate(ParcelStep):
    """A plain 巡查 record on a parcel (no status change); errors show on the parcel page."""

    form_class = InspectionForm
    form_name = "inspection_form"
    template_name = "abandoned_land/parcel_detail.html"

    def get_context_data(self, parcel, form, **kwargs):
        page = ParcelDetail()
        page.setup(self.request, pk=parcel.pk)
        page.object = parcel
        return page.get_context_data(object=parcel, inspection_form=form, **kwargs)

    def perform(self, form, parcel):
        Inspection.objects.create(
            parcel=parcel,
            inspected_on=form.cleaned_data["inspected_on"],
            finding=form.cleaned_data["finding"],
            status_before=parcel.status,
            status_after=parcel.status,
            user=self.request.user,
        )
        return "巡查记录已保存。"


class ParcelReassign(ActionStepView):
    """调整乡镇/村 (``reassign``, county.scoping): a supervisor of neither the township before
    nor the one after moves the parcel; the rule checks again under the lock (403)."""

    model = Parcel
    permission_action = "reassign"
    form_class = ParcelReassignForm
    form_template_name = "abandoned_land/parcel_reassign.html"

    def get_queryset(self):
        return super().get_queryset().for_list()

    def check(self, parcel):
        refusal = reassign_refusal(self.request.user, parcel)
        if refusal:
            raise PermissionDenied(refusal)

    def get_initial(self, parcel):
        return {"township": parcel.township, "village": parcel.village}

    def get_context_data(self, parcel, form, **kwargs):
        return {"form": form, "parcel": parcel, "active": "list", **kwargs}

    def perform(self, form, parcel):
        data = form.cleaned_data
        parcel.reassign(self.request.user, data["township"], data["village"], data["reason"])
        return f"地块 {parcel.code} 已调整到{data['township'].name}{data['village'].name}。"


parcel_update = ParcelUpdate.as_view()
parcel_reassign = ParcelReassign.as_view()
inspection_create = InspectionCreate.as_view()

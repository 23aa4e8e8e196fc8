"""Pages of the spatial-planning workstream, mounted at /landplan/.

总览 (figures and a stacked bar per level/batch, every figure links to its list), 片区清单
(filters, pagination, export), 片区 page (stepper, timeline, notes, history), the stage
form with its confirm step, the details form and progress notes.
"""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from county.base_views import (
    ActionStepView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
)
from county.concurrency import VersionedUpdateMixin
from county.history import timeline
from county.scoping import may
from county.status import LIGHT_TONES, Light, today

from .choices import STAGE_TONES, Batch, Level, Stage
from .filtersets import PlanAreaFilter
from .forms import AreaForm, NoteForm, StageForm
from .models import PlanArea, PlanYear, ProgressNote, StageError

GROUPS = [
    (Level.TOWNSHIP, Batch.FIRST),
    (Level.TOWNSHIP, Batch.SECOND),
    (Level.VILLAGE, Batch.ON_DEMAND),
]


def figures_for(user):
    """Areas, overdue, due soon, done rate: the overview's and the cockpit's figures."""
    areas = PlanArea.objects.visible_to(user)
    on = today()
    total = areas.count()
    done = areas.filter(stage=Stage.DONE).count()
    url = reverse("landplan:area_list")
    return {
        "total": (total, url),
        "overdue": (areas.with_light(Light.OVERDUE, on).count(), f"{url}?light=overdue"),
        "due_soon": (areas.with_light(Light.DUE_SOON, on).count(), f"{url}?light=due_soon"),
        "done": (done, f"{url}?light=done"),
        "rate": (f"{round(done * 100 / total)}%" if total else "—", f"{url}?light=done"),
        "township_open": (
            areas.filter(level=Level.TOWNSHIP).open().count(),
            f"{url}?level=township&stage=open",
        ),
    }


@login_required
def overview(request):
    """Figures and the stage chart per level/batch."""
    areas = PlanArea.objects.visible_to(request.user)
    counts = Counter()
    for row in areas.order_by().values("level", "batch", "stage").annotate(n=Count("pk")):
        counts[(row["level"], row["batch"], row["stage"])] = row["n"]
    stage_totals = Counter()
    for (_, _, stage), n in counts.items():
        stage_totals[stage] += n
    groups = [g for g in GROUPS if any(counts[(*g, s)] for s in Stage)] or GROUPS
    list_url = reverse("landplan:area_list")
    chart = {
        "labels": [f"{Level(lv).label}·{Batch(b).label}" for lv, b in groups],
        "groups": [{"level": lv, "batch": b} for lv, b in groups],
        "stages": [
            {
                "key": s.value,
                "label": s.label,
                "color": STAGE_TONES[s].hex,
                "data": [counts[(lv, b, s.value)] for lv, b in groups],
            }
            for s in Stage
        ],
        "list_url": list_url,
    }
    stages = [{"stage": s, "count": stage_totals[s.value], "tone": STAGE_TONES[s]} for s in Stage]
    from .registration import figures_from  # the cockpit's cards, coloured by their thresholds

    figs = figures_for(request.user)
    plan_year = PlanYear.current()  # the milestones, the same row the cockpit reads
    deadlines = plan_year.milestones() if plan_year else []
    lights = [
        {
            "light": light,
            "label": light.label,
            "tone": LIGHT_TONES[light],
            "count": areas.with_light(light).count(),
        }
        for light in (Light.OVERDUE, Light.DUE_SOON, Light.NORMAL, Light.DONE)
    ]
    return render(
        request,
        "landplan/overview.html",
        {
            "figs": figs,
            "figures": figures_from(figs),
            "stages": stages,
            "chart": chart,
            "lights": lights,
            "deadlines": deadlines,
            "list_url": list_url,
        },
    )


class AreaList(ScopedListView):
    """片区清单 with filters and export of exactly the filtered rows."""

    model = PlanArea
    filterset_class = PlanAreaFilter
    template_name = "landplan/area_list.html"
    paginate_by = 30

    def get_queryset(self):
        return super().get_queryset().for_list().order_by("level", "batch", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_import"] = may(self.request.user, "import", PlanArea)
        return context


class AreaDetail(ScopedDetailView):
    """One area: details, the stage stepper, the timeline, notes and history."""

    model = PlanArea
    template_name = "landplan/area_detail.html"
    context_object_name = "area"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("lead_unit")
            .prefetch_related("townships", "villages__township")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = self.object
        context.update(
            {
                "steps": area.stage_steps(),
                "timeline": area.stage_changes.select_related("user").order_by("-date", "-pk"),
                "notes": area.notes.select_related("author", "unit"),
                "history": timeline(area, limit=60),
                "can_stage": context["can_edit"] and not area.is_done,
                "can_details": context["can_edit"],
                "note_form": NoteForm() if may(self.request.user, "report", area) else None,
            }
        )
        return context


class AreaStage(ActionStepView):
    """Change the stage: form → confirm page → saved (the rule in models.check_move).

    The area is locked and ``PlanArea.move_to`` re-checks the rule; on failure the stage
    form is shown again with the errors beside the fields (400).
    """

    model = PlanArea
    form_class = StageForm
    form_template_name = "landplan/stage_form.html"
    confirm_template_name = "landplan/stage_confirm.html"
    rule_errors = (StageError,)

    permission_action = "change"
    permission_denied_message = "只有县自然资源局（督查、牵头单位）可以变更规划阶段。"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.method in ("GET", "POST"):
            area = self.get_object()
            self.check(area)
            if area.is_done:
                messages.warning(request, "规划已批复/完成，不能再变更阶段。")
                return redirect(area)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self, area):
        return {**super().get_form_kwargs(area), "area": area}

    def get_context_data(self, area, form, **kwargs):
        return {"area": area, "form": form, **kwargs}

    def perform(self, form, area):
        data = form.cleaned_data
        area.move_to(data["to_stage"], self.request.user, data["date"], data["note"] or "")
        return f"{area}已进入“{Stage(area.stage).label}”阶段。"


area_stage = AreaStage.as_view()


class AreaUpdate(VersionedUpdateMixin, ScopedUpdateView):
    """Compiler, deadlines and note: supervisors and the lead unit only (not townships)."""

    model = PlanArea
    form_class = AreaForm
    template_name = "landplan/area_form.html"
    context_object_name = "area"

    permission_denied_message = "乡镇只能填报进展，不能修改时限。"

    def form_valid(self, form):
        form.instance._history_user = self.request.user
        response = super().form_valid(form)  # a stale version raises before this line ends
        messages.success(self.request, "已保存。")
        return response


@login_required
@require_POST
def note_create(request, pk):
    """Add a progress note: anyone who may edit the area (its townships too)."""
    area = get_object_or_404(PlanArea.objects.visible_to(request.user), pk=pk)
    if not may(request.user, "report", area):
        raise PermissionDenied("您无权填报该片区的进展。")
    form = NoteForm(request.POST)
    if form.is_valid():
        note = form.save(commit=False)
        note.area, note.author, note.unit = area, request.user, request.user.unit
        note._history_user = request.user
        note.save()
        messages.success(request, "进展已记录。")
        return redirect(reverse("landplan:area_detail", args=[area.pk]) + "#notes")
    view = AreaDetail.as_view()
    request.method = "GET"
    response = view(request, pk=pk)
    response.context_data["note_form"] = form
    return response


@login_required
def note_list(request):
    """Recent progress notes the user may see (the link from the overview)."""
    notes = (
        ProgressNote.objects.visible_to(request.user)
        .select_related("area", "author", "unit")
        .order_by("-date", "-pk")[:100]
    )
    return render(request, "landplan/note_list.html", {"notes": notes})

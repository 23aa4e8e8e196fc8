"""Pages of follow-up problems (后半篇文章), micro-innovations and typical experiences.

Every page reads through ``visible_to`` (another unit's record is a 404); changes
go through :mod:`reforms.records`, which holds the rules. Records and forms are
edited by the reform office's supervisors; a unit's staff mark their problems
rectified and keep their own innovation projects. A problem's lead unit and a project's
unit change only through 调整 (``reassign``, issue 20): never by the plain edit, never by a
supervisor of the unit before or after.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from county.base_views import ActionStepView, ScopedListView
from county.concurrency import StaleVersion
from county.history import timeline
from county.scoping import may, reassign_refusal, require, restrict
from county.status import days_overdue, today

from . import records
from .choices import ExperienceLevel, FollowUpStatus
from .filtersets import ExperienceFilter, FollowUpProblemFilter, InnovationFilter
from .forms_records import (
    ExperienceForm,
    FollowUpProblemForm,
    InnovationForm,
    ReassignForm,
    RecheckForm,
    RectifiedForm,
)
from .models import Experience, FollowUpProblem, Innovation, ReformItem
from .registration import FOLLOW_UP_STATUS

FORM_TEMPLATE = "reforms/records/form.html"
HISTORY_LIMIT = 30


SUPERVISOR_ONLY = "只有县委改革办督查人员可以进行此操作。"


def save_form(request, form, title, active, done_message, cancel_url):
    """Save a valid bound form and return the object, or render the form with its errors.

    The form carries the record's version (``VersionedFormMixin``): saved meanwhile by
    someone else, nothing is kept and the form says so (409) with both versions."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                obj = form.save()
        except StaleVersion as error:
            form.refuse_stale(error)
        else:
            messages.success(request, done_message)
            return obj, None
    status = 400 if form.is_bound else 200
    if getattr(form, "stale", None) is not None:
        status = form.stale_status
    context = {"form": form, "page_title": title, "active": active, "cancel_url": cancel_url}
    return None, render(request, FORM_TEMPLATE, context, status=status)


# --- 后半篇文章 ----------------------------------------------------------------------------
class FollowUpList(ScopedListView):
    """The 34 follow-up problems: filters, table (cards on a phone), pagination."""

    model = FollowUpProblem
    filterset_class = FollowUpProblemFilter
    template_name = "reforms/records/followup_list.html"
    paginate_by = 20

    def get_queryset(self):
        return super().get_queryset().select_related("lead_unit", "item")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active"] = "followups"
        context["can_create"] = may(self.request.user, "create", FollowUpProblem)
        on = today()
        for problem in context["object_list"]:  # 逾期N天: still being rectified past its deadline
            late = FOLLOW_UP_STATUS.is_overdue(problem, on)
            problem.overdue_days = days_overdue(problem.deadline, on) if late else 0
        return context


def visible_problem(request, pk):
    queryset = FollowUpProblem.objects.visible_to(request.user).select_related("lead_unit", "item")
    return get_object_or_404(queryset, pk=pk)


def followup_context(request, problem, **forms):
    user = request.user
    supervisor = may(user, "recheck", problem)
    context = {
        "problem": problem,
        "active": "followups",
        "can_edit": may(user, "change", problem),
        "can_reassign": not reassign_refusal(user, problem),
        "rechecks": problem.rechecks.select_related("checked_by"),
        "history": timeline(problem, limit=HISTORY_LIMIT),
        # The item is named; its page is linked only for those who may see it.
        "item_visible": bool(problem.item_id) and may(user, "view", problem.item),
    }
    own = problem.status == FollowUpStatus.RECTIFIED and problem.rectified_by_id == user.pk
    if supervisor and problem.status != FollowUpStatus.RECTIFYING and not own:
        context["recheck_form"] = forms.get("recheck_form") or RecheckForm()
    context["own_rectification"] = supervisor and own
    if problem.status == FollowUpStatus.RECTIFYING and may(user, "rectify", problem):
        context["rectified_form"] = forms.get("rectified_form") or RectifiedForm()
    return context


@login_required
def followup_detail(request, pk):
    problem = visible_problem(request, pk)
    return render(
        request, "reforms/records/followup_detail.html", followup_context(request, problem)
    )


@login_required
def followup_edit(request, pk=None):
    """Create (no pk) or change a follow-up problem: supervisors of reforms only."""
    problem = visible_problem(request, pk) if pk else None
    require(
        request.user, "change" if problem else "create", problem or FollowUpProblem, SUPERVISOR_ONLY
    )
    form = FollowUpProblemForm(request.POST or None, instance=problem)
    title = f"修改问题（第{problem.number}号）" if problem else "新增后半篇文章问题"
    cancel = reverse("reforms:followup", args=[pk]) if pk else reverse("reforms:followups")
    saved, page = save_form(request, form, title, "followups", "问题已保存。", cancel)
    return page or redirect("reforms:followup", pk=saved.pk)


class FollowUpStep(ActionStepView):
    """A step on a follow-up problem (报告整改, 回头看); errors show on the problem page."""

    model = FollowUpProblem
    template_name = "reforms/records/followup_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("lead_unit", "item")

    def get_context_data(self, problem, form, **kwargs):
        return {**followup_context(self.request, problem, **{self.form_name: form}), **kwargs}

    def get_success_url(self, problem):
        return reverse("reforms:followup", args=[problem.pk])


class FollowUpRecheck(FollowUpStep):
    """回头看 by a supervisor of reforms (not the one who reported the rectification)."""

    permission_action = "recheck"
    form_class = RecheckForm
    form_name = "recheck_form"

    def perform(self, form, problem):
        data = form.cleaned_data
        records.add_recheck(
            problem, self.request.user, data["checked_on"], data["result"], data["note"]
        )
        return "回头看已记录。"


class FollowUpRectified(FollowUpStep):
    """The lead unit reports the problem rectified."""

    permission_action = "rectify"
    form_class = RectifiedForm
    form_name = "rectified_form"

    def perform(self, form, problem):
        records.mark_rectified(problem, self.request.user, form.cleaned_data["note"])
        return "已标记为已整改，等待县委改革办回头看。"


class RecordReassign(ActionStepView):
    """调整牵头单位/承担单位 (``reassign``, county.scoping): a supervisor other than the
    record's own unit moves it to another unit; the rule (:mod:`reforms.records`) checks
    again under the lock and refuses moving it to his own unit (403)."""

    permission_action = "reassign"
    form_class = ReassignForm
    form_template_name = FORM_TEMPLATE
    unit_field = "unit"
    label = "承担单位"
    active = ""

    def check(self, obj):
        refusal = reassign_refusal(self.request.user, obj)
        if refusal:
            raise PermissionDenied(refusal)

    def get_form_kwargs(self, obj):
        return {**super().get_form_kwargs(obj), "label": f"新的{self.label}"}

    def get_initial(self, obj):
        return {"unit": getattr(obj, self.unit_field)}

    def get_context_data(self, obj, form, **kwargs):
        return {
            "form": form,
            "page_title": f"调整{self.label}：{obj}",
            "intro": f"{self.label}只能在这里调整，调整理由记入修改记录；督查人员不能调整本单位"
            "自己的工作，也不能把工作调整给本单位。",
            "submit_label": "调整",
            "active": self.active,
            "cancel_url": self.get_success_url(obj),
            **kwargs,
        }


class FollowUpReassign(RecordReassign):
    model = FollowUpProblem
    unit_field = "lead_unit"
    label = "牵头单位"
    active = "followups"

    def perform(self, form, problem):
        data = form.cleaned_data
        records.reassign_followup(problem, self.request.user, data["unit"], data["reason"])
        return "牵头单位已调整，已通知新的牵头单位。"

    def get_success_url(self, problem):
        return reverse("reforms:followup", args=[problem.pk])


class InnovationReassign(RecordReassign):
    model = Innovation
    active = "innovations"

    def perform(self, form, innovation):
        data = form.cleaned_data
        records.reassign_innovation(innovation, self.request.user, data["unit"], data["reason"])
        return "承担单位已调整。"

    def get_success_url(self, innovation):
        return reverse("reforms:innovation", args=[innovation.pk])


followup_recheck = FollowUpRecheck.as_view()
followup_rectified = FollowUpRectified.as_view()
followup_reassign = FollowUpReassign.as_view()
innovation_reassign = InnovationReassign.as_view()


# --- 微改革微创新 --------------------------------------------------------------------------
class InnovationList(ScopedListView):
    """The micro-innovation projects: filters, table (cards on a phone), pagination."""

    model = Innovation
    filterset_class = InnovationFilter
    template_name = "reforms/records/innovation_list.html"
    paginate_by = 20

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "item")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active"] = "innovations"
        context["can_create"] = may(self.request.user, "create", Innovation)
        return context


def visible_innovation(request, pk):
    queryset = Innovation.objects.visible_to(request.user).select_related("unit", "item")
    return get_object_or_404(queryset, pk=pk)


@login_required
def innovation_detail(request, pk):
    innovation = visible_innovation(request, pk)
    context = {
        "innovation": innovation,
        "active": "innovations",
        "can_edit": may(request.user, "change", innovation),
        "can_reassign": not reassign_refusal(request.user, innovation),
        "history": timeline(innovation, limit=HISTORY_LIMIT),
        "item_visible": bool(innovation.item_id) and may(request.user, "view", innovation.item),
    }
    return render(request, "reforms/records/innovation_detail.html", context)


@login_required
def innovation_edit(request, pk=None):
    """Create or change a project: supervisors any, a unit's staff their own."""
    user = request.user
    supervisor = may(user, "assign", Innovation)
    if pk:
        innovation = visible_innovation(request, pk)
        require(user, "change", innovation, "您无权修改该项目。")
    else:
        require(user, "create", Innovation, "只有承担单位或县委改革办可以新增项目。")
        innovation = Innovation(unit=None if supervisor else user.unit)
    form = InnovationForm(
        request.POST or None, instance=innovation, supervisor=supervisor, user=request.user
    )
    title = f"修改项目：{innovation.title}" if pk else "新增微改革微创新项目"
    cancel = reverse("reforms:innovation", args=[pk]) if pk else reverse("reforms:innovations")
    saved, page = save_form(request, form, title, "innovations", "项目已保存。", cancel)
    return page or redirect("reforms:innovation", pk=saved.pk)


@login_required
@require_POST
def innovation_report(request, pk):
    """报送县委改革办."""
    innovation = visible_innovation(request, pk)
    try:
        records.report_innovation(innovation, request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已报送县委改革办。")
    return redirect("reforms:innovation", pk=pk)


# --- 典型经验刊载 --------------------------------------------------------------------------
class ExperienceList(ScopedListView):
    """Typical experiences with counts by level (of what is filtered) at the top."""

    model = Experience
    filterset_class = ExperienceFilter
    template_name = "reforms/records/experience_list.html"
    paginate_by = 20

    def get_queryset(self):
        queryset = super().get_queryset().select_related("unit", "item")
        return queryset.order_by("-published_on", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counted = dict(self.object_list.order_by().values_list("level").annotate(n=Count("pk")))
        query = self.request.GET.copy()
        for key in ("page", "level"):
            query.pop(key, None)
        context["level_counts"] = [
            (label, counted.get(value, 0), f"?{query.urlencode()}&level={value}".replace("?&", "?"))
            for value, label in ExperienceLevel.choices
        ]
        context["total"] = sum(counted.values())
        context["active"] = "experiences"
        context["can_edit"] = may(self.request.user, "change", Experience)
        items = {r.item_id for r in context["object_list"] if r.item_id}
        # [0] when none: one query either way, whatever the number of rows.
        chosen = ReformItem.objects.filter(pk__in=list(items) or [0])
        readable = restrict(chosen, self.request.user, "view")
        context["visible_items"] = set(readable.values_list("pk", flat=True))
        return context


experiences = ExperienceList.as_view()


@login_required
def experience_edit(request, pk=None):
    """Create or change a typical experience: supervisors of reforms only."""
    experience = None
    if pk:
        experience = get_object_or_404(Experience.objects.visible_to(request.user), pk=pk)
    require(
        request.user,
        "change" if experience else "create",
        experience or Experience,
        SUPERVISOR_ONLY,
    )
    form = ExperienceForm(request.POST or None, instance=experience)
    title = "修改典型经验" if pk else "新增典型经验"
    cancel = reverse("reforms:experiences")
    _saved, page = save_form(request, form, title, "experiences", "典型经验已保存。", cancel)
    return page or redirect("reforms:experiences")

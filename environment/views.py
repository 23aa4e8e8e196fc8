"""Pages of the environment workstream.

Every page reads through ``visible_to`` (another unit's record is a 404); the loop's
steps call the ``Problem`` methods, which hold the rules (who may submit, accept,
reject, re-check). Photos and notice files are served here after the same checks,
never from a public media URL.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.generic import CreateView, ListView, UpdateView

from county.base_views import (
    ActionRequiredMixin,
    ActionStepView,
    ScopedDetailView,
    ScopedListView,
)
from county.concurrency import VersionedUpdateMixin
from county.history import timeline
from county.inputs import positive_id
from county.scoping import may, reassign_refusal, require, restrict
from county.status import today
from county.void_views import VoidView

from .choices import PhotoKind, ProblemStatus
from .filtersets import AccountabilityFilter, InspectionFilter, ProblemFilter
from .forms import (
    AcceptForm,
    AccountabilityForm,
    CategoryForm,
    InspectionForm,
    NoticeIssueForm,
    NoticePeriodForm,
    ProblemEditForm,
    ProblemForm,
    ProblemReassignForm,
    RecheckForm,
    RectificationForm,
    RejectForm,
)
from .models import (
    Accountability,
    Inspection,
    LoopError,
    Notice,
    Photo,
    Problem,
    ProblemCategory,
)
from .notices import build_docx, default_title, issued_content, notice_figures


class SupervisorStep(ActionRequiredMixin):
    """A page that records or corrects what supervisors keep (``permissions`` on the
    model, ``county.scoping``)."""

    permission_denied_message = "只有督查单位可以进行此操作。"


def ledger_links(query_string=""):
    """Import / export / template links of the shared ledger engine, when it is installed."""
    try:
        export = reverse("ledger:export", args=["environment"])
        return {
            "import": reverse("ledger:import", args=["environment"]),
            "export": f"{export}?{query_string}" if query_string else export,
            "template": reverse("ledger:template", args=["environment"]),
        }
    except NoReverseMatch:
        return None


# --- problems ---------------------------------------------------------------
class ProblemList(ScopedListView):
    """The problem list: filters, table (cards on a phone), pagination, Excel export."""

    model = Problem
    filterset_class = ProblemFilter
    template_name = "environment/problem_list.html"
    page_title = "环境问题清单"

    def get_queryset(self):
        return super().get_queryset().for_list().order_by("-found_on", "-number")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.page_title
        context["can_create"] = may(self.request.user, "create", Problem)
        context["can_import"] = may(self.request.user, "import", Problem)
        context["ledger"] = ledger_links(context["query_string"])
        context["today"] = today()
        return context


class StubbornList(ProblemList):
    """顽固问题, listed apart: same category, same place, within 90 days of a closed one."""

    page_title = "顽固问题"

    def get_queryset(self):
        return super().get_queryset().stubborn().select_related("stubborn_of")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stubborn_page"] = True
        return context


def problem_context(request, problem, **forms):
    """Context of the problem page, with the forms of the steps this user may take."""
    user = request.user
    supervisor = may(user, "change", problem)
    editable = may(user, "rectify", problem)
    pending = problem.pending_rectification() if problem.status == ProblemStatus.PENDING else None
    context = {
        "problem": problem,
        "object": problem,
        "can_edit": supervisor,
        "can_void": may(user, "delete", problem),
        "can_reassign": not reassign_refusal(user, problem),
        "photos_found": [p for p in problem.photos.all() if p.kind == PhotoKind.FOUND],
        "rectifications": problem.rectifications.select_related(
            "submitted_by", "decided_by"
        ).prefetch_related("photos"),
        "rechecks": problem.rechecks.select_related("checked_by").prefetch_related("photos"),
        "history": timeline(problem),
        "pending": pending,
        "stubborn_followers": problem.stubborn_followers.all(),
    }
    if editable and problem.status == ProblemStatus.ASSIGNED:
        context["can_start"] = True
    if editable and problem.status in (ProblemStatus.ASSIGNED, ProblemStatus.RECTIFYING):
        context["submit_form"] = forms.get("submit_form") or RectificationForm()
    if pending and may(user, "decide", problem):
        if pending.submitted_by_id == user.pk:
            context["own_submission"] = True
        else:
            context["accept_form"] = forms.get("accept_form") or AcceptForm()
            context["reject_form"] = forms.get("reject_form") or RejectForm()
    if problem.status == ProblemStatus.CLOSED and may(user, "recheck", problem):
        context["recheck_form"] = forms.get("recheck_form") or RecheckForm()
    return context


class ProblemDetail(ScopedDetailView):
    model = Problem
    template_name = "environment/problem_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("township", "village", "category", "inspection", "stubborn_of")
            .prefetch_related("departments", "photos")
        )

    def get_context_data(self, **kwargs):
        return problem_context(self.request, self.object)


class ProblemVoid(VoidView):
    """作废 a problem recorded by mistake (supervisors, with a reason); kept in history."""

    model = Problem
    success_url_name = "environment:problem_list"


class InspectionVoid(VoidView):
    """作废 an inspection recorded by mistake, once none of its problems is in force."""

    model = Inspection
    success_url_name = "environment:inspection_list"


class AccountabilityVoid(VoidView):
    """作废 an accountability record entered by mistake; kept in history."""

    model = Accountability
    success_url_name = "environment:accountability_list"


def visible_problem(request, pk):
    return get_object_or_404(Problem.objects.visible_to(request.user), pk=pk)


class LoopStep(ActionStepView):
    """One step of the loop on a problem (its rule is a ``Problem`` method).

    The problem is locked and its state re-checked by the rule; on failure the problem
    page is shown again with the errors beside the step's fields (400 for the form, 409
    when the rule refused in the problem's current state).
    """

    model = Problem
    template_name = "environment/problem_detail.html"
    rule_errors = (LoopError,)

    def get_context_data(self, problem, form, **kwargs):
        forms = {self.form_name: form} if form is not None else {}
        return {**problem_context(self.request, problem, **forms), **kwargs}


class ProblemStart(LoopStep):
    """The responsible unit takes the problem up: 已交办 → 整改中."""

    permission_action = "rectify"

    def perform(self, form, problem):
        problem.start(self.request.user)
        return "已开始整改。"


class ProblemSubmit(LoopStep):
    """The responsible unit submits its rectification with after-photos: → 待验收."""

    permission_action = "rectify"

    form_class = RectificationForm
    form_name = "submit_form"

    def perform(self, form, problem):
        problem.submit(self.request.user, form.cleaned_data["note"], form.cleaned_data["photos"])
        return "整改情况已提交，等待督查单位验收。"


class ProblemAccept(LoopStep):
    """A supervisor (not the submitter) accepts: → 已销号."""

    permission_action = "decide"

    form_class = AcceptForm
    form_name = "accept_form"

    def perform(self, form, problem):
        problem.accept(self.request.user, form.cleaned_data.get("note", ""))
        return "验收通过，问题已销号。"


class ProblemReject(LoopStep):
    """A supervisor sends it back with a reason: → 整改中."""

    permission_action = "decide"

    form_class = RejectForm
    form_name = "reject_form"

    def perform(self, form, problem):
        problem.reject(self.request.user, form.cleaned_data["reason"])
        return "已退回整改，原因已告知责任单位。"


class ProblemRecheck(LoopStep):
    """回头看: still fine, or recurred (reopens the loop)."""

    permission_action = "recheck"

    form_class = RecheckForm
    form_name = "recheck_form"

    def perform(self, form, problem):
        data = form.cleaned_data
        problem.recheck(
            self.request.user,
            data["result"],
            data["note"],
            data.get("new_deadline"),
            data["photos"],
        )
        if problem.status == ProblemStatus.CLOSED:
            return "回头看已记录：巩固良好。"
        return f"回头看发现问题反弹，已重新交办（第 {problem.recurrence_count} 次反弹）。"


class ProblemReassign(LoopStep):
    """调整责任单位: a supervisor of none of the problem's units (before or after) moves it to
    another township or other departments (``reassign``, county.scoping); kept in history."""

    form_class = ProblemReassignForm
    form_template_name = "environment/form.html"
    template_name = None  # a refused form is its own page again

    def check(self, problem):
        refusal = reassign_refusal(self.request.user, problem)
        if refusal:
            raise PermissionDenied(refusal)

    def get_initial(self, problem):
        return {
            "township": problem.township,
            "village": problem.village,
            "departments": list(problem.departments.all()),
        }

    def get_context_data(self, problem, form, **kwargs):
        title = f"调整责任单位 第{problem.number}号"
        return {"object": problem, "form": form, "page_title": title, **kwargs}

    def perform(self, form, problem):
        data = form.cleaned_data
        problem.reassign(
            self.request.user,
            data["township"],
            data["departments"],
            data["reason"],
            village=data.get("village"),
        )
        return "责任单位已调整，已通知相关单位。"


problem_reassign = ProblemReassign.as_view()
problem_start = ProblemStart.as_view()
problem_submit = ProblemSubmit.as_view()
problem_accept = ProblemAccept.as_view()
problem_reject = ProblemReject.as_view()
problem_recheck = ProblemRecheck.as_view()


class ProblemCreate(SupervisorStep, CreateView):
    """A supervisor records a problem found by an inspection and assigns it."""

    model = Problem
    form_class = ProblemForm
    template_name = "environment/form.html"
    extra_context = {"page_title": "登记问题"}

    def get_initial(self):
        initial = super().get_initial()
        inspection = positive_id(self.request.GET.get("inspection"))
        if inspection:
            found = Inspection.objects.filter(pk=inspection).first()
            if found:
                initial.update(inspection=found, found_on=found.date)
        return initial

    @transaction.atomic
    def form_valid(self, form):
        self.object, stubborn = form.save_new(self.request.user)
        if stubborn:
            messages.warning(
                self.request, "注意：该问题为顽固问题（90日内同地点同类问题已销号后再次出现）。"
            )
        messages.success(self.request, f"问题已登记为第 {self.object.number} 号并交办。")
        return redirect(self.get_success_url())


class ProblemUpdate(VersionedUpdateMixin, SupervisorStep, UpdateView):
    """A supervisor corrects a problem's data (the loop's steps have their own buttons)."""

    permission_action = "change"

    model = Problem
    form_class = ProblemEditForm
    template_name = "environment/form.html"

    def get_queryset(self):
        return Problem.objects.editable_by(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"修改问题 第{self.object.number}号"
        return context

    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        for checked in form.cleaned_data["found_photos"]:
            Photo.create_from_upload(
                checked, problem=self.object, kind=PhotoKind.FOUND, user=self.request.user
            )
        self.object.refresh_stubborn()
        messages.success(self.request, "已保存。")
        return response


@login_required
def photo(request, pk, variant):
    """A photo, after the visibility check of its problem; ``variant`` is display or original."""
    if variant not in ("display", "original"):
        raise Http404
    photos = Photo.objects.visible_to(request.user).filter(problem__voided_at__isnull=True)
    item = get_object_or_404(photos, pk=pk)
    file = item.display if variant == "display" else item.original
    content_type = "image/jpeg" if variant == "display" else item.content_type
    response = FileResponse(file.open("rb"), content_type=content_type)
    if variant == "original":
        response["Content-Disposition"] = f'attachment; filename="photo-{item.pk}-original"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- inspections --------------------------------------------------------------
def _problem_count():
    """The problems in force of the inspection (OuterRef), 0 when none."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    counts = (
        Problem.objects.filter(inspection=OuterRef("pk"))
        .order_by()
        .values("inspection")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


class InspectionList(ScopedListView):
    model = Inspection
    filterset_class = InspectionFilter
    template_name = "environment/inspection_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related("townships")
            # A subquery per inspection shown, not a join and GROUP BY over every problem
            .annotate(problem_count=_problem_count())
            .order_by("-date", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = may(self.request.user, "create", Inspection)
        return context


class InspectionDetail(ScopedDetailView):
    model = Inspection
    template_name = "environment/inspection_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = may(self.request.user, "change", self.object)
        context["can_void"] = may(self.request.user, "delete", self.object)
        context["problems"] = (
            Problem.objects.visible_to(self.request.user)
            .filter(inspection=self.object)
            .for_list()
            .order_by("township__order", "number")
        )
        return context


class InspectionCreate(SupervisorStep, CreateView):
    model = Inspection
    form_class = InspectionForm
    template_name = "environment/form.html"
    extra_context = {"page_title": "登记检查"}

    def form_valid(self, form):
        messages.success(self.request, "检查已登记，可以继续登记发现的问题。")
        return super().form_valid(form)


class InspectionUpdate(VersionedUpdateMixin, SupervisorStep, UpdateView):
    permission_action = "change"
    model = Inspection
    form_class = InspectionForm
    template_name = "environment/form.html"
    extra_context = {"page_title": "修改检查"}


# --- categories ---------------------------------------------------------------
class CategoryList(LoginRequiredMixin, ListView):
    model = ProblemCategory
    template_name = "environment/category_list.html"

    def get_queryset(self):
        return ProblemCategory.objects.annotate(
            problem_count=Count("problems", filter=Q(problems__voided_at__isnull=True))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = may(self.request.user, "create", ProblemCategory)
        return context


class CategoryCreate(SupervisorStep, CreateView):
    model = ProblemCategory
    form_class = CategoryForm
    template_name = "environment/form.html"
    extra_context = {"page_title": "新增问题类别"}

    def get_success_url(self):
        messages.success(self.request, "问题类别已保存。")
        return reverse("environment:category_list")


class CategoryUpdate(CategoryCreate, UpdateView):
    permission_action = "change"
    extra_context = {"page_title": "修改问题类别"}


# --- accountability -----------------------------------------------------------
class AccountabilityList(ScopedListView):
    model = Accountability
    filterset_class = AccountabilityFilter
    template_name = "environment/accountability_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit")
            .prefetch_related(Prefetch("problems", Problem.objects.only("pk", "number")))
            .order_by("-date", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = may(self.request.user, "create", Accountability)
        return context


class AccountabilityDetail(ScopedDetailView):
    model = Accountability
    template_name = "environment/accountability_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = may(self.request.user, "change", self.object)
        context["can_void"] = may(self.request.user, "delete", self.object)
        context["problems"] = (
            Problem.objects.visible_to(self.request.user)
            .filter(accountabilities=self.object)
            .for_list()
        )
        return context


class AccountabilityCreate(SupervisorStep, CreateView):
    model = Accountability
    form_class = AccountabilityForm
    template_name = "environment/form.html"
    extra_context = {"page_title": "登记问责"}

    def form_valid(self, form):
        form.instance.created_by = self.request.user
        messages.success(self.request, "问责记录已保存。")
        return super().form_valid(form)


class AccountabilityUpdate(VersionedUpdateMixin, SupervisorStep, UpdateView):
    permission_action = "change"
    model = Accountability
    form_class = AccountabilityForm
    template_name = "environment/form.html"
    extra_context = {"page_title": "修改问责记录"}


# --- notices --------------------------------------------------------------------
def notice_period(request):
    """The period asked for (``start``/``end``), or everything found so far up to today."""
    form = NoticePeriodForm(request.GET or None)
    if request.GET and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    first = Problem.objects.order_by("found_on").values_list("found_on", flat=True).first()
    start, end = first or today().replace(month=1, day=1), max(today(), first or today())
    if not request.GET:
        form = NoticePeriodForm(initial={"start": start, "end": end})
    return form, start, end


def quick_periods(on):
    quarter_start = datetime.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
    return [
        ("本月", on.replace(day=1), on),
        ("本季度", quarter_start, on),
        ("本年", on.replace(month=1, day=1), on),
    ]


DRAFT_REFUSED = (
    "通报草稿（各乡镇数据、问题和问责情况）仅供督查单位和县领导查看；"
    "已印发的通报请在通报列表中查看。"
)


def issued_notices(user):
    """The issued notices ``user`` may read (``view`` of ``Notice``: every signed-in user)."""
    return restrict(Notice, user, "view").filter(status="issued")


@login_required
def notice(request):
    """The draft notice for a period: per township figures, ranking, serious and stubborn
    problems, accountability (``draft`` of ``Notice``: not one unit's staff)."""
    require(request.user, "draft", Notice, DRAFT_REFUSED)
    form, start, end = notice_period(request)
    figures = notice_figures(start, end)
    return render(
        request,
        "environment/notice.html",
        {
            "form": form,
            "figures": figures,
            "title": default_title(start, end),
            "can_issue": may(request.user, "create", Notice),
            "quick_periods": quick_periods(today()),
            "issued": issued_notices(request.user)[:10],
            "query_string": f"start={start:%Y-%m-%d}&end={end:%Y-%m-%d}",
        },
    )


@login_required
def notice_docx(request):
    """The Word draft of the notice (the same ``draft`` declaration as the page)."""
    require(request.user, "draft", Notice, DRAFT_REFUSED)
    _form, start, end = notice_period(request)
    content = build_docx(notice_figures(start, end))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    filename = f"environment-notice-{start:%Y%m%d}-{end:%Y%m%d}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def notice_list(request):
    """通报: the issued notices, for every unit; the draft's link for those who may read it."""
    return render(
        request,
        "environment/notice_list.html",
        {
            "notices": issued_notices(request.user),
            "can_draft": may(request.user, "draft", Notice),
        },
    )


@login_required
def notice_detail(request, pk):
    """An issued notice as it was issued: the content of its stored Word file."""
    item = get_object_or_404(issued_notices(request.user), pk=pk)
    return render(
        request,
        "environment/notice_detail.html",
        {"notice": item, "blocks": issued_content(item)},
    )


@login_required
def notice_issue(request):
    """Issue a notice: upload the edited Word file."""
    if not may(request.user, "create", Notice):
        raise PermissionDenied("只有督查单位可以印发通报。")
    _form, start, end = notice_period(request)
    if request.method == "POST":
        form = NoticeIssueForm(request.POST, request.FILES)
        if form.is_valid():
            item = form.save(commit=False)
            item.status = "issued"
            item.created_by = request.user
            item.save()
            messages.success(request, "通报已印发，各单位可在通报页面查看。")
            return redirect("environment:notice_detail", pk=item.pk)
    else:
        form = NoticeIssueForm(
            initial={
                "title": default_title(start, end),
                "period_start": start,
                "period_end": end,
                "issued_on": today(),
            }
        )
    return render(request, "environment/form.html", {"form": form, "page_title": "印发通报"})


@login_required
def notice_document(request, pk):
    """An issued notice's Word file (every signed-in user may read issued notices)."""
    item = get_object_or_404(issued_notices(request.user), pk=pk)
    if not item.document:
        raise Http404
    return FileResponse(
        item.document.open("rb"), as_attachment=True, filename=f"notice-{item.pk}.docx"
    )

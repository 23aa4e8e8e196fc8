"""Pages of the reform ledger: overview, ledger list, item page, progress and requests."""

from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import CreateView

from county.base_views import (
    ActionRequiredMixin,
    ActionStepView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
)
from county.concurrency import VersionedUpdateMixin
from county.evidence import CHECKED_CONTENT_TYPES
from county.figures_cache import cached
from county.history import timeline
from county.models import Unit
from county.scoping import may, reassign_refusal, require, restrict
from county.status import LIGHT_TONES, LIGHTS_WORST_FIRST, Light, today

from . import workflow
from .choices import ExperienceLevel, RequestStatus, Track
from .filtersets import ReformItemFilter, SubTaskFilter, task_light_q
from .forms import (
    CompletionRequestForm,
    DeadlineChangeForm,
    DecisionForm,
    InstructionForm,
    ItemEditForm,
    ItemForm,
    ItemReassignForm,
    ProgressForm,
    SubTaskEditForm,
    SubTaskForm,
    SubTaskReassignForm,
)
from .models import (
    Attachment,
    CompletionRequest,
    DeadlineChange,
    Experience,
    ProgressReport,
    ReformItem,
    SubTask,
)
from .registration import ITEM_ROLLUP, figures

LIGHT_ORDER = LIGHTS_WORST_FIRST


def _light_badge(light):
    return {"light": light, "tone": LIGHT_TONES[light], "label": light.label}


def _item_lights(items, on):
    """Each item's group, track and rolled-up light (the declared roll-up, county.status:
    the same rule as ``ReformItem.rollup``, the ``?light=`` filter and the cockpit), in one
    query: the sub-tasks are tested in SQL, not fetched (15,000 of them at ten times the demo)."""
    rows = (
        items.order_by()
        .annotate(rolled_up=ITEM_ROLLUP.annotation(ReformItem, on))
        .values("pk", "group_id", "group__name", "track", "rolled_up")
    )
    return [dict(row, light=Light(row["rolled_up"])) for row in rows]


def _with_rollup(items, on=None):
    for item in items:
        item.light, item.percent = item.rollup(on=on)
        item.badge = _light_badge(item.light)
    return items


class RolledUp:
    """A page of items rolled up when the template first reads them: not at all when the
    list's rows come from the cache (``{% cached_rows %}``)."""

    def __init__(self, items):
        self._items = items

    @cached_property
    def items(self):
        return _with_rollup(list(self._items))

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        return self.items[index]

    def __bool__(self):
        return bool(self.items)


@login_required
def overview(request):
    """改革总览: items by light per special group and per track, overdue by unit, experiences."""
    on = today()
    user = request.user
    # the three aggregates are cached until a reform record changes (county.figures_cache)
    items = cached(
        "reforms",
        "overview_item_lights",
        user,
        lambda: list(_item_lights(ReformItem.objects.visible_to(user), on)),
    )
    list_url = reverse("reforms:list")
    by_group, groups = defaultdict(Counter), {}
    by_track = defaultdict(Counter)
    for item in items:
        key = item["group_id"] or 0
        name = item["group__name"]
        groups[key] = name.removesuffix("专项小组") if name else "未分组"
        by_group[key][item["light"]] += 1
        by_track[item["track"]][item["light"]] += 1
    group_keys = sorted(groups, key=lambda k: (k == 0, k))
    overdue_by_unit = cached(
        "reforms",
        "overview_overdue_units",
        user,
        lambda: list(
            SubTask.objects.visible_to(user)
            .filter(task_light_q(Light.OVERDUE, on))
            .values("units", "units__name")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n", "units__name")[:15]
        ),
    )
    level_counts = cached(
        "reforms",
        "overview_levels",
        user,
        lambda: dict(
            Experience.objects.visible_to(user).values_list("level").annotate(n=Count("pk"))
        ),
    )
    charts = {
        "lights": [
            {"key": light.value, "label": light.label, "color": LIGHT_TONES[light].hex}
            for light in LIGHT_ORDER
        ],
        "groups": {
            "labels": [groups[k] for k in group_keys],
            "ids": [k for k in group_keys],
            "series": {
                light.value: [by_group[k][light] for k in group_keys] for light in LIGHT_ORDER
            },
        },
        "tracks": {
            "labels": [label for _, label in Track.choices],
            "ids": [value for value, _ in Track.choices],
            "series": {
                light.value: [by_track[value][light] for value, _ in Track.choices]
                for light in LIGHT_ORDER
            },
        },
        "units": {
            "labels": [row["units__name"] for row in overdue_by_unit],
            "ids": [row["units"] for row in overdue_by_unit],
            "values": [row["n"] for row in overdue_by_unit],
            "color": LIGHT_TONES[Light.OVERDUE].hex,
        },
        "levels": [
            {"name": label, "value": level_counts.get(value, 0), "key": value}
            for value, label in ExperienceLevel.choices
        ],
        "urls": {
            "list": list_url,
            "tasks": reverse("reforms:tasks"),
            "experiences": reverse("reforms:experiences"),
        },
    }
    light_totals = Counter(item["light"] for item in items)
    return render(
        request,
        "reforms/overview.html",
        {
            "figures": figures(request.user),
            "charts": charts,
            "light_totals": [(_light_badge(light), light_totals[light]) for light in LIGHT_ORDER],
            "experience_total": sum(level_counts.values()),
            "active": "overview",
        },
    )


class ItemList(ScopedListView):
    """改革台账: items with their lights, filterable, exportable as the Excel ledger."""

    model = ReformItem
    filterset_class = ReformItemFilter
    template_name = "reforms/item_list.html"
    paginate_by = 30

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("group", "lead_leader", "lead_unit")
            .prefetch_related(
                Prefetch(
                    "subtasks",
                    queryset=SubTask.objects.only(
                        "item_id", "deadline", "long_term", "status", "percent"
                    ),
                )
            )
            .order_by("year", "number")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = RolledUp(context["object_list"])
        context["can_import"] = may(self.request.user, "import", ReformItem)
        context["active"] = "list"
        return context


class TaskList(ScopedListView):
    """细分任务: every sub-task with its light, e.g. all overdue ones."""

    model = SubTask
    filterset_class = SubTaskFilter
    template_name = "reforms/task_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("item", "item__lead_leader")
            .prefetch_related("units")
            # item_id, not item__number: the index (deadline, item, order) serves the page,
            # where the joined column made PostgreSQL sort every sub-task (items are numbered
            # in the order the ledger lists them)
            .order_by("deadline", "item_id", "order")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on = today()
        for task in context["object_list"]:
            task.badge = _light_badge(task.light(on))
        context["active"] = "tasks"
        return context


class ItemDetail(ScopedDetailView):
    """One item: sub-tasks, requests, progress timeline, attachments, 批示, history."""

    model = ReformItem
    template_name = "reforms/item_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("group", "lead_leader", "lead_unit")
            .prefetch_related("co_units")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, user, on = self.object, self.request.user, today()
        tasks = list(item.subtasks.prefetch_related("units", *request_prefetches(user)))
        # Another unit's sub-task is shown as its name and status line only (issue 10):
        # the lead unit of the item sees all its sub-tasks, a co-unit only its own.
        readable = set(restrict(item.subtasks.all(), user, "view").values_list("pk", flat=True))
        reportable = set(restrict(item.subtasks.all(), user, "report").values_list("pk", flat=True))
        movable = set(restrict(item.subtasks.all(), user, "reassign").values_list("pk", flat=True))
        for task in tasks:
            task.can_reassign = task.pk in movable
            task.badge = _light_badge(task.light(on))
            task.full = task.pk in readable
            task.can_report = task.pk in reportable and not task.is_done
            with_requests(task)
        item.light, item.percent = item.rollup(tasks, on)
        reports = (
            restrict(ProgressReport.objects.filter(subtask__item=item), user, "view")
            .select_related("subtask", "author", "unit")
            .prefetch_related("attachments")[:100]
        )
        context.update(
            {
                "tasks": tasks,
                "badge": _light_badge(item.light),
                "reports": reports,
                "instructions": item.instructions.select_related("leader"),
                "experiences": restrict(item.experiences.all(), user, "view")[:20],
                "history": timeline(
                    item, SubTask.history.filter(item_id=item.pk, id__in=readable), limit=60
                ),
                "can_manage": may(user, "change", item),
                "can_reassign": not reassign_refusal(user, item),
                "instruction_form": InstructionForm(),
                "decision_form": DecisionForm(),
                "active": "list",
            }
        )
        return context


def request_prefetches(user):
    """Every request on the sub-tasks that ``user`` may see (a unit sees only its own)."""
    people = ("requested_by__unit", "decided_by")
    return [
        Prefetch(
            "deadline_changes",
            queryset=DeadlineChange.objects.visible_to(user).select_related(*people),
            to_attr="deadline_list",
        ),
        Prefetch(
            "completion_requests",
            queryset=CompletionRequest.objects.visible_to(user)
            .select_related(*people)
            .prefetch_related("attachments"),
            to_attr="completion_list",
        ),
    ]


def with_requests(task):
    """The task's requests, newest first, and the pending ones (for the decide buttons)."""
    for request in [*task.completion_list, *task.deadline_list]:
        request.key = f"{request._meta.model_name}:{request.pk}"
        request.is_deadline = isinstance(request, DeadlineChange)
    task.pending_completion = [r for r in task.completion_list if r.is_pending]
    task.pending_deadline = [r for r in task.deadline_list if r.is_pending]
    task.requests = sorted(
        [*task.completion_list, *task.deadline_list],
        key=lambda r: (r.requested_at, r.pk),
        reverse=True,
    )
    latest = task.requests[0] if task.requests else None
    task.sent_back = latest if latest and latest.status == RequestStatus.REJECTED else None
    return task


@login_required
def subtask(request, pk):
    """A sub-task's own address (used by 我的待办 and reminders): its place on the item page."""
    task = get_object_or_404(SubTask.objects.visible_to(request.user), pk=pk)
    return redirect(reverse("reforms:item", args=[task.item_id]) + f"#task-{task.pk}")


class TaskStep(ActionStepView):
    """A form page about one sub-task (填报进展, 申请调整时限, 申请完成) of the unit's staff.

    The rule (``reforms.workflow``) locks the sub-task, re-checks its state and refuses with
    a Chinese message; the form page is shown again with the errors (400, or 409 when the
    rule refused).
    """

    model = SubTask
    permission_action = "report"
    permission_denied_message = "只有该任务的责任单位才能填报进展或提出申请。"
    form_template_name = "reforms/task_form.html"
    rule_errors = (workflow.WorkflowError, ValidationError)
    title = ""

    def get_queryset(self):
        return super().get_queryset().select_related("item")

    def get_context_data(self, task, form, **kwargs):
        return {
            "task": task,
            "form": form,
            "title": self.title,
            "badge": _light_badge(task.light()),
            **kwargs,
        }

    def get_success_url(self, task):
        return workflow.task_url(task)


class ReportProgress(TaskStep):
    form_class = ProgressForm
    title = "填报进展"

    def get_initial(self, task):
        return {"percent": task.percent}

    def perform(self, form, task):
        data = form.cleaned_data
        workflow.report_progress(
            task, self.request.user, data["text"], data["percent"], data["files"]
        )
        return "进展已报送。"


class RequestDeadline(TaskStep):
    form_class = DeadlineChangeForm
    title = "申请调整完成时限"

    def get_form_kwargs(self, task):
        return {**super().get_form_kwargs(task), "subtask": task}

    def perform(self, form, task):
        data = form.cleaned_data
        workflow.request_deadline_change(
            task, self.request.user, data["new_deadline"], data["long_term"], data["reason"]
        )
        return "时限调整申请已提交，等待县委改革办审核。"


class RequestCompletion(TaskStep):
    form_class = CompletionRequestForm
    title = "申请完成销号"

    def perform(self, form, task):
        data = form.cleaned_data
        workflow.request_completion(task, self.request.user, data["reason"], data["files"])
        return "完成申请已提交，等待县委改革办验收。"


report_progress = ReportProgress.as_view()
request_deadline = RequestDeadline.as_view()
request_completion = RequestCompletion.as_view()


class DecideStep(ActionStepView):
    """A supervisor accepts or sends back a request from the item page (POST only).

    On failure the item page is shown again with the error beside that request.
    """

    permission_action = "decide"  # never the request's own unit (county.scoping)
    form_class = DecisionForm
    form_name = "decision_form"
    template_name = "reforms/item_detail.html"
    rule_errors = (workflow.WorkflowError,)
    decide = None  # workflow.decide_completion or workflow.decide_deadline_change

    def get_queryset(self):
        return super().get_queryset().select_related("subtask")

    def perform(self, form, request):
        data = form.cleaned_data
        result = type(self).decide(request.pk, self.request.user, data["approve"], data["note"])
        return f"{result._meta.verbose_name}{result.get_status_display()}：{result.subtask}"

    def get_success_url(self, request):
        return workflow.task_url(request.subtask)

    def get_context_data(self, request, form, **kwargs):
        page = ItemDetail()
        page.setup(self.request, pk=request.subtask.item_id)
        page.object = page.get_object()
        context = page.get_context_data(object=page.object)
        failed = f"{request._meta.model_name}:{request.pk}"
        context.update({"decision_form": form, "failed_key": failed, **kwargs})
        return context


class DecideDeadline(DecideStep):
    model = DeadlineChange
    decide = staticmethod(workflow.decide_deadline_change)


class DecideCompletion(DecideStep):
    model = CompletionRequest
    decide = staticmethod(workflow.decide_completion)


decide_deadline = DecideDeadline.as_view()
decide_completion = DecideCompletion.as_view()


@login_required
def add_instruction(request, pk):
    item = get_object_or_404(ReformItem.objects.visible_to(request.user), pk=pk)
    if request.method != "POST":
        return redirect("reforms:item", pk=pk)
    require(request.user, "instruct", item, "只有县级领导可以作出批示。")
    form = InstructionForm(request.POST)
    if form.is_valid():
        try:
            workflow.give_instruction(
                item, request.user, form.cleaned_data["text"], form.cleaned_data["given_on"]
            )
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "批示已记录。")
    else:
        messages.error(request, "请填写批示内容和日期。")
    return redirect(reverse("reforms:item", args=[pk]) + "#instructions")


@login_required
def attachment(request, pk):
    """Evidence is served only to those who may see its sub-task."""
    file = get_object_or_404(Attachment.objects.select_related("report", "completion"), pk=pk)
    if not file.owner.is_visible_to(request.user):
        raise Http404
    # The type found by county.evidence's check, never guessed from the name.
    content_type = file.content_type
    if content_type not in CHECKED_CONTENT_TYPES:  # stored before files were checked
        content_type = "application/octet-stream"
    return FileResponse(
        file.file.open("rb"), as_attachment=True, filename=file.name, content_type=content_type
    )


class LedgerKeeper(ActionRequiredMixin):
    """Items and sub-tasks are kept by 县委改革办's supervisors (``permissions``)."""

    permission_denied_message = "只有县委改革办督查人员可以编辑台账。"


class ItemCreate(LedgerKeeper, CreateView):
    model = ReformItem
    form_class = ItemForm
    template_name = "reforms/item_form.html"

    def get_initial(self):
        last = ReformItem.objects.order_by("-year", "-number").first()
        year = last.year if last else today().year
        number = (last.number + 1) if last else 1
        return {"year": year, "number": number}

    def form_valid(self, form):
        messages.success(self.request, "改革任务已创建，请添加细分任务。")
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("reforms:item", args=[self.object.pk])


class ItemUpdate(VersionedUpdateMixin, LedgerKeeper, ScopedUpdateView):
    """An item's data; its units change only through :class:`ItemReassign`."""

    permission_action = "change"
    model = ReformItem
    form_class = ItemEditForm
    template_name = "reforms/item_form.html"

    @transaction.atomic
    def post(self, request, *args, **kwargs):
        ReformItem.objects.select_for_update().filter(pk=kwargs["pk"]).first()
        return super().post(request, *args, **kwargs)

    def get_success_url(self):
        messages.success(self.request, "已保存。")
        return reverse("reforms:item", args=[self.object.pk])


class SubTaskCreate(LedgerKeeper, CreateView):
    model = SubTask
    form_class = SubTaskForm
    template_name = "reforms/subtask_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.item = get_object_or_404(ReformItem, pk=kwargs["item"])
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["units"].queryset = Unit.objects.filter(is_active=True)
        return form

    def form_valid(self, form):
        form.instance.item = self.item
        form.instance.order = self.item.subtasks.count() + 1
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(item=self.item, **kwargs)

    def get_success_url(self):
        return reverse("reforms:item", args=[self.item.pk]) + f"#task-{self.object.pk}"


class SubTaskUpdate(VersionedUpdateMixin, LedgerKeeper, ScopedUpdateView):
    """A sub-task's data; its units change through :class:`SubTaskReassign`, its status
    through 申请完成 and its decision."""

    permission_action = "change"
    model = SubTask
    form_class = SubTaskEditForm
    template_name = "reforms/subtask_form.html"

    @transaction.atomic
    def post(self, request, *args, **kwargs):
        SubTask.objects.select_for_update().filter(pk=kwargs["pk"]).first()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(item=self.object.item, **kwargs)

    def get_success_url(self):
        messages.success(self.request, "已保存。")
        return reverse("reforms:item", args=[self.object.item_id]) + f"#task-{self.object.pk}"


class ReassignStep(ActionStepView):
    """调整责任单位 (``reassign``, county.scoping): a supervisor other than the work's own units
    moves it to other units; the rule (``reforms.workflow``) checks again under the lock and
    refuses moving it to his own unit (403)."""

    permission_action = "reassign"
    form_template_name = "reforms/reassign_form.html"
    rule_errors = (workflow.WorkflowError, ValidationError)
    title = "调整责任单位"

    def check(self, obj):
        refusal = reassign_refusal(self.request.user, obj)
        if refusal:
            raise PermissionDenied(refusal)

    def get_context_data(self, obj, form, **kwargs):
        return {"object": obj, "form": form, "title": self.title, **kwargs}


class SubTaskReassign(ReassignStep):
    model = SubTask
    form_class = SubTaskReassignForm

    def get_queryset(self):
        return super().get_queryset().select_related("item")

    def get_initial(self, task):
        return {"units": list(task.units.all())}

    def perform(self, form, task):
        data = form.cleaned_data
        workflow.reassign_subtask(task, self.request.user, data["units"], data["reason"])
        return "责任单位已调整。"

    def get_context_data(self, task, form, **kwargs):
        return super().get_context_data(task, form, item=task.item, **kwargs)

    def get_success_url(self, task):
        return workflow.task_url(task)


class ItemReassign(ReassignStep):
    model = ReformItem
    form_class = ItemReassignForm
    title = "调整牵头单位和责任单位"

    def get_initial(self, item):
        return {"lead_unit": item.lead_unit, "co_units": list(item.co_units.all())}

    def perform(self, form, item):
        data = form.cleaned_data
        workflow.reassign_item(
            item, self.request.user, data["lead_unit"], data["co_units"], data["reason"]
        )
        return "牵头单位和责任单位已调整。"

    def get_context_data(self, item, form, **kwargs):
        return super().get_context_data(item, form, item=item, **kwargs)

    def get_success_url(self, item):
        return reverse("reforms:item", args=[item.pk])


subtask_reassign = SubTaskReassign.as_view()
item_reassign = ItemReassign.as_view()

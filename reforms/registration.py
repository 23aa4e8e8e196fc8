"""How the reform ledger plugs into county/: dated work, cockpit figures, ledger, demo."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.urls import reverse

from county.registry import NONE_LATE, RATE_THRESHOLD, DatedWork, Figure, Workstream, registry
from county.status import Light, RollUp, StatusRules, today

from .choices import FollowUpStatus, TaskStatus

# The state inputs, declared once: a sub-task is done when 已完成, long-term work has no
# deadline; an item takes the worst light of its sub-tasks (正常 while it has none).
SUBTASK_STATUS = StatusRules(deadline="deadline", closed=(TaskStatus.DONE,), long_term="long_term")
ITEM_ROLLUP = RollUp(parts="subtasks", rules=SUBTASK_STATUS)
# A 后半篇文章 problem: rectified (已整改) waits for its 回头看, which closes it.
FOLLOW_UP_STATUS = StatusRules(
    deadline="deadline",
    closed=(FollowUpStatus.RECHECKED,),
    waiting=(FollowUpStatus.RECTIFIED,),
    undated=None,
)


def figures(user):
    from .models import Experience, ReformItem, SubTask

    on = today()
    tasks = SubTask.objects.visible_to(user)
    total = tasks.count()
    done = tasks.filter(SUBTASK_STATUS.light_q(Light.DONE, on)).count()
    task_list = reverse("reforms:tasks")
    return [
        Figure("改革任务", ReformItem.objects.visible_to(user).count(), reverse("reforms:list")),
        Figure(
            "逾期细分任务",
            tasks.filter(SUBTASK_STATUS.light_q(Light.OVERDUE, on)).count(),
            f"{task_list}?light=overdue",
            threshold=NONE_LATE,
        ),
        Figure(
            "临期细分任务",
            tasks.filter(SUBTASK_STATUS.light_q(Light.DUE_SOON, on)).count(),
            f"{task_list}?light=due_soon",
            "warning",
        ),
        Figure(
            "细分任务完成率",
            f"{round(done * 100 / total)}%" if total else "—",  # no task: nothing to judge
            f"{task_list}?light=done",
            threshold=RATE_THRESHOLD,
        ),
        Figure(
            "典型经验刊载",
            Experience.objects.visible_to(user).count(),
            reverse("reforms:experiences"),
            "info",
        ),
    ]


def load_demo(stdout):
    """Import the demo ledger once (it is the sample ledger of 2023)."""
    from pathlib import Path

    from .models import ReformItem

    if ReformItem.objects.exists():
        return
    from .demo_data import load

    load(Path(__file__).parent / "demo" / "reform_ledger_2023.xlsx", stdout)


def _item_of(subtask):
    item = subtask.item
    return f"{item.number}. {item.title}"


def _files(request):
    return [(a.name, reverse("reforms:attachment", args=[a.pk])) for a in request.attachments.all()]


def _asked(row, detail, files=()):
    asker = row.requested_by
    return {
        "title": row.subtask.name,
        "parent_label": "改革任务",
        "parent": _item_of(row.subtask),
        "unit": asker.unit.name if asker.unit_id else "",
        "asker": str(asker),
        "detail": detail,
        "files": files,
    }


def _sent_back(row):
    return {
        "title": row.subtask.name,
        "parent_label": "改革任务",
        "parent": _item_of(row.subtask),
        "reason": row.decision_note,
        "by": str(row.decided_by) if row.decided_by_id else "",
        "at": row.decided_at,
    }


def _not_asked_again(model):
    """Sent back, the task not done, and no newer request of the same kind on it."""
    from django.db.models import Exists, OuterRef

    from .choices import RequestStatus

    newer = model.objects.filter(subtask=OuterRef("subtask"), pk__gt=OuterRef("pk"))
    return Q(status=RequestStatus.REJECTED) & ~Q(subtask__status=TaskStatus.DONE) & ~Exists(newer)


def decisions():
    """What waits for the reform office (县委改革办): 申请完成, 申请调整时限, 回头看."""
    from county.registry import Decision
    from county.status import today

    from . import records, workflow
    from .choices import RecheckResult, RequestStatus
    from .models import CompletionRequest, DeadlineChange, FollowUpProblem, Recheck

    def completion(row):
        return _asked(row, f"完成情况说明：{row.reason}", _files(row))

    def deadline(row):
        return _asked(row, f"申请时限：{row.old_text} → {row.new_text}\n理由：{row.reason}")

    def decide(function, approve):
        def run(row, user, note):
            try:
                result = function(row.pk, user, approve, note)
            except workflow.WorkflowError as error:
                raise ValidationError(str(error)) from error
            kind = result._meta.verbose_name
            return f"{kind}{result.get_status_display()}：{result.subtask}"

        return run

    def followup(row):
        asker = row.rectified_by
        return {
            "title": f"后半篇文章第{row.number}号：{row.problem}",
            "parent_label": "领域",
            "parent": row.area,
            "unit": asker.unit.name if asker and asker.unit_id else row.lead_unit.name,
            "asker": str(asker) if asker else "",
            "detail": f"整改情况：{row.rectified_note}" if row.rectified_note else "",
        }

    def recheck(result):
        def run(row, user, note):
            records.add_recheck(row, user, today(), result, note)
            if result == RecheckResult.RECURRED:
                return f"后半篇文章第{row.number}号：问题反弹，已退回整改。"
            return f"后半篇文章第{row.number}号：回头看通过。"

        return run

    def followup_sent_back(row):
        last = next((r for r in row.rechecks.all() if r.result == RecheckResult.RECURRED), None)
        return {
            "title": f"后半篇文章第{row.number}号：{row.problem}",
            "parent_label": "领域",
            "parent": row.area,
            "reason": last.note if last else "",
            "by": str(last.checked_by) if last else "",
            "at": last.checked_on if last else None,
        }

    pending = Q(status=RequestStatus.PENDING)
    people = ("subtask__item", "requested_by__unit", "decided_by")
    return [
        Decision(
            key="reforms.completion",
            label="申请完成销号",
            model=CompletionRequest,
            waiting=pending,
            asked_by="requested_by",
            asked_at="requested_at",
            describe=completion,
            url=lambda row: workflow.task_url(row.subtask),
            accept=decide(workflow.decide_completion, True),
            send_back=decide(workflow.decide_completion, False),
            leader_path="subtask__item__lead_leader",
            related=people,
            prefetch=("attachments",),
            accept_label="同意销号",
            sent_back=_not_asked_again(CompletionRequest),
            sent_back_unit="requested_by__unit",
            sent_back_at="decided_at",
            sent_back_related=people,
            describe_sent_back=_sent_back,
        ),
        Decision(
            key="reforms.deadline",
            label="申请调整时限",
            model=DeadlineChange,
            waiting=pending,
            asked_by="requested_by",
            asked_at="requested_at",
            describe=deadline,
            url=lambda row: workflow.task_url(row.subtask),
            accept=decide(workflow.decide_deadline_change, True),
            send_back=decide(workflow.decide_deadline_change, False),
            leader_path="subtask__item__lead_leader",
            related=people,
            accept_label="同意调整",
            sent_back=_not_asked_again(DeadlineChange),
            sent_back_unit="requested_by__unit",
            sent_back_at="decided_at",
            sent_back_related=people,
            describe_sent_back=_sent_back,
        ),
        Decision(
            key="reforms.followup",
            label="后半篇文章回头看",
            model=FollowUpProblem,
            waiting=Q(status=FollowUpStatus.RECTIFIED),
            asked_by="rectified_by",
            asked_at="rectified_at",
            describe=followup,
            url=lambda row: reverse("reforms:followup", args=[row.pk]),
            accept=recheck(RecheckResult.FINE),
            send_back=recheck(RecheckResult.RECURRED),
            leader_path="item__lead_leader",
            related=("lead_unit", "rectified_by__unit"),
            accept_label="回头看通过",
            send_back_label="问题反弹，退回整改",
            note_label="情况说明",
            sent_back=Q(status=FollowUpStatus.RECTIFYING)
            & Q(pk__in=Recheck.objects.filter(result=RecheckResult.RECURRED).values("problem")),
            sent_back_unit="lead_unit",
            describe_sent_back=followup_sent_back,
            sent_back_prefetch=(
                Prefetch("rechecks", queryset=Recheck.objects.select_related("checked_by")),
            ),
        ),
    ]


def register():
    from . import measures
    from .cockpit import cockpit, instructions
    from .demo import scale as demo_scale
    from .ledger import ReformLedger
    from .models import SubTask

    registry.register(
        Workstream(
            key="reforms",
            label="全面深化改革",
            url_name="reforms:overview",
            icon="bi-journal-check",
            order=10,
            dated_work=[
                DatedWork(
                    key="reforms.subtask",
                    label="改革细分任务",
                    model=SubTask,
                    status=SUBTASK_STATUS,
                    title_field="name",
                    url_name="reforms:subtask",
                    list_url_name="reforms:tasks",
                    leader_path="item__lead_leader",
                    select_related=("item",),
                    describe=lambda task: f"改革任务：{task.item}",
                )
            ],
            decisions=decisions(),
            figures=figures,
            cockpit=cockpit,
            instructions=instructions,
            ledger=ReformLedger(),
            load_demo=load_demo,
            seed_scale=demo_scale.build,
            scale_pages=demo_scale.pages,
            unit_measures=measures.unit_measures,
            unit_measure_links=measures.unit_measure_links,
            weekly=measures.weekly,
            urls="reforms.urls",
            api_urls="reforms.api.urls",
        )
    )

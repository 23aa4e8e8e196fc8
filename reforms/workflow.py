"""The reform ledger's rules of who may do what, in one place the pages and the API share.

Staff of a responsible unit report progress and ask for a deadline change or for
completion; a supervisor of reforms decides; the one who asks never decides;
leaders write instructions. A sub-task's status moves only through these steps, and its
units (an item's lead and co units) only through ``reassign_*`` — never by a plain edit
(issue 20), and never by the decider of his own unit's work. Each function raises
WorkflowError with a Chinese message when the rule says no.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from county.events import notify, record_decision, staff_of, supervisors_of
from county.scoping import decide_refusal, may, require_reassign
from county.templatetags.dates import cn_date

from .choices import RequestStatus, TaskStatus
from .models import (
    Attachment,
    CompletionRequest,
    DeadlineChange,
    Instruction,
    ProgressReport,
    ReformItem,
    SubTask,
)

WORKSTREAM = "reforms"


class WorkflowError(Exception):
    """A rule of the ledger refused the action; the message says why, in Chinese."""


def can_report(user, subtask):
    """Staff of the sub-task's units (or of the item's lead unit), supervisors, admins."""
    return may(user, "report", subtask)


def can_decide(user):
    """Whether ``user`` decides requests at all (not which: ``decide_refusal`` per request)."""
    return may(user, "decide", CompletionRequest)


def _require_report(user, subtask):
    if not can_report(user, subtask):
        raise WorkflowError("只有该任务的责任单位才能填报进展或提出申请。")


@transaction.atomic
def report_progress(subtask, user, text, percent, files=()):
    """Append a progress report (with attachments); it becomes the sub-task's 工作进展."""
    _require_report(user, subtask)
    subtask = SubTask.objects.select_for_update().get(pk=subtask.pk)
    if subtask.status == TaskStatus.DONE:
        raise WorkflowError("该任务已完成销号，不能再填报进展。")
    report = ProgressReport.objects.create(
        subtask=subtask, text=text, percent=percent, author=user, unit=user.unit
    )
    _attach(files, report=report)
    subtask.progress = text
    subtask.percent = percent
    fields = ["progress", "percent"]
    if subtask.status == TaskStatus.NOT_STARTED:
        subtask.status = TaskStatus.IN_PROGRESS
        fields.append("status")
    subtask.save(update_fields=fields)
    return report


def _attach(files, **owner):
    """Store checked evidence (``county.evidence.CheckedFile``) under generated names."""
    for checked in files:
        Attachment.objects.create(
            **owner,
            file=checked.as_file(),
            name=checked.name[:255],
            size=checked.size,
            content_type=checked.content_type,
        )


def task_url(subtask):
    return reverse("reforms:item", args=[subtask.item_id]) + f"#task-{subtask.pk}"


def _item_line(subtask):
    item = subtask.item
    return f"改革任务：{item.number}. {item.title}\n细分任务：{subtask.name}"


def _asked(request, what, detail):
    """Tell the reform office's supervisors that a unit asks for a decision."""
    subtask, user = request.subtask, request.requested_by
    unit = user.unit.name if user.unit_id else ""
    notify(
        f"reforms.{what}.requested",
        supervisors_of(WORKSTREAM),
        f"{unit}{request._meta.verbose_name}待审核：{subtask.name}"[:200],
        f"{_item_line(subtask)}\n申请人：{user}（{unit}）\n{detail}\n请在“待我审核”中处理。",
        reverse("county:inbox"),
        actor=user,
    )


def _told_decision(request, user, approve):
    """Tell the asking unit's staff what was decided, with the reason."""
    subtask = request.subtask
    verdict = "已同意" if approve else "被退回"
    kind = request._meta.verbose_name
    body = f"{_item_line(subtask)}\n审核人：{user}（{user.affiliation}）"
    if request.decision_note:
        body += f"\n{'审核意见' if approve else '退回原因'}：{request.decision_note}"
    asker = request.requested_by
    notify(
        f"reforms.{request._meta.model_name}.{'accepted' if approve else 'sent_back'}",
        [asker, staff_of(asker.unit_id)],
        f"{kind}{verdict}：{subtask.name}"[:200],
        body,
        task_url(subtask),
        actor=user,
    )
    record_decision(
        user,
        f"{kind}：{subtask.name}",
        f"{verdict}（{_item_line(subtask).replace(chr(10), '；')}）"
        + (f"；意见：{request.decision_note}" if request.decision_note else ""),
    )


def _no_pending(queryset, what):
    if queryset.filter(status=RequestStatus.PENDING).exists():
        raise WorkflowError(f"该任务已有待审核的{what}，请等待督查人员审核。")


@transaction.atomic
def request_deadline_change(subtask, user, new_deadline, long_term, reason):
    _require_report(user, subtask)
    subtask = SubTask.objects.select_for_update().get(pk=subtask.pk)
    if subtask.status == TaskStatus.DONE:
        raise WorkflowError("已完成的任务不能申请调整时限。")
    _no_pending(subtask.deadline_changes, "时限调整申请")
    change = DeadlineChange.objects.create(
        subtask=subtask,
        old_deadline=subtask.deadline,
        new_deadline=None if long_term else new_deadline,
        new_long_term=long_term,
        reason=reason,
        requested_by=user,
    )
    _asked(change, "deadline", f"申请调整为：{change.new_text}\n调整理由：{reason}")
    return change


@transaction.atomic
def request_completion(subtask, user, reason, files=()):
    """申请完成销号, with optional evidence (checked by the form) attached to the request."""
    _require_report(user, subtask)
    subtask = SubTask.objects.select_for_update().select_related("item").get(pk=subtask.pk)
    if subtask.status == TaskStatus.DONE:
        raise WorkflowError("该任务已经完成。")
    _no_pending(subtask.completion_requests, "完成申请")
    request = CompletionRequest.objects.create(subtask=subtask, reason=reason, requested_by=user)
    _attach(files, completion=request)
    evidence = f"\n佐证材料：{len(files)} 个文件" if files else ""
    _asked(request, "completion", f"完成情况说明：{reason}{evidence}")
    return request


def _decide(model, pk, user, approve, note):
    if not can_decide(user):
        raise WorkflowError("只有县委改革办督查人员可以审核。")
    request = (
        model.objects.select_for_update(of=("self",))
        .select_related("subtask__item", "requested_by")
        .get(pk=pk)
    )
    if request.status != RequestStatus.PENDING:
        raise WorkflowError("该申请已经审核过了。")
    if request.requested_by_id == user.pk:
        raise WorkflowError("申请人不能审核自己的申请。")
    refusal = decide_refusal(user, request)  # never the sub-task's own unit
    if refusal:
        raise WorkflowError(refusal)
    if not approve and not note.strip():
        raise WorkflowError("退回时必须填写退回理由。")
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save()
    _told_decision(request, user, approve)
    return request


@transaction.atomic
def decide_deadline_change(pk, user, approve, note=""):
    request = _decide(DeadlineChange, pk, user, approve, note)
    if approve:
        subtask = SubTask.objects.select_for_update().get(pk=request.subtask_id)
        subtask.deadline = request.new_deadline
        subtask.long_term = request.new_long_term
        subtask.save(update_fields=["deadline", "long_term"])
    return request


@transaction.atomic
def decide_completion(pk, user, approve, note=""):
    request = _decide(CompletionRequest, pk, user, approve, note)
    if approve:
        subtask = SubTask.objects.select_for_update().get(pk=request.subtask_id)
        subtask.status = TaskStatus.DONE
        subtask.percent = 100
        subtask.completed_on = timezone.localdate()
        subtask.save(update_fields=["status", "percent", "completed_on"])
    return request


def can_instruct(user, item=ReformItem):
    """批示 are a county leader's (``instruct``, declared on ``ReformItem``)."""
    return may(user, "instruct", item)


def give_instruction(item, user, text, given_on):
    """A leader's 批示 on an item; the staff of the item's units are told."""
    if not can_instruct(user, item):
        raise WorkflowError("只有县级领导可以作出批示。")
    instruction = Instruction.objects.create(
        item=item, leader=user.leader, text=text, given_on=given_on, created_by=user
    )
    units = {item.lead_unit_id, *item.co_units.values_list("pk", flat=True)}
    units |= set(
        SubTask.units.through.objects.filter(subtask__item=item).values_list("unit_id", flat=True)
    )
    notify(
        "reforms.instruction",
        staff_of(*units),
        f"{user.leader.name}批示：{item.number}. {item.title}"[:200],
        f"{user.leader.name}（{user.leader.title}）{cn_date(given_on)}批示：\n{text}",
        reverse("reforms:item", args=[item.pk]) + "#instructions",
        actor=user,
    )
    return instruction


def _reassigned(record, user, reason):
    """Mark the history rows the reassignment writes with who did it and why."""
    record._history_user = user
    record._change_reason = f"调整责任单位：{reason}"[:100]


@transaction.atomic
def reassign_subtask(subtask, user, units, reason):
    """调整责任单位 of a sub-task (``reassign``, county.scoping): not by a supervisor of one of
    its units (or its item's lead unit), nor to his own unit."""
    unit_ids = {unit.pk for unit in units}
    require_reassign(user, subtask, unit_ids)
    subtask = SubTask.objects.select_for_update().get(pk=subtask.pk)
    require_reassign(user, subtask, unit_ids)  # its units as they are now, under the lock
    if not unit_ids:
        raise WorkflowError("请至少选择一个责任单位。")
    if unit_ids == set(subtask.units.values_list("pk", flat=True)):
        raise WorkflowError("责任单位没有变化。")
    _reassigned(subtask, user, reason)
    subtask.save()  # a version and a history row, then the units' change
    subtask.units.set(unit_ids)
    return subtask


@transaction.atomic
def reassign_item(item, user, lead_unit, co_units, reason):
    """调整牵头单位/责任单位 of an item, with the same separation as a sub-task's units."""
    co_ids = {unit.pk for unit in co_units}
    new_ids = co_ids | ({lead_unit.pk} if lead_unit else set())
    require_reassign(user, item, new_ids)
    item = ReformItem.objects.select_for_update().get(pk=item.pk)
    require_reassign(user, item, new_ids)
    if lead_unit is None:
        raise WorkflowError("请选择牵头单位。")
    if item.lead_unit_id == lead_unit.pk and co_ids == set(
        item.co_units.values_list("pk", flat=True)
    ):
        raise WorkflowError("牵头单位和责任单位没有变化。")
    _reassigned(item, user, reason)
    item.lead_unit = lead_unit
    item.save()
    item.co_units.set(co_ids)
    return item

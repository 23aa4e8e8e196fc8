"""The reform ledger's rules of who may do what, in one place the pages and the API share.

Staff of a responsible unit report progress and ask for a deadline change or for
completion; a supervisor of reforms decides; the one who asks never decides;
leaders write instructions. Each function raises WorkflowError with a Chinese
message when the rule says no.
"""

import mimetypes

from django.db import transaction
from django.utils import timezone

from county.choices import Role

from .choices import RequestStatus, TaskStatus
from .models import (
    Attachment,
    CompletionRequest,
    DeadlineChange,
    Instruction,
    ProgressReport,
    SubTask,
)

WORKSTREAM = "reforms"


class WorkflowError(Exception):
    """A rule of the ledger refused the action; the message says why, in Chinese."""


def can_report(user, subtask):
    """Staff of the sub-task's units (or of the item's lead unit), supervisors, admins."""
    return SubTask.objects.editable_by(user).filter(pk=subtask.pk).exists()


def can_decide(user):
    return user.is_authenticated and user.supervises(WORKSTREAM)


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
    for upload in files:
        Attachment.objects.create(
            report=report,
            file=upload,
            name=upload.name[:255],
            size=upload.size,
            content_type=getattr(upload, "content_type", "")
            or mimetypes.guess_type(upload.name)[0]
            or "application/octet-stream",
        )
    subtask.progress = text
    subtask.percent = percent
    fields = ["progress", "percent"]
    if subtask.status == TaskStatus.NOT_STARTED:
        subtask.status = TaskStatus.IN_PROGRESS
        fields.append("status")
    subtask.save(update_fields=fields)
    return report


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
    return DeadlineChange.objects.create(
        subtask=subtask,
        old_deadline=subtask.deadline,
        new_deadline=None if long_term else new_deadline,
        new_long_term=long_term,
        reason=reason,
        requested_by=user,
    )


@transaction.atomic
def request_completion(subtask, user, reason):
    _require_report(user, subtask)
    subtask = SubTask.objects.select_for_update().get(pk=subtask.pk)
    if subtask.status == TaskStatus.DONE:
        raise WorkflowError("该任务已经完成。")
    _no_pending(subtask.completion_requests, "完成申请")
    return CompletionRequest.objects.create(subtask=subtask, reason=reason, requested_by=user)


def _decide(model, pk, user, approve, note):
    if not can_decide(user):
        raise WorkflowError("只有县委改革办督查人员可以审核。")
    request = model.objects.select_for_update().select_related("subtask").get(pk=pk)
    if request.status != RequestStatus.PENDING:
        raise WorkflowError("该申请已经审核过了。")
    if request.requested_by_id == user.pk:
        raise WorkflowError("申请人不能审核自己的申请。")
    if not approve and not note.strip():
        raise WorkflowError("退回时必须填写退回理由。")
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save()
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


def can_instruct(user):
    return user.is_authenticated and user.role == Role.LEADER and user.leader_id is not None


def give_instruction(item, user, text, given_on):
    if not can_instruct(user):
        raise WorkflowError("只有县级领导可以作出批示。")
    return Instruction.objects.create(
        item=item, leader=user.leader, text=text, given_on=given_on, created_by=user
    )

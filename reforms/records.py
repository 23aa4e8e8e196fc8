"""The rules of the ledger's records, shared by the pages and the API.

- 后半篇文章: the lead unit marks a problem 已整改 (with a note kept in its history);
  a supervisor's 回头看 sets 回头看通过, or puts the problem back to 整改中 when it recurred.
- 微改革微创新: the owning unit reports a project to the reform office (报送县委改革办).
- A problem's lead unit and a project's unit change only through ``reassign_*`` (issue 20),
  never by a plain edit, and never by a supervisor of the unit before or after.

Progress reports follow ``reforms.workflow.report_progress``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from county.events import notify, record_decision, staff_of, supervisors_of
from county.scoping import may, require_reassign
from county.status import today
from county.templatetags.dates import cn_date

from .choices import FollowUpStatus, RecheckResult
from .models import WORKSTREAM, FollowUpProblem, Recheck


def problem_url(problem):
    return reverse("reforms:followup", args=[problem.pk])


@transaction.atomic
def mark_rectified(problem, user, note):
    """整改中 → 已整改, by the lead unit's staff (or a supervisor of reforms); it then waits
    for the reform office's 回头看, whose supervisors are told."""
    if not may(user, "rectify", problem):
        raise PermissionDenied("只有牵头单位或县委改革办可以报告整改完成。")
    problem = FollowUpProblem.objects.select_for_update().get(pk=problem.pk)
    if problem.status != FollowUpStatus.RECTIFYING:
        raise ValidationError("只有“整改中”的问题可以标记为已整改。")
    problem.status = FollowUpStatus.RECTIFIED
    problem.rectified_by = user
    problem.rectified_at = timezone.now()
    problem.rectified_note = note
    problem._change_reason = f"报告整改完成：{note}"[:100]
    problem.save()
    unit = user.unit.name if user.unit_id else ""
    notify(
        "reforms.followup.requested",
        supervisors_of(WORKSTREAM),
        f"{unit}报告整改完成，待回头看：后半篇文章第{problem.number}号"[:200],
        f"问题：{problem.problem}\n报告人：{user}（{unit}）\n整改情况：{note}\n"
        "请在“待我审核”中回头看。",
        reverse("county:inbox"),
        actor=user,
    )
    return problem


@transaction.atomic
def add_recheck(problem, user, checked_on, result, note=""):
    """回头看: 整改成效巩固 → 回头看通过; 问题反弹 → back to 整改中 (the lead unit is told).

    The one who reported the rectification never re-checks it himself.
    """
    if not may(user, "recheck", problem):
        raise PermissionDenied("只有县委改革办督查人员可以回头看。")
    problem = FollowUpProblem.objects.select_for_update().get(pk=problem.pk)
    if problem.status == FollowUpStatus.RECTIFYING:
        raise ValidationError("问题仍在整改中，整改完成后才能回头看。")
    if problem.status == FollowUpStatus.RECTIFIED and problem.rectified_by_id == user.pk:
        raise ValidationError("报告整改的人不能对自己报告的整改回头看。")
    if result == RecheckResult.RECURRED and not (note or "").strip():
        raise ValidationError({"note": "问题反弹时请说明反弹情况。"})
    recheck = Recheck.objects.create(
        problem=problem, checked_on=checked_on, result=result, note=note, checked_by=user
    )
    if result == RecheckResult.RECURRED:
        problem.status = FollowUpStatus.RECTIFYING
        reason = "回头看：问题反弹，重新整改"
    else:
        problem.status = FollowUpStatus.RECHECKED
        reason = "回头看：整改成效巩固"
    problem._change_reason = reason
    problem.save()
    recurred = result == RecheckResult.RECURRED
    verdict = "问题反弹，退回整改" if recurred else "整改成效巩固，回头看通过"
    body = f"问题：{problem.problem}\n回头看：{cn_date(checked_on)}"
    body += f"，{user}（{user.affiliation}）"
    if note:
        body += f"\n{'退回原因' if recurred else '情况说明'}：{note}"
    notify(
        f"reforms.followup.{'sent_back' if recurred else 'accepted'}",
        [problem.rectified_by, staff_of(problem.lead_unit_id)],
        f"后半篇文章第{problem.number}号{verdict}"[:200],
        body,
        problem_url(problem),
        actor=user,
    )
    record_decision(
        user, f"后半篇文章第{problem.number}号 回头看", f"{verdict}；{note}".rstrip("；")
    )
    return recheck


def report_innovation(innovation, user):
    """报送县委改革办: reported, dated today; needs the experience write-up."""
    if not may(user, "change", innovation):
        raise PermissionDenied("只有承担单位可以报送。")
    if innovation.reported:
        raise ValidationError("该项目已报送，无需重复报送。")
    if not innovation.experience.strip():
        raise ValidationError("请先填写经验材料，再报送县委改革办。")
    innovation.reported = True
    innovation.reported_on = today()
    innovation._change_reason = "报送县委改革办"
    innovation.save()
    return innovation


def _reassign(record, field, user, unit, reason):
    """Move ``record`` (locked afresh) to ``unit`` through its ``field``, by the rule of
    ``county.scoping`` (``reassign``); the history says who and why."""
    require_reassign(user, record, {unit.pk})
    record = type(record).objects.select_for_update().get(pk=record.pk)
    require_reassign(user, record, {unit.pk})  # its unit as it is now, under the lock
    if getattr(record, f"{field}_id") == unit.pk:
        raise ValidationError("单位没有变化。")
    setattr(record, field, unit)
    record._history_user = user
    record._change_reason = f"调整责任单位：{reason}"[:100]
    record.save()
    return record


@transaction.atomic
def reassign_followup(problem, user, lead_unit, reason):
    """调整牵头单位 of a follow-up problem; its new lead unit's staff are told."""
    problem = _reassign(problem, "lead_unit", user, lead_unit, reason)
    notify(
        "reforms.followup.reassigned",
        staff_of(lead_unit.pk),
        f"后半篇文章第{problem.number}号已调整由贵单位牵头"[:200],
        f"问题：{problem.problem}\n调整人：{user}（{user.affiliation}）\n调整理由：{reason}",
        problem_url(problem),
        actor=user,
    )
    return problem


@transaction.atomic
def reassign_innovation(innovation, user, unit, reason):
    """调整承担单位 of a micro-innovation project."""
    return _reassign(innovation, "unit", user, unit, reason)

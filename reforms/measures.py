"""The reform ledger's measures for the unit rankings (考核) and the weekly briefing (周报).

Registered as ``Workstream.unit_measures`` and ``Workstream.weekly``; see county/ranking.py
and county/briefing.py. A sub-task counts for each of its responsible units (责任单位).
"""

from django.db.models import Count, F, Q, Sum
from django.urls import reverse

from county.briefing import WeekFigure, count_by, new_overdue_window
from county.ranking import by_unit, days_late, last_due_day

from .choices import RequestStatus
from .registration import SUBTASK_STATUS

DONE = SUBTASK_STATUS.closed_q()  # the declared rule (county.status), not a status written here
# Done by its deadline (a task imported as done without a date counts as on time).
DONE_ON_TIME = DONE & (Q(completed_on__isnull=True) | Q(completed_on__lte=F("deadline")))
# Dated work not done by its deadline: still open, or done after it (周报's 新增逾期).
LATE = Q(long_term=False) & (~DONE | Q(completed_on__gt=F("deadline")))


def unit_measures(date_from, date_to, on):
    from county.ranking import add_into

    from .models import CompletionRequest, DeadlineChange, SubTask

    due = SubTask.objects.filter(
        long_term=False, deadline__gte=date_from, deadline__lte=last_due_day(date_to, on)
    )
    result = by_unit(
        due,
        "units",
        due=Count("pk"),
        on_time=Count("pk", filter=DONE_ON_TIME),
        overdue=Count("pk", filter=~DONE),
        overdue_days=Sum(days_late(on, "deadline"), filter=~DONE),
    )
    for model in (CompletionRequest, DeadlineChange):
        sent_back = model.objects.filter(
            status=RequestStatus.REJECTED,
            decided_at__date__gte=date_from,
            decided_at__date__lte=date_to,
        )
        add_into(result, by_unit(sent_back, "requested_by__unit", sent_back=Count("pk")))
    return result


def unit_measure_links(date_from, date_to, on, unit_id):
    """逾期项数 as the task list selects it (a sub-task counts for each responsible unit)."""
    last = last_due_day(date_to, on)
    tasks = f"{reverse('reforms:tasks')}?unit={unit_id}"
    return {"overdue": f"{tasks}&light=overdue&deadline_from={date_from}&deadline_to={last}"}


def weekly(date_from, date_to):
    from .models import CompletionRequest, DeadlineChange, SubTask

    closed = SubTask.objects.filter(completed_on__gte=date_from, completed_on__lte=date_to)
    first, last = new_overdue_window(date_from, date_to)
    late = SubTask.objects.filter(LATE, deadline__gte=first, deadline__lte=last)
    decided = [
        model.objects.exclude(status=RequestStatus.PENDING).filter(
            decided_at__date__gte=date_from, decided_at__date__lte=date_to
        )
        for model in (CompletionRequest, DeadlineChange)
    ]
    decided_by_unit = {}
    for rows in decided:
        for unit_id, n in count_by(rows, "requested_by__unit").items():
            decided_by_unit[unit_id] = decided_by_unit.get(unit_id, 0) + n
    tasks = reverse("reforms:tasks")
    return [
        WeekFigure(
            "closed",
            "细分任务完成",
            closed.count(),
            count_by(closed, "units"),
            url=f"{tasks}?completed_from={date_from}&completed_to={date_to}",
        ),
        WeekFigure(
            "new_overdue",
            "细分任务新增逾期",
            late.count(),
            count_by(late, "units"),
            url=f"{tasks}?late=1&deadline_from={first}&deadline_to={last}",
        ),
        WeekFigure(
            "decided", "销号、调整时限申请审核", sum(r.count() for r in decided), decided_by_unit
        ),
    ]

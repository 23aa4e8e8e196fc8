"""The environment workstream's measures for the unit rankings (考核) and the 周报.

Registered as ``Workstream.unit_measures`` and ``Workstream.weekly`` (county/ranking.py,
county/briefing.py). A problem counts for its township and for each responsible department.
整改率 and 顽固问题 count the problems found in the period, as the 通报 does
(environment/notices.py).
"""

from django.db.models import Count, F, Q, Sum
from django.urls import reverse

from county.briefing import WeekFigure, count_by, new_overdue_window
from county.ranking import add_into, by_unit, days_late, last_due_day

from .choices import NoticeStatus, ProblemStatus, ReviewResult
from .registration import PROBLEM_STATUS

CLOSED = Q(status=ProblemStatus.CLOSED)
CLOSED_ON_TIME = CLOSED & (Q(closed_on__isnull=True) | Q(closed_on__lte=F("deadline")))
STUBBORN = Q(stubborn_of__isnull=False) | Q(recurrence_count__gt=0)
UNIT_PATHS = ("township", "departments")


def LATE():  # a Q built on the day it is asked
    """Not closed by its deadline: 逾期 now (the declared rule), or closed after it."""
    return PROBLEM_STATUS.overdue_q() | Q(closed_on__gt=F("deadline"))


def unit_measures(date_from, date_to, on):
    from .models import Problem, Rectification

    due = Q(deadline__gte=date_from, deadline__lte=last_due_day(date_to, on))
    found = Q(found_on__gte=date_from, found_on__lte=date_to)
    late = due & PROBLEM_STATUS.overdue_q(on)  # 待验收 is not 逾期 (registration.py)
    problems = Problem.objects.filter(due | found)  # one pass per path for both windows
    result = {}
    for path in UNIT_PATHS:
        add_into(
            result,
            by_unit(
                problems,
                path,
                due=Count("pk", filter=due),
                on_time=Count("pk", filter=due & CLOSED_ON_TIME),
                overdue=Count("pk", filter=late),
                overdue_days=Sum(days_late(on, "deadline"), filter=late),
                found=Count("pk", filter=found),
                closed=Count("pk", filter=found & CLOSED),
                recurrences=Count("pk", filter=found & STUBBORN),
            ),
        )
    sent_back = Rectification.objects.filter(
        result=ReviewResult.REJECTED,
        problem__voided_at__isnull=True,
        decided_at__date__gte=date_from,
        decided_at__date__lte=date_to,
    )
    add_into(result, by_unit(sent_back, "submitted_by__unit", sent_back=Count("pk")))
    return result


def unit_measure_links(date_from, date_to, on, unit_id):
    """The measures as the problem list selects them (the unit's problems, township or
    department: ``?owner=``)."""
    problems = f"{reverse('environment:problem_list')}?owner={unit_id}"
    due = f"{problems}&deadline_after={date_from}&deadline_before={last_due_day(date_to, on)}"
    found = f"{problems}&found_after={date_from}&found_before={date_to}"
    return {
        "due": due,
        "on_time": f"{due}&on_time=1",
        "overdue": f"{due}&overdue=1",
        "found": found,
        "closed": f"{found}&status=closed",
        "recurrences": f"{found}&recurred=1",
    }


def weekly(date_from, date_to):
    from .models import Notice, Problem, Rectification

    closed = Problem.objects.filter(closed_on__gte=date_from, closed_on__lte=date_to)
    first, last = new_overdue_window(date_from, date_to)
    late = Problem.objects.filter(deadline__gte=first, deadline__lte=last).filter(LATE())
    decided = Rectification.objects.filter(
        result__in=(ReviewResult.ACCEPTED, ReviewResult.REJECTED),
        problem__voided_at__isnull=True,
        decided_at__date__gte=date_from,
        decided_at__date__lte=date_to,
    )
    notices = list(
        Notice.objects.filter(
            status=NoticeStatus.ISSUED, issued_on__gte=date_from, issued_on__lte=date_to
        )
        .order_by("issued_on", "pk")
        .values_list("title", flat=True)
    )
    problems = reverse("environment:problem_list")
    return [
        WeekFigure(
            "closed",
            "问题销号",
            closed.count(),
            count_by(closed, "township"),
            url=f"{problems}?closed_after={date_from}&closed_before={date_to}",
        ),
        WeekFigure(
            "new_overdue",
            "问题新增逾期",
            late.count(),
            count_by(late, "township"),
            url=f"{problems}?late=1&deadline_after={first}&deadline_before={last}",
        ),
        WeekFigure("decided", "整改验收", decided.count(), count_by(decided, "problem__township")),
        WeekFigure("notices", "印发通报", len(notices), {}, tuple(notices)),
    ]

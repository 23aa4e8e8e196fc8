"""The planning workstream's measures for the unit rankings (考核) and the 周报.

Registered as ``Workstream.unit_measures`` and ``Workstream.weekly`` (county/ranking.py,
county/briefing.py). A plan counts for its lead unit and each of its townships, measured
against its 完成时限 (done = 批复/完成, on the date of that stage change); a review that
sends a plan back to 修改完善 counts as sent back for its lead unit.
"""

from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.urls import reverse

from county.briefing import WeekFigure, count_by, new_overdue_window
from county.ranking import add_into, by_unit, days_late, last_due_day

from .choices import REVIEW_STAGES, Stage
from .registration import AREA_STATUS

DONE = AREA_STATUS.closed_q()  # the declared rule (county.status), not a stage written here
UNIT_PATHS = ("lead_unit", "townships")


def _with_done_on():
    from .models import PlanArea, StageChange

    done = (
        StageChange.objects.filter(area=OuterRef("pk"), to_stage=Stage.DONE)
        .order_by()
        .values("area")
        .annotate(last=Max("date"))
        .values("last")
    )
    return PlanArea.objects.annotate(done_on=Subquery(done))


def unit_measures(date_from, date_to, on):
    from .models import StageChange

    due = _with_done_on().filter(
        completion_deadline__gte=date_from,
        completion_deadline__lte=last_due_day(date_to, on),
    )
    on_time = DONE & (Q(done_on__isnull=True) | Q(done_on__lte=F("completion_deadline")))
    result = {}
    for path in UNIT_PATHS:
        add_into(
            result,
            by_unit(
                due,
                path,
                due=Count("pk"),
                on_time=Count("pk", filter=on_time),
                overdue=Count("pk", filter=~DONE),
                overdue_days=Sum(days_late(on, "completion_deadline"), filter=~DONE),
            ),
        )
    sent_back = StageChange.objects.filter(
        to_stage=Stage.REVISING, from_stage__in=REVIEW_STAGES, date__gte=date_from,
        date__lte=date_to,
    )  # fmt: skip
    add_into(result, by_unit(sent_back, "area__lead_unit", sent_back=Count("pk")))
    return result


def weekly(date_from, date_to):
    from .models import PlanArea, StageChange

    week = StageChange.objects.filter(date__gte=date_from, date__lte=date_to)
    closed = week.filter(to_stage=Stage.DONE)
    decided = week.filter(from_stage__in=REVIEW_STAGES)
    first, last = new_overdue_window(date_from, date_to)
    late = PlanArea.objects.filter(next_deadline__gte=first, next_deadline__lte=last).exclude(DONE)
    return [
        WeekFigure("closed", "片区规划完成", closed.count(), count_by(closed, "area__townships")),
        WeekFigure(
            "new_overdue",
            "片区新增逾期",
            late.count(),
            count_by(late, "townships"),
            url=f"{reverse('landplan:area_list')}?light=overdue"
            f"&deadline_after={first}&deadline_before={last}",
        ),
        WeekFigure(
            "decided", "审查结果录入", decided.count(), count_by(decided, "area__townships")
        ),
    ]

"""城乡环境's panel of the 领导驾驶舱 (``Workstream.cockpit``).

Per township (one grouped query over the visible problems): 未销号, 逾期, found and closed
in the period; county figures (整改率 = closed ÷ all, 顽固问题) from the same rows; and the
latest issued 通报's ranking (one query for the notice, one grouped query for its
period, ranked as the notice ranks: ``notices.rank_rows``). Every bar and number links
to the problem list filtered to exactly its rows.
"""

from django.db.models import Count, Q, Sum
from django.urls import reverse

from county.aggregates import per_township
from county.models import Unit
from county.registry import NONE_LATE, RATE_THRESHOLD, Chart, Figure, Panel
from county.status import LIGHT_TONES, Light, today
from county.status.palette import GRAY, PRIMARY

from .choices import NOT_CLOSED, STATUS_TONES, NoticeStatus, ProblemStatus
from .models import Notice, Problem
from .notices import TownshipRow, rank_rows, rate_of
from .registration import PROBLEM_STATUS

RANKING_ROWS = 6
# The chart's series and their figures, one colour each (county/status/palette.py).
OPEN, FOUND, CLOSED = PRIMARY, GRAY, STATUS_TONES[ProblemStatus.CLOSED]


def cockpit(user, period):
    on = today()
    found_q = Q(found_on__gte=period.start, found_on__lte=period.end)
    closed_q = Q(
        status=ProblemStatus.CLOSED, closed_on__gte=period.start, closed_on__lte=period.end
    )

    rows = per_township(
        Problem.objects.visible_to(user),
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=NOT_CLOSED)),
        overdue=Count("pk", filter=PROBLEM_STATUS.overdue_q(on)),
        closed=Count("pk", filter=Q(status=ProblemStatus.CLOSED)),
        stubborn=Count("pk", filter=Q(stubborn_of__isnull=False)),
        found_in=Count("pk", filter=found_q),
        closed_in=Count("pk", filter=closed_q),
    )
    url = reverse("environment:problem_list")
    found_dates = period.query("found_after", "found_before")
    closed_dates = f"status=closed&{period.query('closed_after', 'closed_before')}"

    def series(name, key, tone, query):
        return {
            "name": name,
            "color": tone.hex,
            "data": [r[key] for r in rows],
            "links": [f"{url}?township={r['township']}&{query}" for r in rows],
        }

    chart = Chart(
        "bar",
        f"环境问题 · 按乡镇（新发现、销号为{period.label}）",
        [r["township__name"] for r in rows],
        [
            series("未销号", "open", OPEN, "status=open"),
            series("逾期", "overdue", LIGHT_TONES[Light.OVERDUE], "overdue=1"),
            series(f"{period.label}新发现", "found_in", FOUND, found_dates),
            series(f"{period.label}销号", "closed_in", CLOSED, closed_dates),
        ],
        unit="个",
        empty=f"您可见的范围内没有未销号的问题，{period.label}也没有新发现或销号的问题。",
    )

    def total(key):
        return sum(r[key] for r in rows)

    rate = rate_of(total("closed"), total("total"))
    figures = [
        Figure("未销号", total("open"), f"{url}?status=open", OPEN),
        Figure("逾期未整改", total("overdue"), f"{url}?overdue=1", threshold=NONE_LATE),
        Figure(f"{period.label}新发现", total("found_in"), f"{url}?{found_dates}", FOUND),
        Figure(f"{period.label}销号", total("closed_in"), f"{url}?{closed_dates}", CLOSED),
        Figure(
            "整改率",
            "—" if rate is None else f"{rate}%",
            f"{url}?status=closed",
            threshold=RATE_THRESHOLD,
        ),
        Figure("顽固问题", total("stubborn"), reverse("environment:stubborn_list"), "danger"),
    ]
    return [Panel("城乡环境", figures, [chart], table=latest_ranking())]


def latest_ranking():
    """The latest issued 通报's township ranking (top rows), each number linked."""
    notice = (
        Notice.objects.filter(status=NoticeStatus.ISSUED).order_by("-period_end", "-pk").first()
    )
    if notice is None:
        return None
    on = notice.issued_on or notice.period_end
    counts = {
        r["township"]: r
        for r in Problem.objects.filter(
            found_on__gte=notice.period_start, found_on__lte=notice.period_end
        )
        .order_by()
        .values("township")
        .annotate(
            found=Count("pk"),
            closed=Count("pk", filter=Q(status=ProblemStatus.CLOSED)),
            overdue=Count("pk", filter=PROBLEM_STATUS.overdue_q(on)),
            recurrences=Sum("recurrence_count"),
        )
    }
    townships = Unit.objects.townships().filter(pk__in=counts.keys()).order_by("order", "name")
    rows = [
        TownshipRow(
            township=t,
            found=counts[t.pk]["found"],
            closed=counts[t.pk]["closed"],
            overdue=counts[t.pk]["overdue"],
        )
        for t in townships
    ]
    rank_rows(rows)
    url = reverse("environment:problem_list")
    dates = f"found_after={notice.period_start}&found_before={notice.period_end}"
    return {
        "title": f"最新通报排名：{notice.title}",
        "url": reverse("environment:notice_document", args=[notice.pk]) if notice.document else "",
        "columns": ["名次", "乡镇（街道）", "发现", "销号", "整改率"],
        "rows": [
            [
                (row.rank, ""),
                (row.township.name, ""),
                (row.found, f"{url}?township={row.township.pk}&{dates}"),
                (row.closed, f"{url}?township={row.township.pk}&{dates}&status=closed"),
                (f"{row.rate}%", ""),
            ]
            for row in rows[:RANKING_ROWS]
        ],
    }

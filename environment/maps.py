"""环境问题分布图: the problem list's rows on the county map (county/maps.py).

Points are coloured by state (已交办 / 整改中 / 待验收 / 已销号), 顽固问题 drawn larger with a
dark border; townships shaded by their overdue problems among the rows shown. The rows are
the list's: ``ProblemFilter`` on the same query string over ``visible_to(user)``.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.views.decorators.gzip import gzip_page

from county.maps import filtered, json_map, lonlat, map_page, map_payload, url_maker
from county.status import Light, today
from county.templatetags.dates import cn_date

from .choices import STATUS_TONES, STUBBORN_TONE, ProblemStatus
from .filtersets import ProblemFilter
from .models import Problem
from .registration import PROBLEM_STATUS

STUBBORN = "顽固问题"


def rows(request):
    queryset = Problem.objects.visible_to(request.user)
    return filtered(request, ProblemFilter, queryset)


@login_required
def problem_map(request):
    """The map page: the list's filters above, the map below."""
    _, filterset = rows(request)
    return map_page(
        request,
        "environment/problem_map.html",
        filterset,
        "environment:problem_map_data",
        "environment:problem_list",
    )


@gzip_page
@login_required
def problem_map_data(request):
    """The points, the legend and the shading of the problems the list would show."""
    queryset, _ = rows(request)
    total = queryset.count()
    placed = (
        queryset.filter(longitude__isnull=False, latitude__isnull=False)
        .order_by("number")
        .values_list(
            "pk", "number", "status", "longitude", "latitude", "category__name",
            "township__name", "village__name", "at_market_town", "stubborn_of",
            "deadline", "description",
        )
    )  # fmt: skip
    statuses = dict(ProblemStatus.choices)
    on = today()
    url = url_maker("environment:problem_detail")
    points = []
    for (pk, number, status, lon, lat, category, township, village, market, stubborn,
         deadline, description) in placed:  # fmt: skip
        place = f"{township[:-1] if market else ''}{'场镇' if market else village or ''}"
        late = PROBLEM_STATUS.light(status, deadline, on) == Light.OVERDUE
        points.append(
            {
                "name": f"第{number}号 {place}{category}",
                "value": lonlat(lon, lat),
                "url": url(pk),
                "group": statuses[status],
                "marks": [STUBBORN] if stubborn else [],
                "detail": [
                    f"{township} · {statuses[status]}{' · 逾期' if late else ''}",
                    f"整改时限：{cn_date(deadline)}",
                    description[:40],
                ],
            }
        )
    overdue = (
        queryset.filter(PROBLEM_STATUS.overdue_q(on))
        .order_by()
        .values("township__name")
        .annotate(n=Count("pk"))
    )
    return json_map(
        map_payload(
            "环境问题分布",
            points,
            [
                {"name": label, "color": STATUS_TONES[value].hex}
                for value, label in ProblemStatus.choices
            ],
            marks=[{"name": STUBBORN, "symbol": "diamond", "color": STUBBORN_TONE.hex}],
            shading={
                "label": "逾期问题",
                "unit": "个",
                "values": {row["township__name"]: row["n"] for row in overdue},
            },
            total=total,
        )
    )


def map_layers():
    """What the 领导驾驶舱's map offers of this workstream (``Workstream.maps``)."""
    from county.registry import MapLayer

    return [MapLayer("环境问题", "environment:problem_map_data", "environment:problem_map")]

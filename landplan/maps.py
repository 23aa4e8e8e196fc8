"""片区规划分布图: the plan-area list's rows on the county map (county/maps.py).

A plan area has no point of its own: it is drawn at the middle of the centroids of its
townships, spread a little around it when several areas share townships. Points are
coloured by the next deadline's light; townships shaded by the number of areas naming
them. The rows are the list's: ``PlanAreaFilter`` on the same query string over
``visible_to(user)``.
"""

import math
from collections import Counter

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.views.decorators.gzip import gzip_page

from county.maps import (
    filtered,
    json_map,
    lonlat,
    map_page,
    map_payload,
    township_centroids,
)
from county.status import LIGHT_TONES, Light, today
from county.templatetags.dates import cn_date

from .choices import Stage
from .filtersets import PlanAreaFilter
from .models import PlanArea
from .registration import AREA_STATUS

SPREAD = 0.006  # degrees between areas drawn around one place


def rows(request):
    return filtered(request, PlanAreaFilter, PlanArea.objects.visible_to(request.user))


@login_required
def area_map(request):
    """The map page: the list's filters above, the map below."""
    _, filterset = rows(request)
    return map_page(
        request, "landplan/area_map.html", filterset, "landplan:area_map_data", "landplan:area_list"
    )


@gzip_page
@login_required
def area_map_data(request):
    """The plan areas the list would show, at their townships' centroids."""
    queryset, _ = rows(request)
    areas = list(queryset.order_by("pk").prefetch_related("townships").distinct())
    centres = township_centroids()
    stages = dict(Stage.choices)
    on = today()
    crowd = Counter()
    points, shading = [], Counter()
    for area in areas:
        townships = list(area.townships.all())
        for township in townships:
            shading[township.name] += 1
        located = [centres[t.pk] for t in townships if t.pk in centres]
        if not located:
            continue
        lon = sum(c[0] for c in located) / len(located)
        lat = sum(c[1] for c in located) / len(located)
        key = (round(lon, 3), round(lat, 3))
        turn = crowd[key]
        crowd[key] += 1
        if turn:
            angle = turn * 2.4  # golden angle: neighbours never sit on one another
            radius = SPREAD * math.sqrt(turn)
            lon, lat = lon + radius * math.cos(angle), lat + radius * math.sin(angle)
        light = AREA_STATUS.light_of(area, on)
        points.append(
            {
                "name": area.title or area.name,
                "value": lonlat(lon, lat),
                "url": reverse("landplan:area_detail", args=[area.pk]),
                "group": Light(light).label,
                "marks": [],
                "detail": [
                    f"当前阶段：{stages.get(area.stage, area.stage)}",
                    f"下一时限：{cn_date(area.next_deadline)}" if area.next_deadline else "",
                ],
            }
        )
    groups = [
        {"name": Light(value).label, "color": LIGHT_TONES[value].hex}
        for value in (Light.OVERDUE, Light.DUE_SOON, Light.NORMAL, Light.DONE, Light.LONG_TERM)
    ]
    return json_map(
        map_payload(
            "片区规划分布（位于所涉乡镇中心）",
            points,
            groups,
            shading={"label": "涉及片区", "unit": "个", "values": dict(shading), "good": True},
            total=len(areas),
        )
    )


def map_layers():
    """What the 领导驾驶舱's map offers of this workstream (``Workstream.maps``)."""
    from county.registry import MapLayer

    return [MapLayer("片区规划", "landplan:area_map_data", "landplan:area_map")]

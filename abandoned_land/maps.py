"""撂荒地块分布图: the parcel list's rows on the county map (county/maps.py).

Points are coloured by status; 复撂荒 and 整治后无种植计划 are drawn larger with a border;
townships shaded by the 亩 remediated (已整治, 已种植, 已巩固) among the rows shown. The
rows are the list's: ``ParcelFilter`` on the same query string over ``visible_to(user)``.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.views.decorators.gzip import gzip_page

from county.maps import filtered, json_map, lonlat, map_page, map_payload, url_maker

from . import rules
from .choices import AT_RISK_TONE, STATUS_TONES, ParcelStatus
from .filtersets import ParcelFilter
from .models import Parcel

REABANDONED = "复撂荒"
AT_RISK = "整治后无种植计划"
REMEDIATED = (ParcelStatus.REMEDIATED, ParcelStatus.PLANTED, ParcelStatus.CONSOLIDATED)


def rows(request):
    return filtered(request, ParcelFilter, Parcel.objects.visible_to(request.user))


@login_required
def parcel_map(request):
    """The map page: the list's filters above, the map below."""
    _, filterset = rows(request)
    return map_page(
        request,
        "abandoned_land/parcel_map.html",
        filterset,
        "abandoned_land:parcel_map_data",
        "abandoned_land:parcel_list",
        active="map",
    )


@gzip_page
@login_required
def parcel_map_data(request):
    """The points, the legend and the shading of the parcels the list would show."""
    queryset, _ = rows(request)
    total = queryset.count()
    placed = (
        queryset.filter(longitude__isnull=False, latitude__isnull=False)
        .order_by("code")
        .values_list(
            "pk", "code", "status", "longitude", "latitude", "area", "crop", "operator",
            "township__name", "village__name",
        )
    )  # fmt: skip
    statuses = dict(ParcelStatus.choices)
    url = url_maker("abandoned_land:parcel_detail")
    points = []
    for pk, code, status, lon, lat, area, crop, operator, township, village in placed:
        marks = []
        if status == ParcelStatus.REABANDONED:
            marks.append(REABANDONED)
        if rules.is_at_risk(status, crop, operator):
            marks.append(AT_RISK)
        points.append(
            {
                "name": f"{code}（{area}亩）",
                "value": lonlat(lon, lat),
                "url": url(pk),
                "group": statuses[status],
                "marks": marks,
                "detail": [
                    f"{township}{village} · {statuses[status]}",
                    f"种植：{crop or '—'} · 经营主体：{operator or '—'}",
                ],
            }
        )
    remediated = (
        queryset.filter(status__in=REMEDIATED)
        .order_by()
        .values("township__name")
        .annotate(area=Sum("area"))
    )
    return json_map(
        map_payload(
            "撂荒地块分布",
            points,
            [
                {"name": label, "color": STATUS_TONES[value].hex}
                for value, label in ParcelStatus.choices
            ],
            marks=[
                {
                    "name": REABANDONED,
                    "symbol": "triangle",
                    "color": STATUS_TONES[ParcelStatus.REABANDONED].hex,
                },
                {"name": AT_RISK, "symbol": "diamond", "color": AT_RISK_TONE.hex},
            ],
            shading={
                "label": "已整治面积",
                "unit": "亩",
                "good": True,  # more is better: shaded green
                "values": {r["township__name"]: float(r["area"] or 0) for r in remediated},
            },
            total=total,
        )
    )


def map_layers():
    """What the 领导驾驶舱's map offers of this workstream (``Workstream.maps``)."""
    from county.registry import MapLayer

    return [MapLayer("撂荒地块", "abandoned_land:parcel_map_data", "abandoned_land:parcel_map")]

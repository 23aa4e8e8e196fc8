"""Maps without internet tiles: the township outlines and each workstream's points.

``/geo/townships.geojson`` serves the county's township outlines (``Unit.outline``) as
one GeoJSON FeatureCollection; ``static/js/map.js`` registers it with the vendored
ECharts (geo component) and draws a workstream's points over it. A workstream's map has
a page and a data endpoint (``<app>/maps.py``) built from :func:`map_payload`: the rows
are the list's rows (the same FilterSet on the same query string, over
``visible_to(user)``), so a map never shows what the list would not.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from . import figures_cache, places
from .models import Unit

MAX_POINTS = 20_000  # a map draws at most this many points (the rest are counted)


def townships_document():
    """(body bytes, etag): every active township with an outline, by name (kept in the
    figures cache while no unit changes)."""
    return figures_cache.cached("geo", "townships", None, _townships_document)


def _townships_document():
    features = []
    for unit in Unit.objects.townships().filter(is_active=True, outline__isnull=False):
        centre = places.centroid(unit.outline)
        features.append(
            {
                "type": "Feature",
                "id": unit.pk,
                "properties": {
                    "name": unit.name,
                    "id": unit.pk,
                    "cp": [round(c, 5) for c in centre] if centre else None,
                },
                "geometry": unit.outline,
            }
        )
    body = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    return (body, hashlib.sha256(body).hexdigest()[:32])


@require_GET
@gzip_page
@login_required
def townships_geojson(request):
    """The township outlines, cached (server 5 minutes, browser by ETag)."""
    body, etag = townships_document()
    quoted = f'"{etag}"'
    asked = request.headers.get("If-None-Match", "")
    if quoted in {tag.strip().removeprefix("W/") for tag in asked.split(",")}:
        return HttpResponseNotModified(headers={"ETag": quoted})
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["ETag"] = quoted
    response["Cache-Control"] = "private, max-age=300"
    return response


def township_centroids():
    """{township id: (lon, lat)} of the townships with an outline (plan areas sit there)."""
    result = {}
    for pk, outline in (
        Unit.objects.townships().filter(outline__isnull=False).values_list("pk", "outline")
    ):
        centre = places.centroid(outline)
        if centre:
            result[pk] = centre
    return result


def map_payload(title, points, groups, marks=(), shading=None, total=None, note=""):
    """The JSON a map page draws (``static/js/map.js``).

    ``points``: ``[{"name", "value": [lon, lat], "url", "group", "marks": [...], "detail"}]``;
    ``groups``: ``[{"name", "color"}]`` (legend, one scatter series each);
    ``marks``: ``[{"name", "symbol", "color"}]`` drawn as an outline around marked points;
    ``shading``: ``{"label", "unit", "values": {township name: number}, "good"}`` (``good``:
    more is better, shaded green; else red, as for overdue problems);
    ``total``: rows matched, placed or not (the rest have no point yet).
    """
    shown = points[:MAX_POINTS]
    return {
        "title": title,
        "points": shown,
        "groups": list(groups),
        "marks": list(marks),
        "shading": shading,
        "total": len(points) if total is None else total,
        "placed": len(points),
        "note": note,
    }


def json_map(payload):
    response = JsonResponse(
        payload, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}
    )
    response["Cache-Control"] = "private, no-cache"
    return response


def filtered(request, filterset_class, queryset):
    """The list's rows for this query string (an invalid filter: the unfiltered rows, as
    the list shows them)."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return queryset, filterset
    return filterset.qs, filterset


def map_page(request, template, filterset, data_url_name, list_url_name, **context):
    """A workstream's map page: the list's filters above, the map (fed by ``data_url_name``
    with the same query string) below, and a link back to the list so filtered."""
    from django.shortcuts import render
    from django.urls import reverse

    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    context.update(
        filter=filterset,
        query_string=query,
        map_url=reverse(data_url_name) + suffix,
        list_url=reverse(list_url_name) + suffix,
    )
    return render(request, template, context)


def url_maker(url_name):
    """``pk → URL`` of a detail page without a ``reverse`` per row (thousands of points)."""
    from django.urls import reverse

    head, tail = reverse(url_name, args=[987654321]).split("987654321")
    return lambda pk: f"{head}{pk}{tail}"


def lonlat(lon, lat):
    return [round(float(lon), 6), round(float(lat), 6)]

"""The demo county's fictional map: township outlines and points, the same on every run.

The townships (in their order) share one fictional bounding box, cut into rows of cells
whose borders are jittered polylines shared by both neighbours, so the outlines tile the
box without gaps or overlaps and look hand-drawn rather than ruled. Villages get points
inside their township; the workstreams' demo loaders place their records near a village
(:func:`point_near`) or in the township (:func:`point_in`). Everything is seeded from
names, never from the clock: running ``load_demo`` twice gives the same map.
"""

import itertools
import math
import random
import zlib
from decimal import Decimal

from .places import QUANTUM, centroid, contains

# A fictional county in hilly country: about 55 km × 45 km.
BOX = (103.40, 29.70, 103.97, 30.10)  # west, south, east, north
ROW_SAMPLES = 28  # points along a horizontal border
COLUMN_SAMPLES = 7  # points along a vertical border


def _rng(*key):
    return random.Random(zlib.crc32("|".join(map(str, key)).encode()))


def _row_sizes(count):
    rows = max(1, round(math.sqrt(count * 0.8)))
    base, extra = divmod(count, rows)
    return [base + (1 if index < extra else 0) for index in range(rows)]


def _horizontal(index, rows):
    """The border under row ``index`` (0 = south edge): [(lon, lat)] west to east."""
    west, south, east, north = BOX
    height = (north - south) / rows
    lat = south + index * height
    if index in (0, rows):
        jitter = 0.0
    else:
        jitter = height * 0.18
    rng = _rng("h", index)
    points = []
    for step in range(ROW_SAMPLES + 1):
        lon = west + (east - west) * step / ROW_SAMPLES
        wave = math.sin(step / 2.3 + index) * jitter * 0.6
        points.append((lon, lat + wave + rng.uniform(-jitter, jitter) * 0.4))
    return points


def _at(polyline, lon):
    """The polyline's latitude at ``lon`` (linear between samples)."""
    for (x0, y0), (x1, y1) in itertools.pairwise(polyline):
        if x0 <= lon <= x1:
            return y0 + (y1 - y0) * ((lon - x0) / (x1 - x0) if x1 != x0 else 0)
    return polyline[-1][1]


def _between(polyline, lon_from, lon_to):
    """The polyline from ``lon_from`` to ``lon_to`` (either direction), ends interpolated."""
    low, high = sorted((lon_from, lon_to))
    inner = [p for p in polyline if low < p[0] < high]
    points = [(low, _at(polyline, low)), *inner, (high, _at(polyline, high))]
    return points if lon_from <= lon_to else points[::-1]


def _vertical(row, index, lon, bottom, top):
    """A jittered border from the bottom polyline to the top one at about ``lon``."""
    rng = _rng("v", row, index)
    y0, y1 = _at(bottom, lon), _at(top, lon)
    width = (BOX[2] - BOX[0]) * 0.02
    points = [(lon, y0)]
    for step in range(1, COLUMN_SAMPLES):
        points.append((lon + rng.uniform(-width, width), y0 + (y1 - y0) * step / COLUMN_SAMPLES))
    points.append((lon, y1))
    return points


def outlines(names):
    """{name: GeoJSON Polygon} for the townships ``names``, tiling :data:`BOX`."""
    sizes = _row_sizes(len(names))
    rows = len(sizes)
    borders = [_horizontal(index, rows) for index in range(rows + 1)]
    west, _, east, _ = BOX
    result, position = {}, 0
    for row, size in enumerate(sizes):
        bottom, top = borders[row], borders[row + 1]
        rng = _rng("cuts", row, size)
        cuts = [west]
        for index in range(1, size):
            even = west + (east - west) * index / size
            cuts.append(even + rng.uniform(-0.25, 0.25) * (east - west) / size)
        cuts.append(east)
        sides = [
            [(c, _at(bottom, c)), (c, _at(top, c))]
            if index in (0, size)
            else _vertical(row, index, c, bottom, top)
            for index, c in enumerate(cuts)
        ]
        for index in range(size):
            left, right = sides[index], sides[index + 1]
            ring = [
                *_between(bottom, cuts[index], cuts[index + 1]),
                *right[1:],
                *_between(top, cuts[index + 1], cuts[index])[1:],
                *left[::-1][1:],
            ]
            ring = [[round(x, 5), round(y, 5)] for x, y in ring]
            if ring[0] != ring[-1]:
                ring.append(list(ring[0]))
            result[names[position]] = {"type": "Polygon", "coordinates": [ring]}
            position += 1
    return result


def _decimal(value):
    return Decimal(str(value)).quantize(QUANTUM)


def _bounds(outline):
    ring = outline["coordinates"][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def point_in(outline, *key):
    """A point inside ``outline`` chosen by ``key``: (Decimal lon, Decimal lat)."""
    rng = _rng("p", *key)
    west, south, east, north = _bounds(outline)
    for _ in range(200):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if contains(outline, lon, lat):
            return _decimal(lon), _decimal(lat)
    lon, lat = centroid(outline)
    return _decimal(lon), _decimal(lat)


def point_near(outline, lon, lat, *key, spread=0.012):
    """A point within about ``spread`` degrees of (lon, lat), still inside ``outline``."""
    rng = _rng("n", *key)
    for _ in range(50):
        x = float(lon) + rng.gauss(0, spread / 2)
        y = float(lat) + rng.gauss(0, spread / 2)
        if contains(outline, x, y):
            return _decimal(x), _decimal(y)
    return _decimal(lon), _decimal(lat)


def apply_demo_places():
    """Give the demo county's townships their outlines and villages their points."""
    from .models import Unit, Village

    townships = list(Unit.objects.townships().filter(is_active=True).order_by("order", "name"))
    shapes = outlines([t.name for t in townships])
    for township in townships:
        township.outline = shapes[township.name]
    Unit.objects.bulk_update(townships, ["outline"])
    villages = list(Village.objects.select_related("township").filter(township__in=townships))
    for village in villages:
        village.longitude, village.latitude = point_in(
            shapes[village.township.name], village.township.name, village.name
        )
    Village.objects.bulk_update(villages, ["longitude", "latitude"])
    return len(townships), len(villages)


def demo_point(key, township, village=None, market_town=False):
    """A demo record's point: near its village, at its market town (the township's middle)
    or somewhere in its township; (None, None) when the township has no outline."""
    outline = township.outline
    if not outline:
        return None, None
    if village is not None and village.longitude is not None:
        return point_near(outline, village.longitude, village.latitude, key)
    if market_town:
        lon, lat = centroid(outline)
        return point_near(outline, lon, lat, key, spread=0.004)
    return point_in(outline, key)

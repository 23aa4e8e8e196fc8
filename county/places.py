"""Places without GeoDjango: WGS-84 points as two decimals, township outlines as GeoJSON.

A village, a parcel, an inspection or a problem may carry a point (``longitude``,
``latitude``: decimal degrees, WGS-84, both or neither); a township (``Unit`` of kind
township) may carry an outline, a GeoJSON ``Polygon`` or ``MultiPolygon`` geometry kept in a
JSONField and checked here (type, rings, coordinates in range, bounded size). The maps
(``county/maps.py``) register the outlines with ECharts; no tile server, no PostGIS, so the
SQLite demo works as PostgreSQL does.
"""

import itertools
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

MAX_OUTLINE_POINTS = 20_000  # per township
MAX_GEOJSON_BYTES = 5 * 1024 * 1024  # an uploaded outlines file
MAX_FEATURES = 500
QUANTUM = Decimal("0.000001")


def longitude_field(help_text="WGS-84 十进制度，如 104.123456。"):
    """经度: decimal degrees, -180 to 180, optional."""
    return models.DecimalField(
        "经度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=help_text,
    )


def latitude_field(help_text="WGS-84 十进制度，如 30.123456。"):
    """纬度: decimal degrees, -90 to 90, optional."""
    return models.DecimalField(
        "纬度",
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=help_text,
    )


def check_point(instance, errors):
    """Both or neither: add a field error to ``errors`` when only one is given."""
    lon, lat = instance.longitude, instance.latitude
    if (lon is None) != (lat is None):
        errors["latitude" if lat is None else "longitude"] = "经度和纬度须同时填写。"


def degrees(value, low, high, label):
    """A decimal number of degrees in [low, high], or ValueError with a Chinese message."""
    if isinstance(value, bool):
        raise ValueError(f"{label}不是有效的数字")
    text = str(value).strip().replace("°", "").replace("，", "").replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{label}“{value}”不是有效的十进制度数（如 104.0657）") from None
    if not number.is_finite() or not (low <= number <= high):
        raise ValueError(f"{label}“{value}”超出范围（应在 {low} 到 {high} 之间）")
    return number.quantize(QUANTUM)


def parse_longitude(value):
    return degrees(value, -180, 180, "经度")


def parse_latitude(value):
    return degrees(value, -90, 90, "纬度")


# --- outlines -----------------------------------------------------------------
def _check_ring(ring, where):
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(f"{where}：每个环至少要有 4 个坐标点（首尾相同）。")
    for point in ring:
        if (
            not isinstance(point, list)
            or len(point) < 2
            or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in point[:2])
        ):
            raise ValidationError(f"{where}：坐标须为 [经度, 纬度] 数字对。")
        lon, lat = point[0], point[1]
        if not (-180 <= lon <= 180) or not (-90 <= lat <= 90):
            raise ValidationError(f"{where}：坐标 [{lon}, {lat}] 超出经纬度范围。")
    if ring[0][:2] != ring[-1][:2]:
        raise ValidationError(f"{where}：环的首尾坐标须相同（闭合）。")
    return len(ring)


def validate_outline(geometry, where="乡镇边界"):
    """A GeoJSON Polygon or MultiPolygon geometry, in range and of bounded size."""
    if geometry in (None, ""):
        return
    if not isinstance(geometry, dict):
        raise ValidationError(f"{where}：须为 GeoJSON 几何对象。")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        raise ValidationError(f"{where}：几何类型须为 Polygon 或 MultiPolygon，而不是“{kind}”。")
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(f"{where}：缺少坐标。")
    count = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(f"{where}：多边形缺少坐标环。")
        for ring in polygon:
            count += _check_ring(ring, where)
            if count > MAX_OUTLINE_POINTS:
                raise ValidationError(f"{where}：坐标点超过 {MAX_OUTLINE_POINTS} 个，请先简化。")


def rings(geometry):
    """The outer rings of an outline (one per polygon)."""
    if not geometry:
        return []
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def centroid(geometry):
    """The area-weighted centroid of the outline's outer rings, (lon, lat), or None."""
    total = cx = cy = 0.0
    for ring in rings(geometry):
        for (x0, y0, *_), (x1, y1, *_) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            total += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if not total:
        return None
    return (cx / (3 * total), cy / (3 * total))


def contains(geometry, lon, lat):
    """Whether (lon, lat) lies inside one of the outline's outer rings (ray casting)."""
    for ring in rings(geometry):
        inside = False
        for (x0, y0, *_), (x1, y1, *_) in itertools.pairwise(ring):
            if (y0 > lat) != (y1 > lat) and lon < (x1 - x0) * (lat - y0) / (y1 - y0) + x0:
                inside = not inside
        if inside:
            return True
    return False


def parse_outlines(data):
    """A GeoJSON FeatureCollection (bytes or str) → [(name, geometry)], or ValidationError.

    Each feature names its township in ``properties.name`` (or 名称 / 乡镇); the geometry
    is checked by :func:`validate_outline`. Every error is collected, in Chinese.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_GEOJSON_BYTES:
            raise ValidationError(f"文件超过 {MAX_GEOJSON_BYTES // 1024 // 1024} MB。")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("文件不是 UTF-8 编码的 GeoJSON。") from None
    elif len(data) > MAX_GEOJSON_BYTES:
        raise ValidationError(f"文件超过 {MAX_GEOJSON_BYTES // 1024 // 1024} MB。")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        raise ValidationError("文件不是有效的 JSON。") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ValidationError("须为 GeoJSON FeatureCollection（每个乡镇一个 Feature）。")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError("文件中没有任何乡镇边界（features 为空）。")
    if len(features) > MAX_FEATURES:
        raise ValidationError(f"乡镇边界超过 {MAX_FEATURES} 个。")
    result, errors, seen = [], [], set()
    for number, feature in enumerate(features, start=1):
        where = f"第{number}个边界"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(f"{where}：不是 GeoJSON Feature。")
            continue
        properties = feature.get("properties") or {}
        name = ""
        if isinstance(properties, dict):
            name = next(
                (str(properties[k]).strip() for k in ("name", "名称", "乡镇") if properties.get(k)),
                "",
            )
        if not name:
            errors.append(f"{where}：properties 中缺少乡镇名称（name）。")
            continue
        where = f"{where}（{name}）"
        if name in seen:
            errors.append(f"{where}：乡镇重复。")
            continue
        seen.add(name)
        try:
            validate_outline(feature.get("geometry"), where)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        if not feature.get("geometry"):
            errors.append(f"{where}：缺少几何（geometry）。")
            continue
        result.append((name, feature["geometry"]))
    if errors:
        raise ValidationError(errors)
    return result


def apply_outlines(outlines):
    """Give each named township its outline; all or nothing. Returns the number set.

    Names are resolved like the ledgers' (full name, alias, name without 县).
    """
    from .models import Unit
    from .naming import UnitResolver

    resolver = UnitResolver(Unit.objects.townships().filter(is_active=True))
    found, errors = [], []
    for name, geometry in outlines:
        unit = resolver.resolve(name)
        if unit is None:
            errors.append(f"“{name}”不是本县的乡镇（街道）。")
        else:
            found.append((unit, geometry))
    if errors:
        raise ValidationError(errors)
    for unit, geometry in found:
        unit.outline = geometry
        unit.save(update_fields=["outline"])
    return len(found)

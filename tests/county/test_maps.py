"""Places and maps: 经度/纬度 parsers and ledger columns, township outlines (GeoJSON), the
demo county's fictional map, the set-up workbook's village points, and the map endpoints'
scoping (the list's filters over ``visible_to``)."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from abandoned_land.models import Parcel
from county import places
from county.demo_places import BOX, outlines
from county.ledger import CellError, parsers
from county.models import Unit, Village
from county.setup.apply import run_setup
from county.setup.template import DEMO_WORKBOOK
from environment.models import Problem
from tests.abandoned_land.conftest import HEADER, workbook

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[103.5, 29.8], [103.6, 29.8], [103.6, 29.9], [103.5, 29.9], [103.5, 29.8]]],
}


def feature(name, geometry=SQUARE):
    return {"type": "Feature", "properties": {"name": name}, "geometry": geometry}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


# --- parsers ----------------------------------------------------------------------------------
def test_degrees_are_read_in_range_and_refused_outside_in_chinese():
    assert parsers.longitude("104.065735") == Decimal("104.065735")
    assert parsers.latitude(" 30.5°") == Decimal("30.500000")
    assert parsers.longitude(-179.5) == Decimal("-179.500000")
    with pytest.raises(CellError, match="经度“181”超出范围（应在 -180 到 180 之间）"):
        parsers.longitude("181")
    with pytest.raises(CellError, match=r"纬度“91\.2”超出范围"):
        parsers.latitude("91.2")
    with pytest.raises(CellError, match="不是有效的十进制度数"):
        parsers.latitude("北纬30度")
    with pytest.raises(CellError):
        parsers.longitude("nan")


def test_a_point_needs_both_coordinates(demo):
    village = Village.objects.first()
    village.longitude, village.latitude = Decimal("103.5"), None
    with pytest.raises(ValidationError) as error:
        village.full_clean()
    assert error.value.message_dict["latitude"] == ["经度和纬度须同时填写。"]
    village.latitude = Decimal("95")
    with pytest.raises(ValidationError) as error:
        village.full_clean()
    assert "latitude" in error.value.message_dict


# --- ledger columns ----------------------------------------------------------------------------
def parcel_row(code, lon, lat):
    return [1, "城关镇", "坪阳村", code, 3, 2020, None, None, None, None, None, None, None,
            "已排查", None, lon, lat]  # fmt: skip


@pytest.fixture
def parcel_ledger(demo):
    from county.registry import registry

    village = Village.objects.filter(township__name="城关镇").first()
    return registry.get("abandoned_land").ledger, village.name


def test_the_parcel_ledger_reads_jing_du_and_wei_du(parcel_ledger):
    ledger, village = parcel_ledger
    row = parcel_row("MAP-0001", "103.55", 29.85)
    row[2] = village
    report = ledger.run_import(workbook([row], header=[*HEADER, "经度", "纬度"]), None)
    assert report.ok, [str(e) for e in report.errors]
    parcel = Parcel.objects.get(code="MAP-0001")
    assert (parcel.longitude, parcel.latitude) == (Decimal("103.550000"), Decimal("29.850000"))


def test_the_parcel_ledger_refuses_a_coordinate_out_of_range_with_a_chinese_row_error(
    parcel_ledger,
):
    ledger, village = parcel_ledger
    before = Parcel.objects.count()
    bad, half = parcel_row("MAP-0002", "103.55", "95"), parcel_row("MAP-0003", "103.55", None)
    bad[2] = half[2] = village
    report = ledger.run_import(workbook([bad, half], header=[*HEADER, "经度", "纬度"]), None)
    assert not report.ok
    assert [str(e) for e in report.errors] == [
        "第3行「纬度」：纬度“95”超出范围（应在 -90 到 90 之间）",
        "第4行「纬度」：经度和纬度须同时填写",
    ]
    assert Parcel.objects.count() == before


def test_the_problem_ledger_exports_and_reads_points(demo):
    from county.registry import registry

    ledger = registry.get("environment").ledger
    problem = Problem.objects.order_by("number").first()
    book = openpyxl.load_workbook(io.BytesIO(ledger.export(Problem.objects.filter(pk=problem.pk))))
    sheet = book.active
    headers = [c.value for c in sheet[3]]
    lon, lat = headers.index("经度") + 1, headers.index("纬度") + 1
    assert Decimal(str(sheet.cell(4, lon).value)) == problem.longitude

    def imported(longitude, latitude):
        sheet.cell(4, lon).value, sheet.cell(4, lat).value = longitude, latitude
        buffer = io.BytesIO()
        book.save(buffer)
        return ledger.run_import(buffer.getvalue(), None)

    report = imported("103.6", "29.9")
    assert report.ok, [str(e) for e in report.errors]
    problem.refresh_from_db()
    assert (problem.longitude, problem.latitude) == (Decimal("103.600000"), Decimal("29.900000"))
    report = imported("-200", "29.9")
    assert [str(e) for e in report.errors] == [
        "第4行「经度」：经度“-200”超出范围（应在 -180 到 180 之间）"
    ]


# --- outlines ----------------------------------------------------------------------------------
def test_a_geojson_file_of_outlines_is_accepted(demo, tmp_path):
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    path = tmp_path / "towns.geojson"
    path.write_bytes(collection(feature("城关镇"), feature("东兴镇", multi)))
    out = io.StringIO()
    call_command("load_township_outlines", str(path), stdout=out)
    assert "已导入 2 个乡镇" in out.getvalue()
    assert Unit.objects.get(name="城关镇").outline == SQUARE
    assert Unit.objects.get(name="东兴镇").outline["type"] == "MultiPolygon"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"{not json", "文件不是有效的 JSON。"),
        (json.dumps({"type": "Feature"}).encode(), "须为 GeoJSON FeatureCollection"),
        (
            collection(feature("城关镇", {"type": "Point", "coordinates": [103.5, 29.8]})),
            "几何类型须为 Polygon 或 MultiPolygon",
        ),
        (
            collection(
                feature(
                    "城关镇",
                    {"type": "Polygon", "coordinates": [[[1, 2], [200, 2], [1, 3], [1, 2]]]},
                )
            ),
            "坐标 [200, 2] 超出经纬度范围",
        ),
        (
            collection(
                feature(
                    "城关镇", {"type": "Polygon", "coordinates": [[[1, 2], [2, 2], [1, 3], [1, 4]]]}
                )
            ),
            "环的首尾坐标须相同",
        ),
        (collection(feature("不存在镇")), "“不存在镇”不是本县的乡镇（街道）"),
        (collection(feature("城关镇"), feature("城关镇")), "乡镇重复"),
    ],
)
def test_a_bad_geojson_file_is_refused_and_writes_nothing(demo, tmp_path, data, message):
    before = Unit.objects.get(name="城关镇").outline
    path = tmp_path / "bad.geojson"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="未导入") as error:
        call_command("load_township_outlines", str(path), stdout=io.StringIO())
    assert message in str(error.value)
    assert Unit.objects.get(name="城关镇").outline == before


def test_an_outline_of_too_many_points_is_refused():
    ring = [[103 + i * 1e-5, 29.0] for i in range(places.MAX_OUTLINE_POINTS)]
    ring += [[103.0, 29.1], [103.0, 29.0]]
    with pytest.raises(ValidationError, match="坐标点超过"):
        places.validate_outline({"type": "Polygon", "coordinates": [ring]})


def test_the_setup_page_uploads_outlines_for_the_admin_only(client, user_named):
    url = reverse("setup:outlines")
    client.force_login(user_named("t02"))
    assert client.get(url).status_code == 403
    client.force_login(user_named("admin"))
    upload = io.BytesIO(collection(feature("城关镇")))
    upload.name = "towns.geojson"
    response = client.post(url, {"file": upload}, follow=True)
    assert "已导入 1 个乡镇" in response.content.decode()
    bad = io.BytesIO(collection(feature("城关镇", {"type": "LineString", "coordinates": []})))
    bad.name = "bad.geojson"
    page = client.post(url, {"file": bad}).content.decode()
    assert "未导入" in page and "LineString" in page


# --- the demo county's map ---------------------------------------------------------------------
def test_the_demo_outlines_tile_one_box_and_are_deterministic():
    names = [f"乡{i}" for i in range(20)]
    shapes = outlines(names)
    assert shapes == outlines(names)
    for shape in shapes.values():
        places.validate_outline(shape)
    west, south, east, north = BOX
    for i in range(1, 30):
        for j in range(1, 20):
            lon = west + (east - west) * i / 30 + 1e-4
            lat = south + (north - south) * j / 20 + 1e-4
            inside = [n for n, s in shapes.items() if places.contains(s, lon, lat)]
            assert len(inside) == 1, (lon, lat, inside)


def test_demo_villages_parcels_and_problems_lie_in_their_township(demo):
    townships = {u.pk: u.outline for u in Unit.objects.townships()}
    assert all(townships.values())
    for model in (Village, Parcel, Problem):
        rows = model.objects.values_list("township_id", "longitude", "latitude")
        assert rows and all(lon is not None for _, lon, _ in rows), model
        outside = [
            r for r in rows if not places.contains(townships[r[0]], float(r[1]), float(r[2]))
        ]
        # a point near a village may fall just over its township's border; never many
        assert len(outside) <= len(rows) * 0.02, (model, len(outside))


def test_the_setup_workbook_reads_village_points(demo):
    book = openpyxl.load_workbook(io.BytesIO(DEMO_WORKBOOK.read_bytes()))
    sheet = book["村（社区）"]
    header = next(r for r in sheet.iter_rows() if any(c.value == "名称" for c in r))
    column = max(c.column for c in header if c.value) + 1
    sheet.cell(header[0].row, column, "经度")
    sheet.cell(header[0].row, column + 1, "纬度")
    first = header[0].row + 1
    sheet.cell(first, column, "103.612345")
    sheet.cell(first, column + 1, "29.8")
    sheet.cell(first + 1, column, "200")
    sheet.cell(first + 1, column + 1, "29.8")
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_setup(buffer.getvalue(), dry_run=True)
    assert [str(e) for e in report.errors] == [
        f"「村（社区）」第{first + 1}行「经度」：经度“200”超出范围（应在 -180 到 180 之间）"
    ]
    sheet.cell(first + 1, column).value = None
    sheet.cell(first + 1, column + 1).value = None
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_setup(buffer.getvalue())
    assert report.ok, [str(e) for e in report.errors]
    township, name = sheet.cell(first, 1).value, sheet.cell(first, 2).value
    village = Village.objects.get(township__name=township, name=name)
    assert (village.longitude, village.latitude) == (Decimal("103.612345"), Decimal("29.800000"))


# --- the endpoints ---------------------------------------------------------------------------
def test_the_outlines_are_served_to_logged_in_users_cached(client, user_named):
    url = reverse("county:townships_geojson")
    assert client.get(url).status_code == 302
    client.force_login(user_named("t02"))
    response = client.get(url)
    assert response.status_code == 200
    document = json.loads(response.content)
    assert len(document["features"]) == Unit.objects.townships().count()
    assert {f["properties"]["name"] for f in document["features"]} >= {"城关镇", "文昌街道"}
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert client.get(url, HTTP_IF_NONE_MATCH=zipped["ETag"]).status_code == 304  # W/"…"


MAPS = [
    ("environment:problem_map_data", Problem, "township"),
    ("abandoned_land:parcel_map_data", Parcel, "township"),
]


@pytest.mark.parametrize("name, model, path", MAPS)
def test_staff_see_only_their_townships_points(client, user_named, name, model, path):
    staff = user_named("t02")
    client.force_login(staff)
    data = client.get(reverse(name)).json()
    visible = model.objects.visible_to(staff)
    assert data["total"] == visible.count() > 0
    urls = {p["url"] for p in data["points"]}
    own = {
        model.objects.get(pk=pk).get_absolute_url() for pk in visible.values_list("pk", flat=True)
    }
    assert urls == own
    assert set(data["shading"]["values"]) <= {"城关镇"}
    client.force_login(user_named("admin"))
    assert client.get(reverse(name)).json()["total"] == model.objects.count()


def test_the_map_takes_the_lists_query_string(client, user_named):
    client.force_login(user_named("sup_d18"))
    url = reverse("environment:problem_map_data")
    closed = client.get(url, {"status": "closed"}).json()
    assert closed["total"] == Problem.objects.filter(status="closed").count()
    assert {p["group"] for p in closed["points"]} == {"已销号"}
    stubborn = client.get(url, {"stubborn": "1"}).json()
    assert all(p["marks"] == ["顽固问题"] for p in stubborn["points"])
    assert stubborn["total"] == Problem.objects.stubborn().count()
    township = Unit.objects.get(name="东兴镇")
    one = client.get(url, {"township": township.pk}).json()
    assert one["total"] == Problem.objects.filter(township=township).count()


def test_parcels_marked_reabandoned_and_at_risk(client, user_named):
    client.force_login(user_named("sup_d21"))
    data = client.get(reverse("abandoned_land:parcel_map_data"), {"status": "reabandoned"}).json()
    assert data["total"] == Parcel.objects.reabandoned().count() > 0
    assert all("复撂荒" in p["marks"] for p in data["points"])
    risky = client.get(reverse("abandoned_land:parcel_map_data"), {"at_risk": "1"}).json()
    assert risky["total"] == Parcel.objects.at_risk().count()
    assert all("整治后无种植计划" in p["marks"] for p in risky["points"])


def test_plan_areas_sit_at_their_townships(client, user_named):
    from landplan.models import PlanArea

    client.force_login(user_named("leader01"))
    data = client.get(reverse("landplan:area_map_data")).json()
    assert data["total"] == PlanArea.objects.count()
    west, south, east, north = BOX
    assert all(
        west <= p["value"][0] <= east and south <= p["value"][1] <= north for p in data["points"]
    )
    assert sum(data["shading"]["values"].values()) >= data["total"]


def test_map_pages_render_the_lists_filter_form(client, user_named):
    client.force_login(user_named("t02"))
    for name in ("environment:problem_map", "abandoned_land:parcel_map", "landplan:area_map"):
        page = client.get(reverse(name), {"status": ""}).content.decode()
        assert "data-county-map" in page and 'name="township"' in page, name


def test_the_served_outlines_follow_a_renamed_township(client, user_named):
    client.force_login(user_named("t02"))
    url = reverse("county:townships_geojson")
    client.get(url)
    town = Unit.objects.get(name="东兴镇")
    town.name = "东兴新镇"
    town.save()
    names = {f["properties"]["name"] for f in client.get(url).json()["features"]}
    assert "东兴新镇" in names and "东兴镇" not in names

"""Pages: overview figures and links, the list's filters and constant queries, the forms."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abandoned_land.models import Inspection, Parcel

LIST = reverse("abandoned_land:parcel_list")


def test_overview_figures_link_to_their_lists(client, user_named):
    client.force_login(user_named("sup_d21"))
    page = client.get(reverse("abandoned_land:overview"))
    assert page.status_code == 200
    data = page.context["data"]
    assert data["count"] == Parcel.objects.count()
    assert data["at_risk_count"] == Parcel.objects.at_risk().count()
    assert data["reabandoned_count"] == Parcel.objects.filter(status="reabandoned").count()
    html = page.content.decode()
    for query in ("at_risk=1", "status=reabandoned", "status=still_abandoned", "status=in_use"):
        assert f'href="{LIST}?{query}"' in html
    assert "echarts.min.js" in html and "chart-townships" in html
    townships = page.context["charts"]["townships"]
    assert len(townships["labels"]) == 20


def test_overview_is_scoped_for_a_township(client, user_named):
    client.force_login(user_named("t02"))
    data = client.get(reverse("abandoned_land:overview")).context["data"]
    assert data["count"] == Parcel.objects.filter(township__name="城关镇").count()


def test_list_filters(client, user_named, unit_named):
    client.force_login(user_named("sup_d21"))
    town = unit_named("城关镇")
    cases = {
        "at_risk=1": Parcel.objects.at_risk(),
        "status=reabandoned": Parcel.objects.filter(status="reabandoned"),
        f"township={town.pk}&status=planted": Parcel.objects.filter(
            township=town, status="planted"
        ),
        "season=perennial": Parcel.objects.filter(season="perennial"),
        "operator_type=cooperative&crop=玉米": Parcel.objects.filter(
            operator_type="cooperative", crop="玉米"
        ),
        "cause=灌溉条件差&method=合作社托管": Parcel.objects.filter(
            cause="灌溉条件差", method="合作社托管"
        ),
        "area_min=10&area_max=12": Parcel.objects.filter(area__gte=10, area__lte=12),
        "q=坪阳": Parcel.objects.filter(village__name__contains="坪阳"),
        "overdue=1": Parcel.objects.filter(
            status="remediated", planting_deadline__lt=datetime.date.today()
        ),
    }
    for query, expected in cases.items():
        page = client.get(f"{LIST}?{query}")
        assert page.status_code == 200
        assert page.context["paginator"].count == expected.count() > 0, query


def test_list_query_count_does_not_grow_with_rows(client, user_named, make_parcel):
    client.force_login(user_named("t02"))
    make_parcel()
    with CaptureQueriesContext(connection) as few:
        client.get(f"{LIST}?q=TEST-")
    for _ in range(29):
        make_parcel()
    with CaptureQueriesContext(connection) as many:
        page = client.get(f"{LIST}?q=TEST-")
    assert page.context["paginator"].count == 30
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as full:
        client.get(LIST)
    # lit rows (a planting deadline) read the working-day calendar once for the 临期 window
    assert len(full) <= len(few) + 1


def test_update_form_shows_chinese_errors_beside_fields(client, make_parcel, user_named):
    parcel = make_parcel()
    client.force_login(user_named("t02"))
    url = reverse("abandoned_land:parcel_update", args=[parcel.pk])
    response = client.post(
        url,
        {
            "status": "planted",
            "remediated_on": "2026-03-01",
            "method": "合作社托管",
            "version": parcel.version,
            "inspected_on": datetime.date.today().isoformat(),
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "须填写种植作物" in form.errors["crop"][0]
    assert "is-invalid" in form.fields["crop"].widget.attrs["class"]
    response = client.post(
        url,
        {
            "status": "reabandoned",
            "remediated_on": "2026-03-01",
            "method": "合作社托管",
            "version": parcel.version,
            "inspected_on": datetime.date.today().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "须填写巡查发现的情况" in response.context["form"].errors["finding"][0]
    assert Parcel.objects.get(pk=parcel.pk).status == "remediated"


def test_update_records_planting_history_and_inspection(client, make_parcel, user_named):
    parcel = make_parcel()
    client.force_login(user_named("t02"))
    response = client.post(
        reverse("abandoned_land:parcel_update", args=[parcel.pk]),
        {
            "status": "planted",
            "remediated_on": "2026-03-01",
            "method": "合作社托管",
            "crop": "油菜",
            "season": "winter",
            "operator": "南乐村合作社",
            "operator_type": "cooperative",
            "finding": "已播种油菜",
            "version": parcel.version,
            "inspected_on": datetime.date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    parcel.refresh_from_db()
    assert (parcel.status, parcel.crop, parcel.is_at_risk) == ("planted", "油菜", False)
    record = Inspection.objects.get(parcel=parcel)
    assert (record.status_before, record.status_after, record.finding) == (
        "remediated",
        "planted",
        "已播种油菜",
    )
    page = client.get(parcel.get_absolute_url())
    html = page.content.decode()
    assert "已整治 → <strong>已种植</strong>" in html
    assert "种植作物：（空） → " in html and "城关镇经办人" in html


def test_plain_inspection_and_its_errors(client, make_parcel, user_named):
    parcel = make_parcel()
    client.force_login(user_named("t02"))
    url = reverse("abandoned_land:inspection_create", args=[parcel.pk])
    response = client.post(url, {"inspected_on": "2099-01-01", "finding": ""})
    assert response.status_code == 400
    errors = response.context["inspection_form"].errors
    assert "请填写巡查情况。" in errors["finding"] and "不能晚于今天" in errors["inspected_on"][0]
    response = client.post(url, {"inspected_on": "2026-01-05", "finding": "苗情良好"})
    assert response.status_code == 302
    assert Inspection.objects.get(parcel=parcel).finding == "苗情良好"


def test_export_follows_the_list_filters(client, user_named):
    import io

    import openpyxl

    client.force_login(user_named("sup_d21"))
    response = client.get(reverse("ledger:export", args=["abandoned_land"]) + "?at_risk=1")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3 + Parcel.objects.at_risk().count()


def test_cockpit_shows_the_workstream(client, user_named):
    client.force_login(user_named("leader01"))
    html = client.get(reverse("county:cockpit")).content.decode()
    assert "整治后无种植计划" in html and "复撂荒地块" in html


def test_overview_township_table_links_to_filtered_lists(client, user_named, unit_named):
    client.force_login(user_named("leader01"))
    page = client.get(reverse("abandoned_land:overview"))
    town = unit_named("城关镇")
    (row,) = [r for r in page.context["townships"] if r["township"] == town.pk]
    assert row["count"] == Parcel.objects.filter(township=town).count()
    assert row["at_risk"] == Parcel.objects.at_risk().filter(township=town).count()
    assert f'href="{LIST}?township={town.pk}&amp;at_risk=1"' in page.content.decode()


def test_ledger_pages_are_for_supervisors(client, user_named):
    url = reverse("ledger:import", args=["abandoned_land"])
    client.force_login(user_named("t02"))
    assert client.get(url).status_code == 403
    client.force_login(user_named("sup_d21"))
    assert client.get(url).status_code == 200


def test_overview_ties_remediation_to_the_autumn_winter_sowing(client, user_named):
    from decimal import Decimal

    from django.db.models import Sum

    client.force_login(user_named("sup_d21"))
    page = client.get(reverse("abandoned_land:overview"))
    expected = Parcel.objects.filter(
        status__in=["planted", "consolidated"], season="winter"
    ).aggregate(s=Sum("area"))["s"]
    assert page.context["data"]["winter_area"] == expected.quantize(Decimal("0.01"))
    assert f"{LIST}?status=in_use&amp;season=winter" in page.content.decode()


def test_an_absurd_township_id_in_the_query_is_no_500(client, demo, user_named):
    client.force_login(user_named("sup_d21"))
    response = client.get("/abandoned_land/parcels/", {"township": "9" * 25})
    assert response.status_code == 200

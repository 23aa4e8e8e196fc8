"""Who sees and changes which parcels, in pages and API."""

import pytest
from django.urls import reverse

from abandoned_land.models import Inspection, Parcel


@pytest.fixture
def parcels(make_parcel):
    return {"town": make_parcel("城关镇"), "other": make_parcel("东兴镇")}


def visible_codes(username, user_named):
    return set(Parcel.objects.visible_to(user_named(username)).values_list("code", flat=True))


def test_township_sees_only_its_parcels_readers_see_all(parcels, user_named):
    mine = {parcels["town"].code, parcels["other"].code}
    assert visible_codes("t02", user_named) & mine == {parcels["town"].code}
    assert visible_codes("t03", user_named) & mine == {parcels["other"].code}
    assert not visible_codes("d21", user_named)  # 县农业农村局 staff own no parcels
    for reader in ("sup_d21", "sup_d17", "leader01", "admin"):
        assert visible_codes(reader, user_named) >= mine


def test_another_townships_parcel_is_404_in_pages(client, parcels, user_named):
    client.force_login(user_named("t02"))
    other = parcels["other"]
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("abandoned_land:parcel_update", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("abandoned_land:inspection_create", args=[other.pk]),
        {"inspected_on": "2026-01-05", "finding": "x"},
    )
    assert response.status_code == 404
    assert client.get(parcels["town"].get_absolute_url()).status_code == 200


def test_leader_reads_but_cannot_write(client, api, parcels, user_named):
    leader = user_named("leader01")
    client.force_login(leader)
    page = client.get(parcels["town"].get_absolute_url())
    assert page.status_code == 200 and "更新种植与状态" not in page.content.decode()
    url = reverse("abandoned_land:parcel_update", args=[parcels["town"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "planted"}).status_code == 403
    api.force_authenticate(leader)
    detail = f"/api/abandoned_land/parcels/{parcels['town'].pk}/"
    assert api.get(detail).status_code == 200
    assert api.patch(detail, {"crop": "玉米"}, format="json").status_code == 403
    assert api.post("/api/abandoned_land/parcels/", {}, format="json").status_code == 403


def test_other_workstreams_supervisor_reads_but_cannot_write(client, parcels, user_named):
    client.force_login(user_named("sup_d17"))
    assert client.get(parcels["town"].get_absolute_url()).status_code == 200
    url = reverse("abandoned_land:parcel_update", args=[parcels["town"].pk])
    assert client.get(url).status_code == 403


def test_staff_cannot_change_base_data_supervisor_can(client, api, parcels, user_named):
    parcel = parcels["town"]
    client.force_login(user_named("t02"))
    form = client.get(reverse("abandoned_land:parcel_update", args=[parcel.pk])).context["form"]
    assert "area" not in form.fields and "village" not in form.fields and "crop" in form.fields
    api.force_authenticate(user_named("t02"))
    detail = f"/api/abandoned_land/parcels/{parcel.pk}/"
    assert api.patch(detail, {"area": "99.00"}, format="json").status_code == 403
    assert api.delete(detail).status_code == 403
    assert api.post("/api/abandoned_land/parcels/", {}, format="json").status_code == 403
    api.force_authenticate(user_named("sup_d21"))
    assert api.patch(detail, {"area": "99.00"}, format="json").status_code == 200
    assert Parcel.objects.get(pk=parcel.pk).area == 99


def test_api_scoping_for_township(api, parcels, user_named):
    api.force_authenticate(user_named("t02"))
    listed = api.get("/api/abandoned_land/parcels/", {"page_size": 500}).json()
    codes = {row["code"] for row in listed["results"]}
    assert parcels["town"].code in codes and parcels["other"].code not in codes
    assert all(row["township_name"] == "城关镇" for row in listed["results"])
    other = f"/api/abandoned_land/parcels/{parcels['other'].pk}/"
    assert api.get(other).status_code == 404
    assert api.patch(other, {"crop": "玉米"}, format="json").status_code == 404
    response = api.post(
        "/api/abandoned_land/inspections/",
        {"parcel": parcels["other"].pk, "finding": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert not Inspection.objects.filter(parcel=parcels["other"]).exists()


def test_supervisor_reassign_refuses_a_village_of_another_township(client, parcels, user_named):
    """The township and village move only on 调整乡镇/村 (issue 20), with the same check."""
    parcel = parcels["town"]
    other_village = parcels["other"].village
    client.force_login(user_named("sup_d21"))
    url = reverse("abandoned_land:parcel_reassign", args=[parcel.pk])
    data = {"township": parcel.township_id, "village": other_village.pk, "reason": "核实"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["village"] == ["该村（社区）不属于所选乡镇。"]
    update = reverse("abandoned_land:parcel_update", args=[parcel.pk])
    data = {
        "code": parcel.code,
        "area": "6.00",
        "status": "remediated",
        "remediated_on": "2026-03-01",
        "method": "合作社托管",
        "inspected_on": "2026-03-02",
        "version": parcel.version,
    }
    assert client.post(update, data).status_code == 302
    assert str(Parcel.objects.get(pk=parcel.pk).area) == "6.00"


def test_supervisor_creates_through_the_api_with_the_same_checks(api, parcels, user_named):
    api.force_authenticate(user_named("sup_d21"))
    town = parcels["town"]
    payload = {
        "code": "API-0001",
        "township": town.township_id,
        "village": parcels["other"].village_id,
        "area": "3.20",
        "status": "surveyed",
    }
    response = api.post("/api/abandoned_land/parcels/", payload, format="json")
    assert response.status_code == 400 and "village" in response.json()
    payload["village"] = town.village_id
    response = api.post("/api/abandoned_land/parcels/", payload, format="json")
    assert response.status_code == 201 and response.json()["township_name"] == "城关镇"

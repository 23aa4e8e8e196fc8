"""The API: the same FilterSet and rules as the pages, the summary, the schema."""

from abandoned_land.models import Inspection, Parcel


def test_township_records_crop_and_operator_through_the_api(api, make_parcel, user_named):
    parcel = make_parcel()
    api.force_authenticate(user_named("t02"))
    url = f"/api/abandoned_land/parcels/{parcel.pk}/"
    assert api.get(url).json()["is_at_risk"] is True
    response = api.patch(url, {"crop": "油菜", "operator": "南乐村合作社"}, format="json")
    assert response.status_code == 200 and response.json()["is_at_risk"] is False
    response = api.patch(url, {"status": "consolidated"}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    response = api.patch(url, {"status": "reabandoned"}, format="json")
    assert response.status_code == 400 and "finding" in response.json()
    response = api.patch(url, {"status": "reabandoned", "finding": "又荒了"}, format="json")
    assert response.status_code == 200 and response.json()["is_reabandoned"] is True
    record = Inspection.objects.get(parcel=parcel)
    assert (record.status_after, record.finding, record.user.username) == (
        "reabandoned",
        "又荒了",
        "t02",
    )


def test_api_filters_match_the_list(api, user_named):
    api.force_authenticate(user_named("sup_d21"))
    data = api.get("/api/abandoned_land/parcels/", {"at_risk": "1"}).json()
    assert data["count"] == Parcel.objects.at_risk().count() > 0
    data = api.get("/api/abandoned_land/parcels/", {"status": "reabandoned", "crop": "none"}).json()
    assert data["count"] == Parcel.objects.filter(status="reabandoned", crop="").count()


def test_summary_endpoint_is_scoped(api, user_named):
    api.force_authenticate(user_named("t02"))
    mine = api.get("/api/abandoned_land/parcels/summary/").json()
    api.force_authenticate(user_named("leader01"))
    everything = api.get("/api/abandoned_land/parcels/summary/").json()
    assert 0 < mine["count"] < everything["count"]
    assert mine["count"] == Parcel.objects.filter(township__name="城关镇").count()


def test_schema_lists_the_endpoints(api, user_named):
    api.force_authenticate(user_named("admin"))
    schema = api.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert "/api/abandoned_land/parcels/" in schema.json()["paths"]


def test_api_list_query_count_does_not_grow_with_rows(api, make_parcel, user_named):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.force_authenticate(user_named("t02"))
    make_parcel()
    with CaptureQueriesContext(connection) as few:
        api.get("/api/abandoned_land/parcels/", {"q": "TEST-"})
    for _ in range(20):
        make_parcel()
    with CaptureQueriesContext(connection) as many:
        data = api.get("/api/abandoned_land/parcels/", {"q": "TEST-"}).json()
    assert data["count"] == 21 and len(many) == len(few)

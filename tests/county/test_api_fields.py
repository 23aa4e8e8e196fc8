"""API fields say what the pages say, and the API does not tell which ids exist.

- a progress report's author is a person, or the system for an imported one (named as the
  change history names it), never a Python repr;
- problems and inspections (environment), parcels and their inspections (abandoned_land)
  carry their point (longitude, latitude) as the pages and maps do; a problem's point is set
  when it is recorded (as the field app does) and not moved afterwards, the others are read-only;
- posting a progress report on another unit's sub-task, or an inspection of another
  township's parcel, answers exactly as posting with an id that does not exist.
"""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from county.history import IMPORT, SYSTEM_NAMES
from county.status import today

pytestmark = pytest.mark.django_db

MISSING = 987654321


@pytest.fixture
def api():
    return APIClient()


def results(response):
    assert response.status_code == 200, response.content
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


# ---- who wrote a progress report --------------------------------------------------------------
def test_an_imported_progress_report_is_written_by_the_system(api, user_named):
    from reforms.models import ProgressReport, SubTask

    user = user_named("d21")
    task = SubTask.objects.visible_to(user).first()
    imported = ProgressReport.objects.create(
        subtask=task, text="台账里的进展", percent=40, from_import=True
    )
    mine = ProgressReport.objects.create(subtask=task, text="本人填报", percent=50, author=user)
    api.force_authenticate(user)
    rows = {r["id"]: r for r in results(api.get("/api/reforms/progress/", {"subtask": task.pk}))}
    assert rows[imported.pk]["author_name"] == SYSTEM_NAMES[IMPORT] == "系统（台账导入）"
    assert rows[mine.pk]["author_name"] == str(user)
    assert not any("method-wrapper" in r["author_name"] for r in rows.values())


# ---- places -----------------------------------------------------------------------------------
def test_problems_carry_their_point_set_on_create_only(api, user_named, unit_named):
    from environment.models import Problem, ProblemCategory

    api.force_authenticate(user_named("sup_d18"))
    payload = {
        "found_on": today().isoformat(),
        "deadline": (today() + datetime.timedelta(days=7)).isoformat(),
        "township": unit_named("城关镇").pk,
        "category": ProblemCategory.objects.filter(is_active=True).first().pk,
        "description": "河道边堆放垃圾",
        "longitude": "104.065735",
        "latitude": "30.659462",
        "location_accuracy": 12,
    }
    created = api.post("/api/environment/problems/", payload, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["longitude"], body["latitude"], body["location_accuracy"]) == (
        "104.065735",
        "30.659462",
        12,
    )
    problem = Problem.objects.get(pk=body["id"])
    assert problem.longitude == Decimal("104.065735") and problem.latitude == Decimal("30.659462")

    detail = api.get(f"/api/environment/problems/{problem.pk}/").json()
    assert detail["longitude"] == "104.065735" and detail["location_accuracy"] == 12
    moved = api.patch(
        f"/api/environment/problems/{problem.pk}/",
        {"longitude": "100.000000", "latitude": "20.000000"},
        format="json",
        HTTP_IF_MATCH=api.get(f"/api/environment/problems/{problem.pk}/")["ETag"],
    )
    assert moved.status_code == 200, moved.content
    problem.refresh_from_db()
    assert problem.longitude == Decimal("104.065735")  # no form moves a recorded point

    half = api.post("/api/environment/problems/", {**payload, "latitude": None}, format="json")
    assert half.status_code == 400 and "经度和纬度须同时填写" in str(half.json())


def test_environment_inspections_carry_their_point(api, user_named):
    from environment.models import Inspection

    inspection = Inspection.objects.first()
    Inspection.objects.filter(pk=inspection.pk).update(
        longitude=Decimal("104.1"), latitude=Decimal("30.2")
    )
    api.force_authenticate(user_named("sup_d18"))
    row = api.get(f"/api/environment/inspections/{inspection.pk}/").json()
    assert (row["longitude"], row["latitude"]) == ("104.100000", "30.200000")


def test_parcels_and_their_inspections_carry_the_parcel_point(api, user_named):
    from abandoned_land.models import Inspection, Parcel

    user = user_named("t02")
    parcel = Parcel.objects.visible_to(user).first()
    Parcel.objects.filter(pk=parcel.pk).update(
        longitude=Decimal("104.123456"), latitude=Decimal("30.654321")
    )
    visit = Inspection.objects.create(parcel=parcel, finding="已种上玉米", user=user)
    api.force_authenticate(user)
    row = api.get(f"/api/abandoned_land/parcels/{parcel.pk}/").json()
    assert (row["longitude"], row["latitude"]) == ("104.123456", "30.654321")
    rows = {r["id"]: r for r in results(api.get("/api/abandoned_land/inspections/"))}
    assert (rows[visit.pk]["longitude"], rows[visit.pk]["latitude"]) == (
        "104.123456",
        "30.654321",
    )
    assert rows[visit.pk]["user_name"] == str(user)
    # read-only, as on the parcel's page: the point comes with the ledger
    api.patch(
        f"/api/abandoned_land/parcels/{parcel.pk}/",
        {"longitude": "100.000000"},
        format="json",
        HTTP_IF_MATCH=api.get(f"/api/abandoned_land/parcels/{parcel.pk}/")["ETag"],
    )
    parcel.refresh_from_db()
    assert parcel.longitude == Decimal("104.123456")


def test_a_parcel_without_a_point_says_so(api, user_named):
    from abandoned_land.models import Inspection, Parcel

    user = user_named("t02")
    parcel = Parcel.objects.visible_to(user).first()
    Parcel.objects.filter(pk=parcel.pk).update(longitude=None, latitude=None)
    visit = Inspection.objects.create(parcel=parcel, finding="无变化", user=None)
    api.force_authenticate(user)
    rows = {r["id"]: r for r in results(api.get("/api/abandoned_land/inspections/"))}
    assert rows[visit.pk]["longitude"] is None and rows[visit.pk]["latitude"] is None
    assert rows[visit.pk]["user_name"] == "系统"


# ---- ids of other units are not told apart from missing ones -----------------------------------
def test_progress_on_another_units_subtask_answers_as_a_missing_one(api, user_named):
    from reforms.models import ProgressReport, SubTask

    user = user_named("d21")
    hidden = SubTask.objects.exclude(pk__in=SubTask.objects.visible_to(user).values("pk")).first()
    assert hidden is not None
    api.force_authenticate(user)

    def post(pk):
        body = {"subtask": pk, "text": "进展", "percent": 10}
        return api.post("/api/reforms/progress/", body, format="json")

    other, missing = post(hidden.pk), post(MISSING)
    # 404, as for reading another unit's sub-task (tests/reforms/test_api.py)
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json() == {"detail": "细分任务不存在。"}
    assert not ProgressReport.objects.filter(subtask=hidden, text="进展").exists()


def test_an_inspection_of_another_townships_parcel_answers_as_a_missing_one(api, user_named):
    from abandoned_land.models import Inspection, Parcel

    user = user_named("t02")
    hidden = Parcel.objects.exclude(pk__in=Parcel.objects.visible_to(user).values("pk")).first()
    assert hidden is not None
    api.force_authenticate(user)

    def post(pk):
        body = {"parcel": pk, "finding": "看过了"}
        return api.post("/api/abandoned_land/inspections/", body, format="json")

    other, missing = post(hidden.pk), post(MISSING)
    # 400 under the field, as this route has always answered for another township's parcel
    assert other.status_code == missing.status_code == 400
    assert other.json() == missing.json() == {"parcel": ["地块不存在。"]}
    assert not Inspection.objects.filter(parcel=hidden, finding="看过了").exists()

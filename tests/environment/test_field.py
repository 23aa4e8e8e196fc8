"""The field app's sync endpoints: the page's checks, and a retried upload creates nothing."""

import datetime
import uuid

import pytest
from django.urls import reverse

from environment.choices import ProblemStatus
from environment.models import Photo, Problem, Rectification
from tests.environment.conftest import jpeg_bytes

SUPERVISOR = "sup_d18"  # 县住建局: supervises environment


def photo(name="p.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, jpeg_bytes((1600, 1200)), content_type="image/jpeg")


@pytest.fixture
def problem_data(category, unit_named):
    def data(**extra):
        town = unit_named("城关镇")
        today = datetime.date.today()
        values = {
            "client_id": str(uuid.uuid4()),
            "category": category("乱堆乱放").pk,
            "township": town.pk,
            "village": town.villages.order_by("name").first().pk,
            "description": "现场发现：路边建筑垃圾乱堆乱放",
            "found_on": str(today),
            "deadline": str(today + datetime.timedelta(days=7)),
            "longitude": "104.123456",
            "latitude": "30.654321",
            "location_accuracy": "12",
        }
        values.update(extra)
        return values

    return data


def test_supervisor_records_a_problem_with_photos_and_point_once(client, user_named, problem_data):
    client.force_login(user_named(SUPERVISOR))
    data = problem_data()
    url = reverse("environment:field_problem_create")
    first = client.post(url, {**data, "found_photos": [photo("a.jpg"), photo("b.jpg")]})
    assert first.status_code == 201, first.content
    problem = Problem.objects.get(client_id=data["client_id"])
    assert first.json() == {
        "id": problem.pk,
        "number": problem.number,
        "url": problem.get_absolute_url(),
        "created": True,
    }
    assert (str(problem.longitude), str(problem.latitude)) == ("104.123456", "30.654321")
    assert problem.location_accuracy == 12
    assert problem.photos.count() == 2
    count, photos = Problem.objects.count(), Photo.objects.count()

    again = client.post(url, {**data, "found_photos": [photo("a.jpg"), photo("b.jpg")]})
    assert again.status_code == 200
    assert again.json()["id"] == problem.pk and again.json()["created"] is False
    assert (Problem.objects.count(), Photo.objects.count()) == (count, photos)


def test_township_staff_may_not_record_problems(client, user_named, problem_data):
    client.force_login(user_named("t02"))
    before = Problem.objects.count()
    response = client.post(reverse("environment:field_problem_create"), problem_data())
    assert response.status_code == 403
    assert Problem.objects.count() == before


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"longitude": "190"}, "longitude"),
        ({"latitude": "-91"}, "latitude"),
        ({"latitude": ""}, "latitude"),  # a point needs both
        ({"description": ""}, "description"),
        ({"client_id": "not-a-uuid"}, "__all__"),
    ],
)
def test_a_bad_record_is_refused_with_the_field_named(
    client, user_named, problem_data, extra, field
):
    client.force_login(user_named(SUPERVISOR))
    before = Problem.objects.count()
    response = client.post(reverse("environment:field_problem_create"), problem_data(**extra))
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Problem.objects.count() == before


def test_at_most_six_photos(client, user_named, problem_data):
    client.force_login(user_named(SUPERVISOR))
    photos = [photo(f"{i}.jpg") for i in range(7)]
    response = client.post(
        reverse("environment:field_problem_create"), {**problem_data(), "found_photos": photos}
    )
    assert response.status_code == 400
    assert "最多 6 张" in response.json()["errors"]["found_photos"][0]


def test_rectification_is_sent_once_and_a_closed_problem_is_a_conflict(
    client, user_named, make_problem
):
    problem = make_problem("城关镇")
    url = reverse("environment:field_problem_submit", args=[problem.pk])
    client.force_login(user_named("t02"))
    data = {"client_id": str(uuid.uuid4()), "note": "已清运", "photos": [photo()]}
    assert client.post(url, data).status_code == 201
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.PENDING
    again = client.post(url, {**data, "photos": [photo()]})
    assert again.status_code == 200 and again.json()["created"] is False
    assert Rectification.objects.filter(problem=problem).count() == 1

    closed = make_problem("城关镇", status=ProblemStatus.CLOSED, closed_on=datetime.date.today())
    late = client.post(
        reverse("environment:field_problem_submit", args=[closed.pk]),
        {"client_id": str(uuid.uuid4()), "note": "已清运", "photos": [photo()]},
    )
    assert late.status_code == 409
    assert "只有“已交办”或“整改中”的问题可以提交整改" in late.json()["conflict"]


def test_another_townships_problem_is_not_found(client, user_named, make_problem):
    problem = make_problem("城关镇")
    client.force_login(user_named("t03"))
    response = client.post(
        reverse("environment:field_problem_submit", args=[problem.pk]),
        {"client_id": str(uuid.uuid4()), "note": "x", "photos": [photo()]},
    )
    assert response.status_code == 404


def test_reference_data_holds_only_what_the_user_may_do(client, user_named, make_problem):
    mine, other = make_problem("城关镇"), make_problem("双河镇")
    client.force_login(user_named("t02"))
    data = client.get(reverse("environment:field_reference")).json()
    assert data["can_create"] is False and "townships" not in data
    ids = {row["id"] for row in data["rectify"]}
    assert mine.pk in ids and other.pk not in ids

    client.force_login(user_named(SUPERVISOR))
    data = client.get(reverse("environment:field_reference")).json()
    assert data["can_create"] is True
    assert data["create_url"] == reverse("environment:field_problem_create")
    assert {c["days"] for c in data["categories"]} == {7}


def test_parcel_inspection_is_recorded_once(client, user_named):
    from abandoned_land.models import Inspection

    client.force_login(user_named("t02"))
    parcels = client.get(reverse("abandoned_land:field_reference")).json()["parcels"]
    assert parcels and {p["township"] for p in parcels} == {"城关镇"}
    data = {
        "client_id": str(uuid.uuid4()),
        "inspected_on": str(datetime.date.today()),
        "finding": "已种植油菜，长势良好",
    }
    first = client.post(parcels[0]["inspect_url"], data)
    assert first.status_code == 201
    assert client.post(parcels[0]["inspect_url"], data).status_code == 200
    assert Inspection.objects.filter(client_id=data["client_id"]).count() == 1


def test_the_app_its_worker_and_manifest(client, user_named):
    assert client.get(reverse("field:app")).status_code == 302  # login first
    worker = client.get(reverse("field:sw"))
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("application/javascript")
    assert worker["Service-Worker-Allowed"] == "/field/"
    body = worker.content.decode()
    assert "/static/js/field/app.js" in body and "/environment/field/reference/" in body
    manifest = client.get(reverse("field:manifest")).json()
    assert manifest["start_url"] == "/field/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    client.force_login(user_named("t02"))
    page = client.get(reverse("field:app"))
    assert page.status_code == 200
    assert b'capture="environment"' in page.content

"""The field app's retries at once (PostgreSQL, real transactions): one record, never two.

A phone whose answer was lost sends the same record again, maybe while the first send is still
running (the page and the service worker's Background Sync both sending). Ten sends of one
``client_id`` at once must leave one problem (or one rectification), and every sender is told
it arrived (201 for one, 200 for the others).
"""

import datetime
import uuid

import pytest
from django.urls import reverse

from environment.models import Problem, Rectification
from tests.county.test_races import client_of, new_problem, small_jpeg, together

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 10


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_same_record_sent_ten_times_at_once_arrives_once(demo, user_named, unit_named):
    from environment.models import ProblemCategory, ensure_seed_categories

    ensure_seed_categories()
    town = unit_named("城关镇")
    today = datetime.date.today()
    client_id = str(uuid.uuid4())
    data = {
        "client_id": client_id,
        "category": ProblemCategory.objects.get(name="乱堆乱放").pk,
        "township": town.pk,
        "description": "并发重试测试",
        "found_on": str(today),
        "deadline": str(today + datetime.timedelta(days=7)),
        "longitude": "104.1",
        "latitude": "30.6",
    }
    supervisor = user_named("sup_d18")
    url = reverse("environment:field_problem_create")
    before = Problem.objects.count()
    statuses = together(
        lambda i: (
            client_of(supervisor).post(url, {**data, "found_photos": [small_jpeg()]}).status_code
        ),
        THREADS,
    )
    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    assert Problem.objects.count() == before + 1
    assert Problem.objects.get(client_id=client_id).photos.count() == 1

    problem = new_problem(unit_named)
    staff = user_named("t02")
    submit = reverse("environment:field_problem_submit", args=[problem.pk])
    rectification = {"client_id": str(uuid.uuid4()), "note": "已整改"}
    statuses = together(
        lambda i: (
            client_of(staff).post(submit, {**rectification, "photos": [small_jpeg()]}).status_code
        ),
        THREADS,
    )
    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    assert Rectification.objects.filter(problem=problem).count() == 1

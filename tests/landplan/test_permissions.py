"""Who sees and changes plan areas, in the pages and the API.

Township staff see the areas of their township and add progress notes, but cannot
change the stage or the deadlines; another unit's area is a 404; leaders read all
and write nothing (403); supervisors of landplan and the lead unit (县自然资源局)
change stages.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from landplan.choices import Stage
from landplan.models import PlanArea, ProgressNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, user_named, staff_of):
    def sign_in(who):
        user = staff_of(who[1:]) if who.startswith("@") else user_named(who)
        client.force_login(user)
        return client

    return sign_in


@pytest.mark.parametrize(
    "who,detail,stage",
    [
        ("sup_d17", 200, 200),
        ("d17", 200, 200),
        ("t02", 200, 403),  # 城关镇 is in 城关片区
        ("@北坝镇", 404, 404),
        ("d21", 404, 404),
        ("leader01", 200, 403),
        ("sup_d21", 200, 403),
        ("admin", 200, 200),
    ],
)
def test_pages_by_role(fresh, area, as_user, who, detail, stage):
    client = as_user(who)
    target = area("城关片区")
    assert client.get(reverse("landplan:area_detail", args=[target.pk])).status_code == detail
    assert client.get(reverse("landplan:area_stage", args=[target.pk])).status_code == stage
    assert client.get(reverse("landplan:area_update", args=[target.pk])).status_code == stage


def test_township_staff_cannot_change_the_stage(fresh, area, as_user):
    client = as_user("t02")
    target = area("东安村级片区", "城关镇")
    url = reverse("landplan:area_stage", args=[target.pk])
    data = {"to_stage": Stage.CITY_REVIEW, "date": "2023-10-20", "note": "", "confirmed": "1"}
    assert client.post(url, data).status_code == 403
    edit = {"completion_deadline": "2030-01-01", "city_review_deadline": "", "compiler": "x"}
    assert client.post(reverse("landplan:area_update", args=[target.pk]), edit).status_code == 403
    target.refresh_from_db()
    assert target.stage == Stage.DRAFT
    assert target.completion_deadline == datetime.date(2024, 6, 30)
    assert target.stage_changes.count() == 1
    other = area("东安村级片区", "新场镇")  # same name, another township: invisible
    assert client.post(reverse("landplan:area_stage", args=[other.pk]), data).status_code == 404


def test_township_staff_add_progress_notes_on_their_areas_only(fresh, area, as_user):
    client = as_user("t02")
    own = area("东安村级片区", "城关镇")
    response = client.post(
        reverse("landplan:note_create", args=[own.pk]),
        {"date": "2023-10-10", "text": "已组织村民代表座谈，收集意见12条。"},
    )
    assert response.status_code == 302
    note = ProgressNote.objects.get(area=own)
    assert note.unit.name == "城关镇"
    other = area("东安村级片区", "新场镇")
    response = client.post(
        reverse("landplan:note_create", args=[other.pk]), {"date": "2023-10-10", "text": "x"}
    )
    assert response.status_code == 404
    response = client.post(reverse("landplan:note_create", args=[own.pk]), {"date": "", "text": ""})
    assert response.status_code == 200
    assert "该字段是必填项" in response.content.decode()
    leader = as_user("leader01")
    response = leader.post(
        reverse("landplan:note_create", args=[own.pk]), {"date": "2023-10-10", "text": "x"}
    )
    assert response.status_code == 403


def test_list_is_scoped(fresh, as_user):
    assert as_user("t02").get(reverse("landplan:area_list")).context["paginator"].count == 2
    assert as_user("d21").get(reverse("landplan:area_list")).context["paginator"].count == 0
    assert as_user("leader01").get(reverse("landplan:area_list")).context["paginator"].count == 16


def test_api_reads_are_scoped(fresh, as_user, area):
    url = "/api/landplan/areas/"
    assert as_user("t02").get(url).json()["count"] == 2
    assert as_user("d21").get(url).json()["count"] == 0
    assert as_user("leader01").get(url).json()["count"] == 16
    target = area("城关片区")
    assert as_user("@北坝镇").get(f"{url}{target.pk}/").status_code == 404
    data = as_user("t03").get(f"{url}?stage={Stage.PROVINCIAL_REVIEW}").json()
    assert [row["name"] for row in data["results"]] == ["城关片区"]


@pytest.mark.parametrize(
    "who,expected",
    [("leader01", 403), ("t02", 403), ("@北坝镇", 404), ("d21", 404), ("sup_d21", 403)],
)
def test_api_writes_refused(fresh, as_user, area, who, expected):
    client = as_user(who)
    target = area("城关片区")
    url = f"/api/landplan/areas/{target.pk}/"
    patch = client.patch(
        url, {"completion_deadline": "2030-01-01"}, content_type="application/json"
    )
    assert patch.status_code == expected
    move = client.post(f"{url}move/", {"to_stage": Stage.REVISING, "note": "意见"})
    assert move.status_code == expected
    target.refresh_from_db()
    assert target.stage == Stage.PROVINCIAL_REVIEW
    assert target.completion_deadline == datetime.date(2023, 12, 31)


def test_api_moves_by_the_rule(fresh, as_user, area):
    client = as_user("d17")
    target = area("石门片区")
    url = f"/api/landplan/areas/{target.pk}/move/"
    skip = client.post(url, {"to_stage": Stage.PROVINCIAL_REVIEW})
    assert skip.status_code == 400 and "不能跳过阶段" in skip.json()["detail"]
    ok = client.post(url, {"to_stage": Stage.CITY_REVIEW})
    assert ok.status_code == 200
    assert ok.json()["stage"] == Stage.CITY_REVIEW
    assert ok.json()["next_deadline"] == "2023-12-31"
    back = client.post(url, {"to_stage": Stage.REVISING})
    assert back.status_code == 400 and "原因" in back.json()["detail"]
    staged = client.patch(
        f"/api/landplan/areas/{target.pk}/",
        {"completion_deadline": "2023-12-20", "stage": 7},
        content_type="application/json",
    )
    assert staged.status_code == 400 and "/move/" in staged.json()["stage"][0]  # issue 20
    patch = client.patch(
        f"/api/landplan/areas/{target.pk}/",
        {"completion_deadline": "2023-12-20"},
        content_type="application/json",
    )
    assert patch.status_code == 200
    target.refresh_from_db()
    assert target.stage == Stage.CITY_REVIEW
    assert target.next_deadline == datetime.date(2023, 12, 20)
    changes = as_user("t02").get(f"/api/landplan/stage-changes/?area={target.pk}")
    assert changes.json()["count"] == 0  # 石门片区 is not 城关镇's
    # Areas come from the ledger: a supervisor is told 405; anybody else may not create (403).
    assert client.post("/api/landplan/areas/", {"name": "x"}).status_code == 403


def test_api_notes(fresh, as_user, area):
    own = area("城关片区")
    client = as_user("t02")
    response = client.post("/api/landplan/notes/", {"area": own.pk, "date": "2023-10-09",
                                                     "text": "镇村两级已审核底图"})  # fmt: skip
    assert response.status_code == 201
    assert response.json()["unit"] == own.townships.get(name="城关镇").pk
    other = area("石门片区")
    response = client.post("/api/landplan/notes/", {"area": other.pk, "date": "2023-10-09",
                                                     "text": "x"})  # fmt: skip
    assert response.status_code == 400
    response = as_user("leader01").post(
        "/api/landplan/notes/", {"area": own.pk, "date": "2023-10-09", "text": "x"}
    )
    assert response.status_code == 403


def _list_queries(client, url):
    from django.core.cache import cache

    cache.clear()  # every view computes all it shows (the frame's cached counts too)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_rows(fresh, as_user, area, unit_named):
    client = as_user("sup_d17")
    pages = [reverse("landplan:area_list"), "/api/landplan/areas/", reverse("landplan:overview")]
    for url in pages:  # the process reads the working-day calendar once, on first use
        client.get(url)
    before = [_list_queries(client, url) for url in pages]
    template = area("城关片区")
    towns = list(template.townships.all())
    for n in range(20):
        extra = PlanArea.objects.create(
            name=f"测试片区{n}",
            level=template.level,
            batch=template.batch,
            lead_unit=template.lead_unit,
            stage=Stage.DRAFT,
            completion_deadline=datetime.date(2023, 12, 31),
        )
        extra.townships.set(towns)
    after = [_list_queries(client, url) for url in pages]
    assert after == before

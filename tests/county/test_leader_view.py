"""The leader's own page: only what he leads or liaises with (联系乡镇), late first, with the
批示 written on it and the requests waiting on it; a leader's home is this page."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from county.choices import Role
from county.models import Leader, User
from county.registry import registry
from county.status import Light, today

pytestmark = pytest.mark.django_db

LIGHT_RANK = {Light.OVERDUE: 0, Light.DUE_SOON: 1, Light.NORMAL: 2, Light.LONG_TERM: 3}


@pytest.fixture
def me(demo, unit_named):
    """A leader who leads two reform items and liaises with 城关镇."""
    from reforms.models import ReformItem

    leader = Leader.objects.create(name="测试领导", title="副县长", order=99)
    leader.liaison_townships.set([unit_named("城关镇")])
    user = User.objects.create_user("leader_t", password="x", role=Role.LEADER, leader=leader)
    dept = unit_named("县财政局")
    on = today()
    late = ReformItem.objects.create(
        year=on.year, number=8801, title="我牵头的逾期任务", lead_leader=leader, lead_unit=dept
    )
    fine = ReformItem.objects.create(
        year=on.year, number=8802, title="我牵头的正常任务", lead_leader=leader, lead_unit=dept
    )
    others = ReformItem.objects.create(
        year=on.year, number=8803, title="别人牵头的任务", lead_unit=unit_named("县教育局")
    )
    tasks = {}
    for item, name, days in [
        (fine, "正常举措", 60),
        (late, "逾期举措", -5),
        (others, "别人的逾期举措", -9),
    ]:
        task = item.subtasks.create(name=name, deadline=on + datetime.timedelta(days=days))
        task.units.add(item.lead_unit)
        tasks[name] = task
    return {"leader": leader, "user": user, "late": late, "others": others, "tasks": tasks}


def page(client, user):
    client.force_login(user)
    response = client.get(reverse("county:leader"))
    assert response.status_code == 200
    return response


def test_home_sends_a_leader_to_his_page(client, me):
    client.force_login(me["user"])
    assert client.get(reverse("home"))["Location"] == reverse("county:leader")


def test_only_what_he_leads_or_liaises_with_late_first(client, me, unit_named):
    from abandoned_land.models import Parcel
    from environment.models import Problem
    from reforms.models import SubTask

    rows = page(client, me["user"]).context["rows"]
    town = unit_named("城关镇")
    kinds = {row["kind"] for row in rows}
    assert {"reforms.subtask", "environment.problem", "abandoned_land.parcel"} <= kinds
    models = {dated.key: dated.model for _w, dated in registry.dated_work()}
    for row in rows:
        model = models[row["kind"]]
        record = model.objects.get(pk=row["pk"])
        mine = model.objects.filter(pk=record.pk).owned_by(town.pk).exists()
        if model is SubTask:
            mine = mine or record.item.lead_leader_id == me["leader"].pk
        assert mine, (row["kind"], row["title"])
    titles = [row["title"] for row in rows]
    assert "逾期举措" in titles and "正常举措" in titles
    assert "别人的逾期举措" not in titles
    # every open, dated problem and parcel of 城关镇 is there, of other townships none
    problems = {r["pk"] for r in rows if r["kind"] == "environment.problem"}
    assert problems == set(
        Problem.objects.filter(township=town, status__in=("assigned", "rectifying")).values_list(
            "pk", flat=True
        )
    )
    parcels = {r["pk"] for r in rows if r["kind"] == "abandoned_land.parcel"}
    assert parcels and all(p.township_id == town.pk for p in Parcel.objects.filter(pk__in=parcels))
    ranks = [LIGHT_RANK[row["light"]] for row in rows]
    assert ranks == sorted(ranks)  # late first
    assert rows[0]["light"] == Light.OVERDUE
    lates = [r["deadline"] for r in rows if r["light"] == Light.OVERDUE]
    assert lates == sorted(lates)


def test_instructions_and_waiting_requests_show_on_his_items(client, me, user_named):
    from reforms.models import CompletionRequest, Instruction

    Instruction.objects.create(
        item=me["late"],
        leader=me["leader"],
        text="务必本月底前完成",
        given_on=today(),
        created_by=user_named("admin"),
    )
    Instruction.objects.create(
        item=me["others"],
        leader=me["leader"],
        text="别人的任务上的批示",
        given_on=today(),
        created_by=user_named("admin"),
    )
    clerk = user_named("t02")
    CompletionRequest.objects.create(
        subtask=me["tasks"]["逾期举措"], reason="已完成，申请销号", requested_by=clerk
    )
    CompletionRequest.objects.create(
        subtask=me["tasks"]["别人的逾期举措"], reason="别人的申请", requested_by=clerk
    )
    response = page(client, me["user"])
    (late,) = [r for r in response.context["rows"] if r["title"] == "逾期举措"]
    assert [n["text"] for n in late["instructions"]] == ["务必本月底前完成"]
    html = response.content.decode()
    assert "务必本月底前完成" in html and "别人的任务上的批示" not in html
    requests = [row for group in response.context["requests"] for row in group["rows"]]
    titles = [row["title"] for row in requests]
    assert "逾期举措" in titles and "别人的逾期举措" not in titles


def test_a_leader_with_nothing_sees_empty_groups_not_others_work(client, user_named):
    response = page(client, user_named("leader01"))
    leader = user_named("leader01").leader
    for row in response.context["rows"]:
        assert row["why"] != ""  # anything listed says why
    if not leader.liaison_townships.exists() and not leader.reform_items.exists():
        assert response.context["rows"] == []


def test_query_count_does_not_grow_with_his_rows(client, me):
    page(client, me["user"])
    with CaptureQueriesContext(connection) as before:
        page(client, me["user"])
    on = today()
    for n in range(4):
        task = me["late"].subtasks.create(
            name=f"又一项举措{n}", deadline=on - datetime.timedelta(days=n + 1)
        )
        task.units.add(me["late"].lead_unit)
    with CaptureQueriesContext(connection) as after:
        page(client, me["user"])
    assert len(after.captured_queries) == len(before.captured_queries)


def test_not_a_leader_goes_to_the_cockpit(client, user_named):
    client.force_login(user_named("t02"))
    assert client.get(reverse("county:leader"))["Location"] == reverse("county:cockpit")


def test_a_long_list_is_paginated_late_first(client, demo):
    """A leader with many open items reads them 50 to a page, the late ones on page 1."""
    from county.views import LEADER_PAGE_SIZE

    leader = max(
        (u for u in User.objects.filter(role=Role.LEADER, leader__isnull=False)),
        key=lambda u: len(page(client, u).context["rows"]),
    )
    response = page(client, leader)
    rows = response.context["rows"]
    assert len(rows) > LEADER_PAGE_SIZE  # the demo has such a leader
    shown = response.context["page_obj"].object_list
    assert len(shown) == LEADER_PAGE_SIZE and list(shown) == rows[:LEADER_PAGE_SIZE]
    assert response.content.decode().count('data-testid="leader-row"') == LEADER_PAGE_SIZE
    second = client.get(reverse("county:leader"), {"page": 2}).context["page_obj"]
    assert list(second.object_list) == rows[LEADER_PAGE_SIZE : 2 * LEADER_PAGE_SIZE]
    # The counts come from the database: every open item once, the late ones among them.
    context = response.context
    assert context["total"] == len(rows)  # the demo stays under the per-kind list cap
    assert context["late"] == sum(1 for r in rows if r["light"] == Light.OVERDUE)


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_the_page_is_cached_yet_shows_a_change_at_once(client, me):
    """The page's rows come from the figures cache; a finished sub-task leaves the page and a
    new late one appears on the next request."""
    from django.core.cache import cache

    cache.clear()
    client.force_login(me["user"])
    url = reverse("county:leader")
    titles = lambda: {r["title"] for r in client.get(url).context["rows"]}  # noqa: E731
    assert "逾期举措" in titles()
    with CaptureQueriesContext(connection) as queries:
        assert "逾期举措" in titles()
    assert not [q for q in queries if "reforms_subtask" in q["sql"]]  # from the cache
    task = me["tasks"]["逾期举措"]
    task.status = "done"
    task.save()
    assert "逾期举措" not in titles()
    extra = me["late"].subtasks.create(
        name="新的逾期举措", deadline=today() - datetime.timedelta(1)
    )
    extra.units.add(me["late"].lead_unit)
    assert "新的逾期举措" in titles()


def test_the_side_lists_the_longest_waiting_requests_and_links_to_all(client, me, user_named):
    from reforms.models import CompletionRequest

    clerk = user_named("t02")
    for n in range(12):
        task = me["late"].subtasks.create(name=f"待审举措{n}", deadline=today())
        task.units.add(me["late"].lead_unit)
        CompletionRequest.objects.create(subtask=task, reason="已完成", requested_by=clerk)
    response = page(client, me["user"])
    (group,) = [g for g in response.context["requests"] if g["all_url"].endswith("completion")]
    assert group["total"] == 12 and len(group["rows"]) == 10
    assert [r["title"] for r in group["rows"]] == [f"待审举措{n}" for n in range(10)]  # oldest
    html = response.content.decode()
    assert "全部 12 项在“待审核”中" in html
    inbox = client.get(group["all_url"])
    assert inbox.status_code == 200
    titles = [r["info"]["title"] for r in inbox.context["rows"]]
    assert sorted(titles) == sorted(f"待审举措{n}" for n in range(12))

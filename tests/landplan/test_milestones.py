"""The plan year's milestones come from one row (PlanYear): the overview and the cockpit agree."""

import datetime
import re
from pathlib import Path

import pytest
from django.db.models import Max
from django.urls import reverse

from county.templatetags.dates import cn_date
from landplan.choices import Level
from landplan.models import PlanArea, PlanYear

pytestmark = pytest.mark.django_db

MILESTONE = re.compile(r'data-testid="milestone"><strong>([^<]+)</strong>')


def overview_dates(client):
    return MILESTONE.findall(client.get(reverse("landplan:overview")).content.decode())


def cockpit_dates(client):
    html = client.get(reverse("county:cockpit")).content.decode()
    return [
        re.search(rf"{label}（([^）]+)）", html)[1]
        for label in ("未报市审", "乡镇级未完成", "村级未完成")
    ]


def test_overview_and_cockpit_show_the_plan_years_dates(demo, client, user_named):
    plan_year = PlanYear.current()
    expected = [cn_date(day) for _name, day, _what in plan_year.milestones()]
    client.force_login(user_named("leader01"))
    assert overview_dates(client) == expected
    assert cockpit_dates(client) == expected


def test_changing_the_row_changes_both_pages(demo, client, user_named):
    client.force_login(user_named("leader01"))
    overview_dates(client), cockpit_dates(client)  # drawn (and cached, if a cache is set) once
    plan_year = PlanYear.current()
    plan_year.city_review_by = datetime.date(2031, 9, 30)
    plan_year.township_done_by = datetime.date(2031, 11, 30)
    plan_year.village_done_by = datetime.date(2032, 5, 31)
    plan_year.save()
    expected = ["2031年9月30日", "2031年11月30日", "2032年5月31日"]
    assert overview_dates(client) == expected
    assert cockpit_dates(client) == expected


def test_the_newest_year_is_read_and_blank_dates_follow_the_speech(demo):
    newest = PlanYear.objects.aggregate(year=Max("year"))["year"] + 1
    PlanYear.objects.create(year=newest)
    plan_year = PlanYear.current()
    assert plan_year.year == newest
    assert [day for _name, day, _what in plan_year.milestones()] == [
        datetime.date(newest, 10, 31),
        datetime.date(newest, 12, 31),
        datetime.date(newest + 1, 6, 30),
    ]


def test_without_a_plan_year_both_pages_say_it_is_not_set(demo, client, user_named):
    PlanYear.objects.all().delete()
    client.force_login(user_named("leader01"))
    assert "尚未设置规划时间节点" in client.get(reverse("landplan:overview")).content.decode()
    assert cockpit_dates(client) == ["未设置"] * 3


def test_demo_milestones_are_the_moved_sample_areas_deadlines(demo):
    """The demo seeds the plan year with its clock, so the areas are due on its days."""
    plan_year = PlanYear.current()
    township = PlanArea.objects.filter(level=Level.TOWNSHIP).aggregate(
        review=Max("city_review_deadline"), done=Max("completion_deadline")
    )
    village = PlanArea.objects.filter(level=Level.VILLAGE).aggregate(
        done=Max("completion_deadline")
    )
    assert plan_year.city_review_by == township["review"]
    assert plan_year.township_done_by == township["done"]
    assert plan_year.village_done_by == village["done"]


def test_the_pages_hold_no_milestone_year():
    root = Path(__file__).resolve().parents[2] / "landplan"
    for name in ("views.py", "cockpit.py", "templates/landplan/overview.html"):
        assert not re.search(r"20\d\d年", (root / name).read_text(encoding="utf-8")), name


def test_admin_edits_the_plan_year_in_chinese(demo, client, user_named):
    client.force_login(user_named("admin"))
    page = client.get(reverse("admin:landplan_planyear_change", args=[PlanYear.current().pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for label in ("规划年度", "乡镇级片区报市级审查", "乡镇级片区规划编制完成", "村级片区应编尽编"):
        assert label in html

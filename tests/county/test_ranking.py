"""Unit rankings (考核): a hand-computed example, the formula (who sets it, kept with who and
when, changing the score), the Excel export, what staff see, and constant queries."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from county import ranking
from county.choices import Role, UnitKind
from county.models import ScoreFormula, Unit, User

from .small_county import D, at, item, problem, staff, task, unit

PERIOD = "2001-Q1"  # 2001-01-01 … 2001-03-31, far from the demo's dates
ON = D(2001, 4, 10)


@pytest.fixture
def county(demo):
    """Two departments and two townships with known work in 2001's first quarter."""
    from reforms.choices import RequestStatus
    from reforms.models import CompletionRequest

    a = unit("T-DA", "考核测试部门甲")
    b = unit("T-DB", "考核测试部门乙")
    x = unit("T-TX", "考核测试镇甲", UnitKind.TOWNSHIP)
    y = unit("T-TY", "考核测试镇乙", UnitKind.TOWNSHIP)
    reform = item(9001)
    task(reform, [a], D(2001, 1, 31), done_on=D(2001, 1, 20))  # on time
    late_done = task(reform, [a], D(2001, 2, 28), done_on=D(2001, 3, 5))  # done late
    task(reform, [a], D(2001, 3, 31))  # open: 10 days late on 4-10
    task(reform, [a], D(2001, 4, 5))  # due after the period: not counted
    task(reform, [b], D(2001, 2, 15), done_on=D(2001, 2, 15))  # on time
    CompletionRequest.objects.create(
        subtask=late_done,
        reason="已完成",
        requested_by=staff("t_da", a),
        status=RequestStatus.REJECTED,
        decided_at=at(D(2001, 2, 10)),
    )
    problem(x, D(2001, 1, 5), D(2001, 1, 20), closed_on=D(2001, 1, 18))  # on time
    problem(x, D(2001, 2, 1), D(2001, 2, 10), recurrence_count=1)  # open, 59 days, came back
    problem(y, D(2001, 3, 1), D(2001, 3, 20), closed_on=D(2001, 3, 25))  # closed late
    return {"a": a, "b": b, "x": x, "y": y}


def rows_by_name(result):
    return {r.unit.name: r for r in result.departments + result.townships}


def test_hand_computed_ranking(county):
    result = ranking.ranking(ranking.parse_period(PERIOD), on=ON)
    rows = rows_by_name(result)
    a, b = rows["考核测试部门甲"], rows["考核测试部门乙"]
    x, y = rows["考核测试镇甲"], rows["考核测试镇乙"]
    assert (a.due, a.on_time, a.overdue, a.overdue_days, a.sent_back) == (3, 1, 1, 10, 1)
    assert a.on_time_rate == Decimal("33.3") and a.rectification_rate is None
    assert (b.due, b.on_time, b.overdue) == (1, 1, 0)
    assert (x.due, x.on_time, x.overdue, x.overdue_days) == (2, 1, 1, 59)
    assert (x.found, x.closed, x.recurrences) == (2, 1, 1)
    assert (y.due, y.on_time, y.found, y.closed) == (1, 0, 1, 1)
    # 60 × rate + 40 × rate − 1 × overdue − 0.1 × days − 2 × recurrences − 1 × sent back
    assert a.score == Decimal("57.00")  # 20 + 40 − 1 − 1 − 0 − 1
    assert b.score == Decimal("100.00")
    assert x.score == Decimal("41.10")  # 30 + 20 − 1 − 5.9 − 2
    assert y.score == Decimal("40.00")  # 0 + 40
    ranked_departments = [r.unit.name for r in result.departments if r.rank]
    assert ranked_departments == ["考核测试部门乙", "考核测试部门甲"]
    assert [(r.unit.name, r.rank) for r in result.townships if r.rank] == [
        ("考核测试镇甲", 1),
        ("考核测试镇乙", 2),
    ]
    # the demo's units have nothing in 2001: listed, unranked, after the ranked ones
    assert all(r.rank is None for r in result.departments[2:])


def test_periods():
    assert ranking.parse_period("2001-Q1").end == D(2001, 3, 31)
    assert ranking.parse_period("2001-02").end == D(2001, 2, 28)
    assert ranking.parse_period("2001").start == D(2001, 1, 1)
    assert ranking.parse_period("nonsense", on=D(2026, 5, 1)).key == "2026"
    assert ranking.parse_period("1999-13", on=D(2026, 5, 1)).key == "2026"


@pytest.fixture
def target_office(demo):
    """A supervisor of 县委目标绩效办 (the demo has the unit but no account for it)."""
    office = Unit.objects.get(name="县委目标绩效办")
    return User.objects.create_user(
        "sup_kpi", password="x", role=Role.SUPERVISOR, unit=office, last_name="绩效办督查员"
    )


WEIGHTS = {
    "on_time_weight": "60",
    "rectification_weight": "40",
    "overdue_penalty": "1",
    "overdue_day_penalty": "0.5",
    "recurrence_penalty": "2",
    "sent_back_penalty": "1",
    "note": "加大逾期天数扣分",
}


def test_formula_change_is_kept_with_who_and_when_and_changes_the_score(
    county, target_office, client
):
    before = ranking.ranking(ranking.parse_period(PERIOD), on=ON)
    assert rows_by_name(before)["考核测试镇甲"].score == Decimal("41.10")
    client.force_login(target_office)
    assert client.get(reverse("county:ranking_formula")).status_code == 200
    answer = client.post(reverse("county:ranking_formula"), WEIGHTS)
    assert answer.status_code == 302
    formula = ScoreFormula.objects.get()
    assert formula.set_by == target_office and formula.set_at is not None
    assert formula.overdue_day_penalty == Decimal("0.5") and formula.note == "加大逾期天数扣分"
    after = ranking.ranking(ranking.parse_period(PERIOD), on=ON)
    rows = rows_by_name(after)
    assert rows["考核测试镇甲"].score == Decimal("17.50")  # 30 + 20 − 1 − 29.5 − 2
    assert [r.unit.name for r in after.townships if r.rank] == ["考核测试镇乙", "考核测试镇甲"]
    # a second change adds a row; the first stays as history, the page prints the newest
    client.post(reverse("county:ranking_formula"), {**WEIGHTS, "overdue_day_penalty": "0.2"})
    assert ScoreFormula.objects.count() == 2
    assert ranking.current_formula().overdue_day_penalty == Decimal("0.2")
    page = client.get(reverse("county:ranking"), {"period": PERIOD}).content.decode()
    assert "逾期天数 × 0.2" in page and "绩效办督查员" in page
    history = client.get(reverse("county:ranking_formula")).content.decode()
    assert "逾期天数 × 0.5" in history and "逾期天数 × 0.2" in history


def test_formula_refuses_negative_weights(target_office, client):
    client.force_login(target_office)
    answer = client.post(reverse("county:ranking_formula"), {**WEIGHTS, "overdue_penalty": "-1"})
    assert answer.status_code == 400
    assert "不能为负数" in answer.content.decode()
    assert not ScoreFormula.objects.exists()


@pytest.mark.parametrize("username", ["leader01", "sup_d03", "d21", "t01"])
def test_only_the_target_office_and_admin_set_the_formula(username, user_named, client):
    client.force_login(user_named(username))
    assert client.get(reverse("county:ranking_formula")).status_code == 403
    assert client.post(reverse("county:ranking_formula"), WEIGHTS).status_code == 403
    assert not ScoreFormula.objects.exists()
    assert "调整计分公式" not in client.get(reverse("county:ranking")).content.decode()


def test_admin_may_set_the_formula(user_named, client):
    client.force_login(user_named("admin"))
    assert client.post(reverse("county:ranking_formula"), WEIGHTS).status_code == 302
    assert ScoreFormula.objects.get().set_by.username == "admin"


def test_excel_export_has_the_same_rows(county, user_named, client):
    client.force_login(user_named("leader01"))
    answer = client.get(reverse("county:ranking_export"), {"period": PERIOD})
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["县级部门", "乡镇（街道）"]
    result = ranking.ranking(ranking.parse_period(PERIOD))
    for sheet, (_, rows) in zip(book.worksheets, result.groups, strict=True):
        assert "2001年第1季度单位考核排名" in sheet["A1"].value
        header = [c.value for c in sheet[3]]
        assert header == [h for _, h, _ in ranking.EXPORT_COLUMNS]
        keys = [k for k, _, _ in ranking.EXPORT_COLUMNS]
        got = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
        expected = [[ranking.export_values(row)[k] for k in keys] for row in rows]
        assert got == expected
    assert "考核测试部门乙" in [r[1] for r in book["县级部门"].iter_rows(values_only=True)]


def test_staff_see_only_their_own_unit(county, client):
    user = User.objects.get(username="t_da")
    client.force_login(user)
    page = client.get(reverse("county:ranking"), {"period": PERIOD}).content.decode()
    assert page.count('data-testid="ranking-row"') == 1
    assert "考核测试部门甲" in page and "考核测试部门乙" not in page
    assert client.get(reverse("county:ranking_export")).status_code == 403


def test_readers_see_every_unit(county, user_named, client):
    client.force_login(user_named("leader01"))
    page = client.get(reverse("county:ranking"), {"period": PERIOD}).content.decode()
    assert page.count('data-testid="ranking-row"') == Unit.objects.filter(is_active=True).count()
    assert "得分 = 按期完成率 × 60" in page


def test_ranking_page_queries_do_not_grow_with_rows(county, user_named, client):
    client.force_login(user_named("leader01"))
    url = reverse("county:ranking")
    from django.core.cache import cache

    client.get(url, {"period": PERIOD})
    cache.clear()  # both views compute every measure
    with CaptureQueriesContext(connection) as before:
        assert client.get(url, {"period": PERIOD}).status_code == 200
    more = unit("T-DC", "考核测试部门丙")
    town = unit("T-TZ", "考核测试镇丙", UnitKind.TOWNSHIP)
    reform = item(9002)
    for day in range(1, 20):
        task(reform, [more, county["a"]], D(2001, 1, day), done_on=D(2001, 1, day + 1))
        problem(town, D(2001, 1, day), D(2001, 2, day))
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        assert client.get(url, {"period": PERIOD}).status_code == 200
    assert len(after) == len(before)


LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_cached_measures_follow_a_saved_change_at_once(county, settings):
    """With a cache (Redis in production), each workstream's measures are kept until its data
    changes: a problem closed now counts in the next ranking."""
    from django.core.cache import cache

    from environment.choices import ProblemStatus
    from environment.models import Problem

    settings.CACHES = LOCMEM
    cache.clear()
    period = ranking.parse_period(PERIOD)
    before = rows_by_name(ranking.ranking(period, on=ON))["考核测试镇甲"]
    with CaptureQueriesContext(connection) as again:
        ranking.ranking(period, on=ON)
    with CaptureQueriesContext(connection) as first:
        cache.clear()
        ranking.ranking(period, on=ON)
    assert len(again) < len(first)  # the measures came from the cache
    still_open = Problem.objects.get(township=county["x"], closed_on__isnull=True)
    still_open.status, still_open.closed_on = ProblemStatus.CLOSED, D(2001, 2, 9)
    still_open.save()
    after = rows_by_name(ranking.ranking(period, on=ON))["考核测试镇甲"]
    assert (before.closed, before.overdue) == (1, 1)
    assert (after.closed, after.overdue) == (2, 0)

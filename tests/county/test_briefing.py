"""周报: the week's counts equal what the test made, per workstream and per township; the
Word export opens with its sections; staff are refused; the week defaults to this week."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from county import briefing
from county.choices import UnitKind

from .small_county import D, at, item, problem, staff, task, unit

MONDAY = D(2001, 1, 8)  # 2001-01-08 … 01-14, far from the demo's dates


@pytest.fixture
def week(demo):
    from environment.choices import NoticeStatus, ReviewResult
    from environment.models import Notice, Rectification
    from reforms.choices import RequestStatus
    from reforms.models import CompletionRequest

    a = unit("T-DA", "周报测试部门甲")
    x = unit("T-TX", "周报测试镇甲", UnitKind.TOWNSHIP)
    y = unit("T-TY", "周报测试镇乙", UnitKind.TOWNSHIP)
    reform = item(9101)
    done = task(reform, [a], D(2001, 1, 20), done_on=D(2001, 1, 10))  # closed this week
    task(reform, [a, y], D(2001, 1, 9))  # newly overdue (deadline Tuesday, still open)
    task(reform, [a], D(2001, 1, 2))  # overdue since last week: not new
    task(reform, [a], D(2001, 1, 12), done_on=D(2001, 1, 12))  # done on its deadline
    CompletionRequest.objects.create(
        subtask=done,
        reason="已完成",
        requested_by=staff("w_da", a),
        status=RequestStatus.APPROVED,
        decided_at=at(D(2001, 1, 11)),
    )
    closed = problem(x, D(2001, 1, 2), D(2001, 1, 20), closed_on=D(2001, 1, 12))
    problem(x, D(2001, 1, 3), D(2001, 1, 10))  # newly overdue
    problem(y, D(2001, 1, 3), D(2001, 1, 14))  # overdue from Monday next week: not yet
    Rectification.objects.create(
        problem=closed,
        submitted_by=staff("w_tx", x),
        submitted_at=at(D(2001, 1, 11)),
        result=ReviewResult.ACCEPTED,
        decided_at=at(D(2001, 1, 12)),
    )
    Notice.objects.create(
        title="周报测试通报",
        period_start=D(2001, 1, 1),
        period_end=D(2001, 1, 7),
        status=NoticeStatus.ISSUED,
        issued_on=D(2001, 1, 13),
    )
    return {"a": a, "x": x, "y": y}


def test_week_counts_equal_what_was_made(week):
    result = briefing.briefing(MONDAY)
    assert (result.start, result.end) == (MONDAY, D(2001, 1, 14))
    by_label = {w.label: w.totals for w in result.workstreams}
    assert by_label["全面深化改革"] == {"closed": 2, "new_overdue": 1, "decided": 1}
    env = by_label["城乡环境"]
    assert env == {"closed": 1, "new_overdue": 1, "decided": 1, "notices": 1}
    assert by_label["撂荒地整治"] == {"new_overdue": 0}
    assert result.totals == [3, 2, 2, 1]
    assert result.notices == ["周报测试通报"]
    towns = {u.name: cells for u, cells in result.townships}
    assert towns["周报测试镇甲"] == [1, 1, 1, 0]
    assert towns["周报测试镇乙"] == [0, 1, 0, 0]  # the reform sub-task of 镇乙


def test_page_shows_the_week(week, user_named, client):
    client.force_login(user_named("leader01"))
    page = client.get(reverse("county:briefing"), {"week": "2001-01-10"}).content.decode()
    assert "2001年1月8日（星期一）至 2001年1月14日（星期日）" in page
    assert "周报测试通报" in page
    assert 'href="?week=2001-01-01"' in page and "reports.css" in page


def test_docx_has_the_sections(week, user_named, client):
    from docx import Document

    client.force_login(user_named("sup_d03"))
    answer = client.get(reverse("county:briefing_docx"), {"week": "2001-01-08"})
    assert answer.status_code == 200
    doc = Document(io.BytesIO(answer.content))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == "工作周报（2001年1月8日—2001年1月14日）"
    for heading in ("一、分板块情况", "二、分乡镇（街道）情况", "三、本周印发的通报"):
        assert heading in text
    assert "周报测试通报" in text
    assert "完成或销号3项，新增逾期2项，审核申请2件，印发通报1期" in text[1]
    workstreams, townships = doc.tables
    assert [c.text for c in workstreams.rows[0].cells][1:] == [lb for _, lb in briefing.KINDS]
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in townships.rows[1:]}
    assert rows["周报测试镇甲"] == ["1", "1", "1", "0"]


@pytest.mark.parametrize("name", ["county:briefing", "county:briefing_docx"])
def test_staff_are_refused(name, user_named, client):
    client.force_login(user_named("d21"))
    assert client.get(reverse(name)).status_code == 403


def test_week_defaults_to_this_week():
    today = D(2026, 12, 3)  # a Thursday
    assert briefing.monday_of("", on=today) == D(2026, 11, 30)
    assert briefing.monday_of("2026-12-06", on=today) == D(2026, 11, 30)
    assert briefing.monday_of("not a date", on=today) == D(2026, 11, 30)
    assert briefing.monday_of("1900-01-01", on=today) == D(2026, 11, 30)


def test_page_queries_do_not_grow_with_rows(week, user_named, client):
    client.force_login(user_named("leader01"))
    url = reverse("county:briefing")
    from django.core.cache import cache

    client.get(url, {"week": "2001-01-08"})
    cache.clear()  # both views compute every figure
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"week": "2001-01-08"})
    reform = item(9102)
    for day in range(8, 14):
        task(reform, [week["a"], week["x"]], D(2001, 1, day), done_on=D(2001, 1, day))
        problem(week["y"], D(2001, 1, 1), D(2001, 1, day), closed_on=D(2001, 1, day))
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        client.get(url, {"week": "2001-01-08"})
    assert len(after) == len(before)

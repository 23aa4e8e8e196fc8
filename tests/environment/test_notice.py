"""A notice's figures, checked against hand-counted data; the printable page and the Word draft."""

import datetime
import io

import pytest
from docx import Document

from environment.notices import notice_figures

D = datetime.date
START, END, ON = D(2030, 3, 1), D(2030, 3, 31), D(2030, 3, 20)


@pytest.fixture
def period(make_problem):
    """Hand-made problems of March 2030 (and one outside it)."""
    closed = {"status": "closed", "closed_on": D(2030, 3, 10)}
    # 城关镇: 4 found, 2 closed, 1 overdue (deadline 3-15 < 3-20), 1 not yet due, 1 recurrence.
    make_problem("城关镇", found_on=D(2030, 3, 2), deadline=D(2030, 3, 9), **closed)
    make_problem("城关镇", found_on=D(2030, 3, 3), deadline=D(2030, 3, 9), recurrence_count=1,
                 **closed)  # fmt: skip
    make_problem("城关镇", found_on=D(2030, 3, 4), deadline=D(2030, 3, 15), status="rectifying")
    make_problem("城关镇", found_on=D(2030, 3, 5), deadline=D(2030, 3, 25), is_serious=True)
    # 东兴镇 and 北坝镇: 2 found, 2 closed each: equal keys share rank 1.
    for town in ("东兴镇", "北坝镇"):
        make_problem(town, found_on=D(2030, 3, 6), deadline=D(2030, 3, 16), **closed)
        make_problem(town, found_on=D(2030, 3, 7), deadline=D(2030, 3, 16), **closed)
    # 石门镇: 1 found, pending acceptance, past deadline → not overdue (the unit reported;
    # environment/registration.py PROBLEM_STATUS: 待验收 is never 逾期).
    make_problem("石门镇", found_on=D(2030, 3, 8), deadline=D(2030, 3, 12), status="pending")
    # Outside the period: not counted.
    make_problem("城关镇", found_on=D(2030, 4, 2), deadline=D(2030, 4, 9), **closed)


def test_figures_per_township_match_hand_count(period):
    figures = notice_figures(START, END, on=ON)
    town = figures.row_for("城关镇")
    assert (town.found, town.closed, town.overdue, town.recurrences) == (4, 2, 1, 1)
    assert town.rate == 50.0
    stone = figures.row_for("石门镇")
    assert (stone.found, stone.closed, stone.overdue, stone.pending, stone.rate) == (
        1,
        0,
        0,
        1,
        0.0,
    )
    assert figures.row_for("东兴镇").rate == 100.0
    assert (figures.totals.found, figures.totals.closed, figures.totals.overdue) == (9, 6, 1)
    assert figures.totals.rate == round(6 * 100 / 9, 1)


def test_ranking_by_rate_with_shared_ranks(period):
    figures = notice_figures(START, END, on=ON)
    ranks = {r.township.name: r.rank for r in figures.rows if r.rank}
    assert ranks == {"东兴镇": 1, "北坝镇": 1, "城关镇": 3, "石门镇": 4}
    assert figures.row_for("文昌街道").rank is None  # nothing found: not ranked
    assert [r.township.name for r in figures.rows[:2]] == [
        "东兴镇",
        "北坝镇",
    ]  # ties: county order


def test_serious_and_stubborn_are_listed(period):
    figures = notice_figures(START, END, on=ON)
    assert [p.description for p in figures.serious] == ["测试问题：路边乱堆乱放"]
    assert [p.recurrence_count for p in figures.stubborn] == [1]


def test_printable_page_and_word_draft(period, client, user_named):
    client.force_login(user_named("t02"))  # a unit's staff read issued notices, not drafts
    assert client.get("/environment/notice/").status_code == 403
    assert client.get("/environment/notice/draft.docx").status_code == 403
    client.force_login(user_named("sup_d18"))
    page = client.get("/environment/notice/", {"start": "2030-03-01", "end": "2030-03-31"})
    html = page.content.decode()
    # The print button is bound by static/js/app.js (no inline script under the CSP).
    assert page.status_code == 200 and "data-print" in html and "/static/js/app.js" in html
    assert 'data-township="城关镇"' in html and "50.0%" in html
    assert "下载 Word 草稿" in html
    response = client.get("/environment/notice/draft.docx?start=2030-03-01&end=2030-03-31")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "城乡环境综合提质督查情况的通报" in text and "共发现问题9个" in text
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in doc.tables[0].rows[1:]}
    assert rows["城关镇"][2:4] == ["4", "2"] and rows["城关镇"][5] == "50.0%"


def test_supervisor_issues_the_edited_notice(period, client, user_named):
    client.force_login(user_named("sup_d18"))
    draft = client.get("/environment/notice/draft.docx?start=2030-03-01&end=2030-03-31").content
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(
        "/environment/notice/issue/",
        {"title": "通报", "period_start": "2030-03-01", "period_end": "2030-03-31",
         "issued_on": "2030-04-02", "document": SimpleUploadedFile("a.docx", b"hello")},
    )  # fmt: skip
    assert "请上传 Word 文件" in bad.content.decode()
    ok = client.post(
        "/environment/notice/issue/",
        {"title": "关于三月督查情况的通报", "period_start": "2030-03-01",
         "period_end": "2030-03-31", "issued_on": "2030-04-02",
         "document": SimpleUploadedFile("通报.docx", draft)},
    )  # fmt: skip
    assert ok.status_code == 302
    client.force_login(user_named("t02"))
    page = client.get("/environment/notices/").content.decode()
    assert "关于三月督查情况的通报" in page

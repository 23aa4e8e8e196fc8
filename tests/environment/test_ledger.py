"""Excel import and export of the problem list through the shared ledger engine."""

import io
import json
from collections import Counter

import openpyxl
import pytest
from django.core.management import call_command

from county.registry import registry
from environment.models import Inspection, Problem


@pytest.fixture
def ledger(demo, category):
    category()  # the seeded categories exist (a flushed database has none)
    return registry.get("environment").ledger


@pytest.fixture
def imported(ledger, sample_file):
    Problem.objects.all().delete()
    Inspection.objects.all().delete()
    report = ledger.run_import(sample_file.read_bytes(), None)
    assert report.ok, [str(e) for e in report.errors]
    return report


def test_sample_imports_all_320_problems_with_their_state(imported):
    assert Problem.objects.count() == 320
    assert imported.by_kind["问题"]["created"] == 320
    statuses = Counter(Problem.objects.values_list("status", flat=True))
    assert statuses == {"closed": 189, "rectifying": 95, "assigned": 36}
    first = Problem.objects.get(number=1)
    assert (first.township.name, first.village.name, first.category.name) == (
        "双河镇",
        "银星村",
        "房前屋后脏乱差",
    )
    assert first.inspection.get_kind_display() == "交叉检查"
    assert str(first.found_on) == "2023-07-20" and str(first.deadline) == "2023-08-19"


def test_sample_links_line_companies_and_market_towns(imported):
    power = Problem.objects.filter(departments__name="国网示范县供电公司")
    assert power.count() == 4
    assert all(p.category.name == "“三线”杂乱" for p in power)
    market = Problem.objects.filter(at_market_town=True)
    assert market.count() == 24
    assert {p.place_label for p in market if p.township.name == "双河镇"} == {"双河场镇"}


def test_second_import_changes_nothing(imported, ledger, sample_file):
    report = ledger.run_import(sample_file.read_bytes(), None)
    assert report.ok and report.counts["unchanged"] == 320
    assert report.counts["created"] == 0 and report.counts["updated"] == 0


def test_export_reimports_without_change(imported, ledger):
    data = ledger.export(Problem.objects.all())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in sheet[3]]
    assert headers[:4] == ["序号", "检查时间", "检查方式", "乡镇"] and "是否销号" in headers
    report = ledger.run_import(data, None)
    assert report.ok and report.counts["unchanged"] == 320


def _sheet_with(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["问题清单"])
    header = ["序号", "检查时间", "检查方式", "乡镇", "村（社区）/场镇", "问题类别", "问题描述"]
    sheet.append([*header, "责任单位", "整改时限", "整改情况", "是否销号"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_bad_rows_are_all_listed_and_nothing_is_written(ledger):
    before = Problem.objects.count()
    data = _sheet_with(
        [
            [
                9001,
                "2030-01-05",
                "明查",
                "城关镇",
                "不存在村",
                "乱堆乱放",
                "甲",
                "城关镇",
                "2030-01-20",
            ],
            [
                9002,
                "2030-01-05",
                "暗访",
                "城关镇",
                "双河场镇",
                "乱堆乱放",
                "乙",
                "城关镇",
                "2030-01-20",
            ],
            [9003, "2030-01-05", "明查", "城关镇", None, "外星垃圾", "丙", "东兴镇", "2030-01-20"],
            [9004, "2030-01-05", "明查", "城关镇", None, "小广告", "丁", "县住建局", "长期坚持"],
            [9005, "2030-01-05", "明查", "城关镇", None, "小广告", "戊", "县住建局", "2030-01-20"],
        ]
    )
    report = ledger.run_import(data, None)
    assert not report.ok
    messages = [str(e) for e in report.sorted_errors()]
    assert any(m.startswith("第3行「村（社区）/场镇」") and "不存在村" in m for m in messages)
    assert any(m.startswith("第4行") and "不是城关镇的场镇" in m for m in messages)
    assert any(m.startswith("第5行「问题类别」") and "外星垃圾" in m for m in messages)
    assert any(m.startswith("第5行「责任单位」") and "东兴镇" in m for m in messages)
    assert any(m.startswith("第6行「整改时限」") for m in messages)
    assert Problem.objects.count() == before  # all or nothing


def test_commands_import_and_export_with_json_summary(ledger, sample_file, tmp_path):
    Problem.objects.all().delete()
    out = io.StringIO()
    call_command("import_ledger", "environment", str(sample_file), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["errors"] == [] and summary["created"] >= 320
    target = tmp_path / "out.xlsx"
    call_command("export_ledger", "environment", str(target), stdout=io.StringIO())
    sheet = openpyxl.load_workbook(target).active
    assert sheet.max_row == 3 + 320


def test_demo_load_is_idempotent(ledger):
    from environment.demo import load_demo

    load_demo(io.StringIO())
    count, history = Problem.objects.count(), Problem.history.count()
    load_demo(io.StringIO())
    assert Problem.objects.count() == count >= 320
    assert Problem.history.count() == history


def test_import_never_reopens_a_closed_problem(imported, ledger, sample_file):
    workbook = openpyxl.load_workbook(sample_file)
    sheet = workbook.active
    closed_row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 11).value == "是")
    number = sheet.cell(closed_row, 1).value
    sheet.cell(closed_row, 11).value = "否"
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = ledger.run_import(buffer.getvalue(), None)
    assert [str(e) for e in report.errors] == [
        f"第{closed_row}行「是否销号」：第{number}号问题已销号，不能通过导入重新打开；"
        "如问题反弹，请在问题页面登记“回头看”"
    ]
    assert Problem.objects.get(number=number).status == "closed"


def test_imported_closing_dates_are_never_in_the_future(imported):
    from county.status import today

    assert not Problem.objects.filter(status="closed", closed_on__gt=today()).exists()

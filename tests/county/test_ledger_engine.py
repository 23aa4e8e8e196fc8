"""The shared ledger engine: deadlines, header detection, errors, all-or-nothing, round trip."""

import datetime
import io
import json
import zipfile

import openpyxl
import pytest
from django.core.management import call_command

from county.ledger import Deadline, parse_deadline
from county.ledger.columns import Column, find_header
from county.ledger.errors import LedgerFileError
from county.ledger.reading import check_xlsx
from tests.testapp.ledger import DossierLedger
from tests.testapp.models import Dossier

from .ledger_files import xlsx

D = datetime.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年10月底前", Deadline(D(2023, 10, 31))),
        ("12月底前", Deadline(D(2023, 12, 31))),
        ("2023年12月31日", Deadline(D(2023, 12, 31))),
        ("2024年6月底", Deadline(D(2024, 6, 30))),
        ("2024年6月底前", Deadline(D(2024, 6, 30))),
        ("6月底前", Deadline(D(2023, 6, 30))),
        ("2月底", Deadline(D(2023, 2, 28))),
        ("２０２３年１１月３０日", Deadline(D(2023, 11, 30))),
        (" 2023-09-30 ", Deadline(D(2023, 9, 30))),
        ("2023.9.3", Deadline(D(2023, 9, 3))),
        ("2023年底", Deadline(D(2023, 12, 31))),
        ("年底前", Deadline(D(2023, 12, 31))),
        ("上半年", Deadline(D(2023, 6, 30))),
        ("第三季度末", Deadline(D(2023, 9, 30))),
        ("10月中旬", Deadline(D(2023, 10, 20))),
        ("长期坚持", Deadline(None, long_term=True)),
        ("持续推进", Deadline(None, long_term=True)),
        (datetime.datetime(2023, 12, 31), Deadline(D(2023, 12, 31))),
        (45291.0, Deadline(D(2023, 12, 31))),
        ("尽快", None),
        ("2023年13月底", None),
        ("2023年2月30日", None),
    ],
)
def test_deadline_phrases(text, expected):
    assert parse_deadline(text, 2023) == expected


COLUMNS = [
    Column("title", "事项", required=True),
    Column("unit", "牵头单位"),
    Column("co_units", "配合单位", synonyms=("责任单位",)),
    Column("deadline", "完成时限"),
]


def test_header_found_below_title_rows():
    rows = [["台账"], [""], ["序", "事项", "牵头单位", "完成时限"], ["1", "a", "b", "c"]]
    header = find_header(rows, COLUMNS)
    assert (header.first_row, header.height, header.data_start) == (2, 1, 3)
    assert header.positions == {"title": 1, "unit": 2, "deadline": 3}


def test_two_row_header_with_group_title():
    rows = [
        ["事项", "责任分工", "", "完成 时限"],
        ["", "牵头单位", "责任单位", ""],
        ["a", "b", "c", "d"],
    ]
    header = find_header(rows, COLUMNS)
    assert (header.first_row, header.height) == (0, 2)
    assert header.positions == {"title": 0, "unit": 1, "co_units": 2, "deadline": 3}


def test_missing_required_column_is_named():
    with pytest.raises(LedgerFileError, match="「事项」"):
        find_header([["牵头单位", "完成时限"]], COLUMNS)


def test_non_xlsx_files_get_a_clear_message():
    with pytest.raises(LedgerFileError, match=r"旧版 Excel（\.xls）"):
        check_xlsx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.xls")
    with pytest.raises(LedgerFileError, match="CSV"):
        check_xlsx("事项,牵头单位\n a,b".encode(), "a.csv")
    with pytest.raises(LedgerFileError, match="不是 Excel 工作簿"):
        check_xlsx(b"%PDF-1.4 renamed", "a.xlsx")


def test_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (50 * 1024 * 1024))
    with pytest.raises(LedgerFileError, match="异常庞大"):
        check_xlsx(buffer.getvalue(), "bomb.xlsx")


GOOD = [
    ["测试事项台账（2023年）"],
    ["事项", "牵头单位", "配合单位", "完成时限", "是否完成"],
    ["一、第一组"],
    ["甲事项", "县住建局", "城关镇、县交通局", "2023年10月底前", "否"],
    ["乙事项", " 县农业农村局 ", "", "长期坚持", "是"],
    ["合计", "", "", "", ""],
]


def test_import_creates_then_reimport_changes_nothing(demo):
    ledger = DossierLedger()
    report = ledger.run_import(xlsx(GOOD))
    assert report.ok, report.errors
    assert report.as_json() == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    jia = Dossier.objects.get(title="甲事项")
    assert jia.unit.name == "县住房和城乡建设局"
    assert [u.name for u in jia.co_units.order_by("name")] == ["县交通运输局", "城关镇"]
    assert jia.deadline == D(2023, 10, 31)
    history = jia.history.count() if hasattr(jia, "history") else None
    again = ledger.run_import(xlsx(GOOD))
    assert again.as_json() == {"created": 0, "updated": 0, "unchanged": 2, "errors": []}
    if history is not None:
        assert jia.history.count() == history


def test_bad_rows_are_all_listed_and_nothing_is_written(demo):
    rows = [
        ["事项", "牵头单位", "配合单位", "完成时限", "是否完成"],
        ["甲事项", "县不存在局", "城关镇", "2023年10月底前", "否"],
        ["乙事项", "县农业农村局", "", "尽快", "也许"],
        ["甲事项", "县农业农村局", "火星镇", "", ""],
        ["丙事项", "县农业农村局", "", "", ""],
    ]
    report = DossierLedger().run_import(xlsx(rows))
    assert not report.ok
    assert [str(e) for e in report.sorted_errors()] == [
        "第2行「牵头单位」：未知单位“县不存在局”，请使用全称或系统登记的简称",
        "第3行「完成时限」：无法识别的完成时限“尽快”，请写成 2023年10月31日、2023年10月底前、"
        "12月底前 或 长期坚持",
        "第3行「是否完成」：“也许”应为“是”或“否”",
        "第4行「配合单位」：未知单位“火星镇”，请使用全称或系统登记的简称",
        "第4行「事项」：与第2行重复",
    ]
    assert not Dossier.objects.exists()


def test_dry_run_reports_exactly_and_writes_nothing(demo):
    report = DossierLedger().run_import(xlsx(GOOD), dry_run=True)
    assert report.ok and report.counts["created"] == 2
    assert not Dossier.objects.exists()


def test_export_reimports_losslessly(demo):
    ledger = DossierLedger()
    assert ledger.run_import(xlsx(GOOD)).ok
    data = ledger.export(Dossier.objects.all())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "测试事项台账"
    assert sheet.freeze_panes == "A4"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet["A4"].border.left.style == "thin"
    report = ledger.run_import(data)
    assert report.as_json() == {"created": 0, "updated": 0, "unchanged": 2, "errors": []}


@pytest.mark.parametrize("text", ["=1+1", "+86 123", "-1", "@SUM(A1)", "\t=cmd", "\r=cmd"])
def test_formula_like_text_is_exported_as_quoted_text_and_reimports_unchanged(
    demo, unit_named, text
):
    Dossier.objects.create(title=text, unit=unit_named("城关镇"))
    ledger = DossierLedger()
    data = ledger.export(Dossier.objects.all())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A4"].value == text and sheet["A4"].data_type == "s"
    assert sheet["A4"].quotePrefix
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    if not text[0].isspace():  # the importer trims leading white space of every cell
        assert ledger.run_import(data).as_json()["unchanged"] == 1


def test_import_ledger_command_json_and_exit_codes(demo, tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD))
    call_command("import_ledger", "testing", str(good), "--dry-run", "--json")
    assert json.loads(capsys.readouterr().out)["created"] == 2
    assert not Dossier.objects.exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["事项", "牵头单位"], ["甲", "火星局"]]))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_ledger", "testing", str(bad), "--json")
    assert exit_info.value.code == 1
    result = json.loads(capsys.readouterr().out)
    assert result["errors"] == [
        {"row": 2, "column": "牵头单位", "message": "未知单位“火星局”，请使用全称或系统登记的简称"}
    ]
    out = tmp_path / "out.xlsx"
    call_command("import_ledger", "testing", str(good))
    call_command("export_ledger", "testing", str(out))
    assert openpyxl.load_workbook(out).active["A4"].value == "甲事项"

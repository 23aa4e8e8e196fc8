"""The ledger engine in bulk: a constant number of queries whatever the number of rows (first,
unchanged and changed imports of every workstream), every export re-imports unchanged
(a reform ledger of several years included), exports stream, hostile files are refused."""

import io
import tempfile
import tracemalloc

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from county.ledger.errors import LedgerFileError
from county.ledger.reading import check_xlsx
from county.ledger.spec import WRITE_CONFLICT
from county.registry import registry
from tests.county.ledger_files import (
    PLAN_HEADER,
    PROBLEM_HEADER,
    changed_parcel_rows,
    generated_parcel_rows,
    parcel_ledger,
    patched,
    plan_rows,
    problem_rows,
    reform_ledger,
    sheet,
    xlsx,
)

SMALL, LARGE = 12, 36


def run(ledger, data, **options):
    """(queries made, report) of one import."""
    with CaptureQueriesContext(connection) as captured:
        report = ledger.run_import(data, **options)
    assert report.ok, [str(e) for e in report.sorted_errors()[:5]]
    return len(captured), report


def counts(report):
    return report.counts["created"], report.counts["updated"], report.counts["unchanged"]


def three_imports(ledger, first, changed, size, changes):
    """Queries of a first, an unchanged and a changed import of ``size`` records."""
    made, report = run(ledger, first)
    assert counts(report)[0] >= size
    again, report = run(ledger, first)
    assert counts(report)[:2] == (0, 0)
    edited, report = run(ledger, changed)
    assert report.counts["updated"] == changes
    return made, again, edited


# ---- constant queries --------------------------------------------------------------------
def test_parcels_take_the_same_queries_at_any_size(demo):
    from abandoned_land.models import Parcel

    ledger = registry.get("abandoned_land").ledger
    made = []
    for size in (SMALL, LARGE):
        Parcel.all_objects.all().delete()
        rows = generated_parcel_rows(size, seed=size)
        changed = changed_parcel_rows(rows)
        first, edited = parcel_ledger(rows), parcel_ledger(changed)
        made.append(three_imports(ledger, first, edited, size, changes=len(rows[::10])))
    assert made[0] == made[1], made
    assert made[0][1] < 20  # an unchanged re-import reads, compares, writes nothing


def test_parcel_history_rows_carry_the_import_marker(demo, user_named):
    from abandoned_land.models import Parcel

    ledger = registry.get("abandoned_land").ledger
    Parcel.all_objects.all().delete()
    rows = generated_parcel_rows(30)
    supervisor = user_named("sup_d21")
    ledger.run_import(parcel_ledger(rows), supervisor)
    codes = [row[3] for row in rows]
    created = Parcel.history.filter(history_type="+", code__in=codes)
    assert created.count() == 30
    assert set(created.values_list("history_change_reason", "history_user")) == {
        ("Excel导入", supervisor.pk)
    }
    ledger.run_import(parcel_ledger(changed_parcel_rows(rows)), None)
    changed = Parcel.history.filter(history_type="~", code__in=codes)
    assert changed.count() == 3
    assert set(changed.values_list("history_change_reason", flat=True)) == {"Excel导入"}
    parcel = Parcel.objects.get(code=rows[0][3])
    assert parcel.note == "面积经复核调整" and str(parcel.area) == "99.90"
    latest = parcel.history.first()
    assert latest.note == "面积经复核调整" and str(latest.area) == "99.90"
    assert (latest.history_type, latest.prev_record.history_type) == ("~", "+")


def test_problems_take_the_same_queries_at_any_size(demo):
    from county.models import Village
    from environment.models import (
        Inspection,
        Problem,
        ProblemCategory,
        ensure_seed_categories,
        refresh_stubborn_all,
    )

    ensure_seed_categories()
    ledger = registry.get("environment").ledger
    villages = Village.objects.select_related("township").order_by("pk")[:9]
    places = [(v.township.name, v.name) for v in villages]
    categories = list(ProblemCategory.objects.order_by("pk").values_list("name", flat=True)[:4])
    made = []
    for size in (SMALL, LARGE):
        Problem.all_objects.all().delete()
        Inspection.objects.all().delete()
        rows = problem_rows(size, places, categories)
        changed = [list(r) for r in rows]
        for row in changed[::10]:
            row[6] += "（复核）"
        first = sheet("问题清单", PROBLEM_HEADER, rows)
        edited = sheet("问题清单", PROBLEM_HEADER, changed)
        made.append(three_imports(ledger, first, edited, size, changes=len(rows[::10])))
        assert Inspection.objects.count() == 3
        assert refresh_stubborn_all() in (0, None)  # the import computed 顽固问题 already
    assert made[0] == made[1], made


def test_plan_areas_take_the_same_queries_at_any_size(demo):
    from county.models import Village
    from landplan.models import PlanArea, StageChange

    ledger = registry.get("landplan").ledger
    villages = Village.objects.select_related("township").order_by("pk")[:9]
    places = [(v.township.name, v.name) for v in villages]
    made = []
    for size in (SMALL, LARGE):
        PlanArea.objects.all().delete()
        rows = plan_rows(size, places)
        changed = [list(r) for r in rows]
        for row in changed[::10]:
            row[7] = "报市级审查"  # a stage step: an update and a StageChange
        first, edited = sheet("片区", PLAN_HEADER, rows), sheet("片区", PLAN_HEADER, changed)
        made.append(three_imports(ledger, first, edited, size, changes=len(rows[::10])))
        assert StageChange.objects.count() == size + len(rows[::10])
    assert made[0] == made[1], made


def test_reform_items_take_the_same_queries_at_any_size(demo):
    from county.models import Leader, SpecialGroup, Unit
    from reforms.models import ProgressReport, ReformItem

    ledger = registry.get("reforms").ledger
    groups = list(SpecialGroup.objects.order_by("order").values_list("name", flat=True))
    leaders = list(Leader.objects.order_by("pk").values_list("name", flat=True))
    units = list(Unit.objects.departments().order_by("pk").values_list("name", flat=True)[:8])
    made = []
    for size in (SMALL, LARGE):
        ReformItem.objects.all().delete()
        first = reform_ledger(size, groups, leaders, units)
        edited = reform_ledger(size, groups, leaders, units, progress="已完成阶段性任务。")
        made.append(three_imports(ledger, first, edited, 3 * size, changes=size))
        assert ProgressReport.objects.filter(from_import=True).count() == 2 * size
    assert made[0] == made[1], made


# ---- every export re-imports unchanged --------------------------------------------------
@pytest.mark.parametrize("key", ["reforms", "environment", "landplan", "abandoned_land"])
def test_every_export_reimports_unchanged(demo, key):
    ledger = registry.get(key).ledger
    records = ledger.model._default_manager.all()
    assert records.exists()
    report = ledger.run_import(ledger.export(records))
    assert report.ok, [str(e) for e in report.sorted_errors()[:5]]
    assert counts(report)[:2] == (0, 0) and report.counts["unchanged"] >= records.count()


def _two_year_export():
    """The demo's reform items (this year) and the 2023 sample: exported, re-imported."""
    from county.status import today
    from reforms.models import ReformItem
    from tests.reforms.conftest import SAMPLE

    ledger = registry.get("reforms").ledger
    assert ledger.run_import(SAMPLE.read_bytes(), name=SAMPLE.name).ok
    years = sorted(set(ReformItem.objects.values_list("year", flat=True)))
    assert years == [2023, today().year]
    data = ledger.export(ReformItem.objects.all())
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [f"改革台账（{year}年）" for year in years]
    assert [s["A1"].value for s in workbook] == [f"{year}年全面深化改革工作台账" for year in years]
    report = ledger.run_import(data)
    assert report.ok, [str(e) for e in report.sorted_errors()[:5]]
    assert counts(report) == (0, 0, ReformItem.objects.count() + _subtasks())
    # Numbers repeat across the years; within one sheet a repeat is still an error.
    assert ReformItem.objects.filter(number=86).count() == 2
    return data


def test_a_reform_ledger_of_two_years_exports_one_sheet_per_year_and_reimports(demo):
    _two_year_export()


def test_the_preview_of_a_ledger_of_two_years_names_the_sheet_of_each_change(
    demo, client, user_named, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    data = _two_year_export()
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["改革台账（2023年）"]
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 6).value)
    sheet.cell(row, 11).value = "已召开推进会。"  # 工作进展 of one 2023 sub-task
    buffer = io.BytesIO()
    workbook.save(buffer)
    settings.MEDIA_ROOT = tmp_path
    client.force_login(user_named("sup_d03"))
    upload = SimpleUploadedFile("两年台账.xlsx", buffer.getvalue())
    preview = client.post(reverse("ledger:import", args=["reforms"]), {"file": upload})
    report = preview.context["report"]
    assert report.ok and report.counts["updated"] == 1
    (change,) = report.changes
    assert (change.sheet, change.row, change.kind) == ("改革台账（2023年）", row, "细分任务")
    assert [label for label, _, _ in change.fields] == ["工作进展"]
    assert "改革台账（2023年）" in preview.content.decode()


def _subtasks():
    from reforms.models import SubTask

    return SubTask.objects.count()


def test_errors_on_a_ledger_of_several_sheets_name_the_sheet(demo):
    from tests.county.ledger_files import REFORM_HEADER

    ledger = registry.get("reforms").ledger
    row = [1, "甲改革", "举措一", "孙伟", "县委宣传部", "县文广旅局", "12月底前", "", "推进中"]
    other = [2, "乙改革", *row[2:]]
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "2030年"
    for values in (["2030年改革台账"], REFORM_HEADER, row, other, row):
        first.append(values)
    second = workbook.create_sheet("说明")
    second.append(["本工作簿由县委改革办汇总。"])
    third = workbook.create_sheet("2031年")
    for values in (["2031年改革台账"], REFORM_HEADER, row):
        third.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = ledger.run_import(buffer.getvalue())
    assert [str(e) for e in report.sorted_errors()] == [
        "工作表「2030年」第5行「序号」：序号 1 重复（第3行已有）"
    ]
    assert report.as_json()["errors"][0]["sheet"] == "2030年"


# ---- the export command -----------------------------------------------------------------
def test_export_command_follows_year_and_filters(demo, tmp_path, capsys):
    from abandoned_land.models import Parcel
    from county.audit import AuditEvent
    from reforms.models import ReformItem
    from tests.reforms.conftest import SAMPLE

    reforms = registry.get("reforms").ledger
    reforms.run_import(SAMPLE.read_bytes(), name=SAMPLE.name)
    out = tmp_path / "2023.xlsx"
    call_command("export_ledger", "reforms", str(out), "--year", "2023")
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["改革台账（2023年）"]
    assert ReformItem.objects.filter(year=2023).count() == 88
    assert "已导出 88 条" in capsys.readouterr().out
    planted = tmp_path / "planted.xlsx"
    call_command("export_ledger", "abandoned_land", str(planted), "--filter", "status=planted")
    rows = openpyxl.load_workbook(planted).active.max_row
    assert rows == 3 + Parcel.objects.filter(status="planted").count()
    event = AuditEvent.objects.order_by("-pk").first()
    assert "status=planted" in event.detail and event.username == "命令行"
    with pytest.raises(CommandError, match="未知的筛选条件"):
        call_command("export_ledger", "abandoned_land", str(planted), "--filter", "colour=red")
    with pytest.raises(CommandError, match="不按年度"):
        call_command("export_ledger", "abandoned_land", str(planted), "--year", "2023")
    with pytest.raises(CommandError, match="字段=值"):
        call_command("export_ledger", "abandoned_land", str(planted), "--filter", "planted")


# ---- streaming export -------------------------------------------------------------------
def _export_peak(ledger, queryset):
    with tempfile.TemporaryFile() as handle:
        tracemalloc.start()
        try:
            ledger.export_to(queryset, handle)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_export_memory_does_not_grow_with_the_rows(demo):
    """Parcels are read 500 at a time and written row by row: 600 and 1,800 parcels take
    the same memory (the bench compares 1,000 and 100,000)."""
    from abandoned_land.models import Parcel

    ledger = registry.get("abandoned_land").ledger
    Parcel.all_objects.all().delete()
    ledger.run_import(parcel_ledger(generated_parcel_rows(1800)))
    six_hundred = Parcel.objects.order_by("pk").values_list("pk", flat=True)[599]
    small = _export_peak(ledger, Parcel.objects.filter(pk__lte=six_hundred))
    large = _export_peak(ledger, Parcel.objects.all())
    assert large < 1.5 * small, (small, large)


# ---- hostile files ----------------------------------------------------------------------
def test_a_tiny_file_with_a_far_away_cell_is_refused_before_it_is_read():
    """python-calamine would ask for 4.5 GB (a dense block from A1 to ZZ200000) and abort."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "序号"
    workbook.active["ZZ200000"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert len(buffer.getvalue()) < 10_000
    with pytest.raises(LedgerFileError, match="范围过大"):
        check_xlsx(buffer.getvalue())


def test_control_characters_are_dropped_and_long_texts_refused(demo):
    from tests.testapp.models import Dossier

    ledger = registry.get("testing").ledger
    rows = [["事项", "牵头单位"], ["甲CONTROL事项", "城关镇"], ["乙" * 101, "城关镇"]]
    data = patched(xlsx(rows), b"CONTROL", b"_x0001_")  # Excel's escape of U+0001
    report = ledger.run_import(data)
    assert [str(e) for e in report.errors] == ["第3行「事项」：内容过长（101 字），不能超过 100 字"]
    assert ledger.run_import(patched(xlsx(rows[:2]), b"CONTROL", b"_x0001_")).ok
    assert Dossier.objects.get().title == "甲事项"


def test_a_record_written_meanwhile_refuses_the_import_cleanly(demo, monkeypatch, unit_named):
    """Another import (or an edit) writes the same code between the check and the write:
    the database refuses it, the report says so, nothing is written, no server error."""
    from abandoned_land.ledger import ParcelLedger
    from abandoned_land.models import Parcel

    ledger = registry.get("abandoned_land").ledger
    rows = generated_parcel_rows(5)
    town = unit_named(rows[0][1])

    def meanwhile(self, report, user):
        Parcel.objects.create(
            code=rows[0][3], township=town, village=town.villages.get(name=rows[0][2]),
            area=1, status="surveyed",
        )  # fmt: skip
        self.unplanned = 0

    monkeypatch.setattr(ParcelLedger, "prepare", meanwhile)
    before = Parcel.objects.count()
    report = ledger.run_import(parcel_ledger(rows))
    assert [str(e) for e in report.errors] == [f"文件：{WRITE_CONFLICT}"]
    assert Parcel.objects.count() == before

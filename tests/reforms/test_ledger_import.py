"""Importing the reform ledger: the sample item by item, real-world variants, bad files."""

import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from county.models import SpecialGroup
from reforms.choices import TaskStatus
from reforms.ledger import ReformLedger
from reforms.models import ProgressReport, ReformItem, SubTask
from tests.county.ledger_files import xlsx

D = datetime.date


def task(number, order):
    return SubTask.objects.get(item__number=number, order=order)


def unit_names(obj):
    return sorted(u.name for u in obj.units.all())


def test_sample_counts(imported):
    assert imported.by_kind["改革任务"]["created"] == 88
    assert imported.by_kind["细分任务"]["created"] == 148
    assert ReformItem.objects.count() == 88
    assert SubTask.objects.count() == 148
    per_group = {g.name: g.reform_items.count() for g in SpecialGroup.objects.all()}
    assert per_group == {
        "经济体制和生态文明体制改革专项小组": 22,
        "民主法制领域改革专项小组": 12,
        "文化体制改革专项小组": 8,
        "社会体制改革专项小组": 18,
        "党的建设制度改革专项小组": 14,
        "纪律检查体制改革专项小组": 14,
    }
    assert not imported.notes  # every section's declared count matches
    assert SubTask.objects.filter(units__isnull=True).count() == 0


def test_sample_cells_item_by_item(imported):
    first = ReformItem.objects.get(number=1)
    assert first.title == "深化“放管服”改革优化营商环境"
    assert first.lead_leader.name == "刘洋"
    assert first.lead_unit.name == "县农业农村局"
    assert first.group.name == "经济体制和生态文明体制改革专项小组"
    assert [t.name for t in first.subtasks.all()] == [
        "开展试点并总结经验（1）",
        "开展试点并总结经验（2）",
    ]
    assert task(1, 1).deadline == D(2023, 12, 31)  # "2023年12月31日"
    assert task(1, 2).deadline == D(2023, 12, 31)  # a date cell
    assert task(1, 2).status == TaskStatus.DONE
    # "县审批局，县司法局，县教育局": aliases and full-width commas
    assert unit_names(task(3, 1)) == ["县司法局", "县教育局", "县行政审批局"]
    assert task(3, 1).deadline == D(2024, 6, 30)  # "2024年6月底前"
    assert task(3, 1).status == TaskStatus.IN_PROGRESS
    assert ReformItem.objects.get(number=5).lead_unit.name == "县发展和改革局"  # 县发改局
    assert task(7, 3).deadline == D(2023, 6, 30)  # "6月底前" in the 2023 ledger
    assert task(8, 1).deadline == D(2023, 12, 31)  # "2023年12月底"
    assert task(7, 2).long_term and task(7, 2).deadline is None  # "持续推进"
    assert task(2, 1).status == TaskStatus.NOT_STARTED and task(2, 1).progress == ""
    sixty_one = ReformItem.objects.get(number=61)
    assert sixty_one.group.name == "党的建设制度改革专项小组"
    assert task(61, 1).deadline == D(2023, 9, 30) and task(61, 1).status == TaskStatus.LAGGING
    assert ReformItem.objects.get(number=67).title == "深化机构编制管理改革"  # stray spaces
    assert unit_names(task(67, 1)) == ["县乡村振兴局", "县供销社", "县行政审批局"]  # new lines
    assert unit_names(task(88, 2)) == ["县委办", "县审计局"]
    assert task(88, 2).progress == "正在按计划推进，已完成阶段性任务。"
    assert ProgressReport.objects.filter(subtask=task(88, 2), from_import=True).count() == 1


def test_reimporting_the_same_file_changes_nothing(imported, sample_bytes):
    history = (ReformItem.history.count(), SubTask.history.count(), ProgressReport.objects.count())
    report = ReformLedger().run_import(sample_bytes)
    assert report.as_json() == {"created": 0, "updated": 0, "unchanged": 236, "errors": []}
    assert (
        ReformItem.history.count(),
        SubTask.history.count(),
        ProgressReport.objects.count(),
    ) == history


def _edited_sample(sample_bytes, edits):
    workbook = openpyxl.load_workbook(io.BytesIO(sample_bytes))
    sheet = workbook.active
    for cell, value in edits.items():
        sheet[cell] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_edited_file_changes_only_what_changed_and_history_shows_it(imported, sample_bytes):
    data = _edited_sample(sample_bytes, {"G7": "2023年11月底前", "H7": "已召开评估会。"})
    report = ReformLedger().run_import(data)
    assert report.as_json() == {"created": 0, "updated": 1, "unchanged": 235, "errors": []}
    (change,) = report.changes
    assert change.row == 7 and change.kind == "细分任务"
    labels = {label for label, _, _ in change.fields}
    assert labels == {"完成时限", "工作进展"}
    evaluated = task(2, 1)
    assert evaluated.deadline == D(2023, 11, 30)
    assert evaluated.progress == "已召开评估会。"
    latest = evaluated.history.first()
    delta = latest.diff_against(latest.prev_record)
    assert "progress" in delta.changed_fields
    assert evaluated.history.filter(history_change_reason="Excel导入").exists()


def test_export_is_formatted_and_reimports_losslessly(imported):
    ledger = ReformLedger()
    data = ledger.export(ReformItem.objects.all())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "2023年全面深化改革工作台账"
    assert sheet["A3"].value == "序号" and sheet.freeze_panes == "A4"
    assert sheet["A4"].value == "一、经济体制和生态文明体制改革专项小组（22项）"
    assert "A4:N4" in {str(r) for r in sheet.merged_cells.ranges}
    assert "A5:A6" in {str(r) for r in sheet.merged_cells.ranges}  # item 1 over its 2 rows
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.column_dimensions["B"].width == 24
    report = ledger.run_import(data)
    assert report.as_json() == {"created": 0, "updated": 0, "unchanged": 236, "errors": []}


def test_export_to_an_empty_system_recreates_the_ledger(imported):
    data = ReformLedger().export(ReformItem.objects.all())
    before = {
        (t.item.number, t.order): (t.name, t.deadline, t.long_term, t.status, unit_names(t))
        for t in SubTask.objects.select_related("item").prefetch_related("units")
    }
    ReformItem.objects.all().delete()
    report = ReformLedger().run_import(data)
    assert report.counts["created"] == 236
    after = {
        (t.item.number, t.order): (t.name, t.deadline, t.long_term, t.status, unit_names(t))
        for t in SubTask.objects.select_related("item").prefetch_related("units")
    }
    assert after == before


HEADER = [
    "序号",
    "改革任务",
    "具体举措",
    "牵头县领导",
    "牵头单位",
    "责任单位",
    "完成时限",
    "工作进展",
    "完成状态",
]


def test_variant_header_below_an_empty_row_and_notes(empty_ledger):
    rows = [
        [],
        ["示范县2023年改革台账"],
        ["填报单位：县委改革办"],
        [],
        HEADER,
        ["一、文化体制改革专项小组（1项）"],
        [1, "甲改革", "举措一", "孙伟", "县委宣传部", "县文广旅局", "12月底前", "", "推进中"],
        [],
        ["合计", "1项"],
        ["注：本表由县委改革办汇总"],
    ]
    report = ReformLedger().run_import(xlsx(rows))
    assert report.ok, [str(e) for e in report.errors]
    item = ReformItem.objects.get(number=1)
    assert item.year == 2023 and item.group.name == "文化体制改革专项小组"
    assert task(1, 1).deadline == D(2023, 12, 31)


def test_variant_two_row_header_other_order_and_synonyms(empty_ledger):
    rows = [
        ["2023年度改革任务推进情况表"],
        [
            "改革任务",
            "序号",
            "具体举措",
            "责任分工",
            None,
            None,
            "完成时限",
            "是否完成",
            "进展情况",
        ],
        [None, None, None, "牵头县领导", "牵头单位", "配合单位", None, None, None],
        [
            "乙改革",
            "２",
            " 举措 甲 ",
            "黄丽",
            "县 教育局",
            "县财政局,县人社局\n城关镇",
            "２０２３年１０月底前",
            "是",
            "已完成",
        ],
        [None, None, "举措乙", None, None, "县财政局；县卫健局", "长期坚持", "否", "按序时推进"],
    ]
    merges = ["D2:F2", "A4:A5", "B4:B5", "D4:D5", "E4:E5"]
    report = ReformLedger().run_import(xlsx(rows, merges))
    assert report.ok, [str(e) for e in report.errors]
    item = ReformItem.objects.get(number=2)
    assert item.title == "乙改革" and item.lead_leader.name == "黄丽"
    assert item.lead_unit.name == "县教育局"
    first, second = task(2, 1), task(2, 2)
    assert first.name == "举措 甲" and first.deadline == D(2023, 10, 31)
    assert first.status == TaskStatus.DONE and first.percent == 100
    assert unit_names(first) == ["县人力资源和社会保障局", "县财政局", "城关镇"]
    assert second.long_term and second.status == TaskStatus.IN_PROGRESS
    assert unit_names(second) == ["县卫生健康局", "县财政局"]
    assert second.progress == "按序时推进"


def test_unmerged_continuation_rows_belong_to_the_item_above(empty_ledger):
    rows = [
        HEADER,
        [1, "甲改革", "举措一", "孙伟", "县委宣传部", "县文广旅局", "2023-12-31", "", "推进中"],
        [None, None, "举措二", None, None, "县文广旅局", "2023年9月30日", "", "已完成"],
        [2, "乙改革", "举措一", "孙伟", "县委宣传部", "", "2023年9月底", "", "未启动"],
    ]
    report = ReformLedger().run_import(xlsx(rows), year=2023)
    assert report.ok, [str(e) for e in report.errors]
    assert ReformItem.objects.get(number=1).subtasks.count() == 2
    assert unit_names(task(2, 1)) == ["县委宣传部"]  # no 责任单位: the lead unit


def test_bad_file_lists_every_problem_and_writes_nothing(empty_ledger):
    rows = [
        ["2023年改革台账"],
        HEADER,
        [1, "甲改革", "举措一", "孙伟", "县不存在局", "县文广旅局", "12月底前", "", "推进中"],
        [2, "乙改革", "", "孙伟", "县委宣传部", "县文广旅局", "尽快", "", "推进中"],
        [1, "丙改革", "举措一", "孙伟", "县委宣传部", "县文广旅局", "12月底前", "", "差不多"],
        [3, "丁改革", "举措一", "张三", "县委宣传部", "火星镇、县财政局", "12月底前", "", ""],
        ["x", "戊改革", "举措一", "孙伟", "县委宣传部", "县财政局", "12月底前", "", ""],
    ]
    report = ReformLedger().run_import(xlsx(rows))
    assert [str(e) for e in report.sorted_errors()] == [
        "第3行「牵头单位」：未知单位“县不存在局”，请使用全称或系统登记的简称",
        "第4行「完成时限」：无法识别的完成时限“尽快”，请写成 2023年10月31日、2023年10月底前、"
        "12月底前 或 长期坚持",
        "第4行「具体举措」：缺少具体举措（细分任务名称）",
        "第5行「完成状态」：“差不多”不是可选的完成状态（可选：未启动、推进中、滞后、已完成，或是/否）",
        "第5行「序号」：序号 1 重复（第3行已有）",
        "第6行「牵头县领导」：未知县级领导“张三”",
        "第6行「责任单位」：未知单位“火星镇”，请使用全称或系统登记的简称",
        "第7行「序号」：“x”不是有效的数字",
    ]
    assert not ReformItem.objects.exists() and not SubTask.objects.exists()


def test_missing_columns_and_empty_sheets_are_explained(empty_ledger):
    report = ReformLedger().run_import(xlsx([["序号", "工作进展"], [1, "x"]]))
    assert [str(e) for e in report.errors] == [
        "文件：表头（第1行）缺少必需的列：「改革任务」、「具体举措」。"
    ]
    report = ReformLedger().run_import(xlsx([HEADER]))
    assert [str(e) for e in report.errors] == ["文件：表头下面没有数据行。"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "台账.xls", "旧版 Excel（.xls）"),
        ("序号,改革任务\n1,甲".encode(), "台账.csv", "CSV 文本文件"),
        (b"%PDF-1.7 not a ledger", "台账.xlsx", "不是 Excel 工作簿"),
    ],
)
def test_files_that_are_not_xlsx(empty_ledger, tmp_path, capsys, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SystemExit):
        call_command("import_ledger", "reforms", str(path), "--json")
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert len(errors) == 1 and message in errors[0]["message"]


def test_command_dry_run_json_and_export(empty_ledger, tmp_path, capsys):
    from tests.reforms.conftest import SAMPLE

    call_command("import_ledger", "reforms", str(SAMPLE), "--dry-run", "--json")
    assert json.loads(capsys.readouterr().out) == {
        "created": 236,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    assert not ReformItem.objects.exists()
    call_command("import_ledger", "reforms", str(SAMPLE))
    out = tmp_path / "out.xlsx"
    call_command("export_ledger", "reforms", str(out))
    call_command("import_ledger", "reforms", str(out), "--json")
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["unchanged"] == 236


def test_variant_headers_that_only_contain_a_known_name(empty_ledger):
    rows = [
        ["2023年改革任务推进情况表"],
        [
            "编号",
            "改革任务名称",
            "具体工作举措",
            "牵头县领导",
            "牵头单位及责任人",
            "责任单位（配合单位）",
            "完成时限要求",
            "2023年工作进展",
            "是否完成",
        ],
        [
            1,
            "甲改革",
            "举措一",
            "孙伟",
            "县委宣传部",
            "县财政局 县教育局",
            "2023年9月底前",
            "已完成",
            "√",
        ],
    ]
    report = ReformLedger().run_import(xlsx(rows))
    assert report.ok, [str(e) for e in report.errors]
    first = task(1, 1)
    assert first.name == "举措一" and first.deadline == D(2023, 9, 30)
    assert first.status == TaskStatus.DONE and first.progress == "已完成"
    assert unit_names(first) == ["县教育局", "县财政局"]
    assert ReformItem.objects.get(number=1).lead_unit.name == "县委宣传部"

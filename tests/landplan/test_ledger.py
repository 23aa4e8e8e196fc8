"""The plan-area ledger: the sample import, errors, re-import and export round trip."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command

from landplan.choices import Batch, Level, Stage
from landplan.models import PlanArea, StageChange

pytestmark = pytest.mark.django_db

HEADER = ["片区名称", "层级", "批次", "涉及乡镇", "涉及村", "牵头单位", "编制单位", "当前阶段",
          "报市级审查时限", "完成时限", "备注"]  # fmt: skip


def workbook(rows, title="片区规划编制进度"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_sample_import_matches_the_file(fresh, area):
    assert fresh.counts["created"] == 16
    assert PlanArea.objects.count() == 16
    assert PlanArea.objects.filter(level=Level.TOWNSHIP).count() == 5
    assert PlanArea.objects.filter(level=Level.VILLAGE).count() == 11
    assert PlanArea.objects.filter(batch=Batch.FIRST).count() == 2
    assert PlanArea.objects.filter(batch=Batch.SECOND).count() == 3
    village_stages = PlanArea.objects.filter(level=Level.VILLAGE).values_list("stage", flat=True)
    assert sorted(village_stages) == [Stage.SURVEY] * 6 + [Stage.DRAFT] * 5
    chengguan = area("城关片区")
    assert chengguan.stage == Stage.PROVINCIAL_REVIEW  # 报省级专班审查
    assert {t.name for t in chengguan.townships.all()} == {"城关镇", "东兴镇", "西河镇", "南山镇"}
    assert chengguan.city_review_deadline == datetime.date(2023, 10, 31)
    assert chengguan.completion_deadline == datetime.date(2023, 12, 31)
    assert chengguan.note == "按“三区三线”成果补充完善"
    assert chengguan.lead_unit.name == "县自然资源局"
    assert chengguan.compiler == "某规划设计研究院"
    yongan = area("永安片区")
    assert yongan.stage == Stage.BASE_DATA
    assert yongan.next_deadline == datetime.date(2023, 10, 31)
    guangfu = area("光福村级片区")
    assert guangfu.city_review_deadline is None
    assert guangfu.next_deadline == datetime.date(2024, 6, 30)
    assert [v.name for v in guangfu.villages.order_by("name")] == sorted(
        ["光福村", "南盛社区", "坝星村"]
    )
    assert all(v.township.name == "南山镇" for v in guangfu.villages.all())
    # Every new area starts its timeline, with a history record.
    assert StageChange.objects.count() == 16
    assert chengguan.history.count() == 1


def test_duplicate_names_import_as_two_distinct_areas(fresh, area):
    assert PlanArea.objects.filter(name="东安村级片区").count() == 2
    assert PlanArea.objects.filter(name="凤福村级片区").count() == 2
    in_chengguan = area("东安村级片区", "城关镇")
    in_xinchang = area("东安村级片区", "新场镇")
    assert in_chengguan.pk != in_xinchang.pk
    assert in_chengguan.stage == Stage.DRAFT
    assert in_xinchang.stage == Stage.SURVEY
    assert {v.township.name for v in in_chengguan.villages.all()} == {"城关镇"}
    assert {v.township.name for v in in_xinchang.villages.all()} == {"新场镇"}
    assert in_chengguan.title == "东安村级片区（城关镇）"
    fengfu = area("凤福村级片区", "永安镇")
    assert {v.name for v in fengfu.villages.all()} == {"凤福社区", "新福村", "明阳社区"}
    assert area("凤福村级片区", "北坝镇").stage == Stage.SURVEY


def test_reimport_changes_nothing(fresh, ledger, sample_file):
    report = ledger.run_import(sample_file, None, name=sample_file.name)
    assert report.ok
    assert report.counts["created"] == 0
    assert report.counts["updated"] == 0
    assert report.counts["unchanged"] == 16
    assert StageChange.objects.count() == 16


def test_export_then_reimport_is_lossless(fresh, ledger, user_named, area):
    target = area("石门片区")
    target.move_to(Stage.CITY_REVIEW, user_named("sup_d17"))
    before = {
        a.pk: (a.name, a.level, a.batch, a.stage, a.city_review_deadline, a.completion_deadline,
               a.compiler, a.note, a.lead_unit_id, a.next_deadline,
               sorted(a.townships.values_list("pk", flat=True)),
               sorted(a.villages.values_list("pk", flat=True)))
        for a in PlanArea.objects.all()
    }  # fmt: skip
    data = ledger.export(PlanArea.objects.visible_to(user_named("sup_d17")))
    report = ledger.run_import(io.BytesIO(data), None, name="export.xlsx")
    assert report.ok, [str(e) for e in report.errors]
    assert (report.counts["created"], report.counts["updated"]) == (0, 0)
    assert report.counts["unchanged"] == 16
    after = {
        a.pk: (a.name, a.level, a.batch, a.stage, a.city_review_deadline, a.completion_deadline,
               a.compiler, a.note, a.lead_unit_id, a.next_deadline,
               sorted(a.townships.values_list("pk", flat=True)),
               sorted(a.villages.values_list("pk", flat=True)))
        for a in PlanArea.objects.all()
    }  # fmt: skip
    assert after == before


def test_a_bad_file_lists_every_problem_and_writes_nothing(fresh, ledger):
    before = PlanArea.objects.count()
    ok_row = ["新片区", "村级", "按需编制", "城关镇", "东安村", "县自然资源局", "某院", "初步成果",
              None, "2024-06-30", None]  # fmt: skip
    rows = [
        ok_row,
        ["甲片区", "村级", "按需编制", "城关镇", "不存在村", "县自然资源局", "", "初步成果", None,
         "2024-06-30", None],
        ["乙片区", "村级", "按需编制", "没有镇", None, "县自然资源局", "", "初步成果", None,
         "2024-06-30", None],
        ["丙片区", "乡镇级", "第二批次", "城关镇", None, "县自然资源局", "", "审批中",
         "2023-10-31", "2023-12-31", None],
        [None, "乡镇级", "第二批次", "城关镇", None, "县自然资源局", "", "初步成果", None,
         "2023-12-31", None],
        ["丁片区", "乡镇级", "第二批次", "城关镇", None, "县自然资源局", "", "初步成果",
         "2024-01-31", "2023-12-31", None],
        ["戊片区", "乡镇级", "第二批次", "城关镇", None, "城关镇", "", "初步成果", None,
         "长期坚持", None],
        ok_row,
        ["己片区", "村级", "按需编制", "城关镇", "光福村", "县自然资源局", "", "初步成果", None,
         "2024-06-30", None],
    ]  # fmt: skip
    report = ledger.run_import(io.BytesIO(workbook(rows)), None, name="bad.xlsx")
    assert not report.ok
    messages = [str(e) for e in report.sorted_errors()]
    expected = [
        ("第4行「涉及村」", "不存在村"),
        ("第5行「涉及乡镇」", "没有镇"),
        ("第6行「当前阶段」", "审批中"),
        ("第7行「片区名称」", "不能为空"),
        ("第8行「报市级审查时限」", "晚于完成时限"),
        ("第9行「牵头单位」", "不是县级部门"),
        ("第9行「完成时限」", "具体日期"),
        ("第10行「片区名称」", "与第3行重复"),
        ("第11行「涉及村」", "光福村"),
    ]
    for where, what in expected:
        assert any(m.startswith(where) and what in m for m in messages), (where, messages)
    assert len(messages) == len(expected), messages
    assert PlanArea.objects.count() == before
    assert not PlanArea.objects.filter(name="新片区").exists()


def test_import_updates_the_stage_and_records_it(fresh, ledger, area):
    towns = "石门镇、龙泉镇、新场镇、双河镇"
    row = ["石门片区", "乡镇级", "第二批次", towns, None, "县自然资源局", "某规划设计研究院",
           "报市级审查", "2023-10-31", "2023-12-31", None]  # fmt: skip
    rows = [row]
    report = ledger.run_import(io.BytesIO(workbook(rows)), None, name="one.xlsx")
    assert report.ok and report.counts["updated"] == 1
    shimen = area("石门片区")
    assert shimen.stage == Stage.CITY_REVIEW
    assert shimen.next_deadline == datetime.date(2023, 12, 31)
    last = shimen.stage_changes.order_by("pk").last()
    assert (last.from_stage, last.to_stage, last.note) == (
        Stage.DRAFT,
        Stage.CITY_REVIEW,
        "Excel导入",
    )


def test_import_and_export_commands(fresh, sample_file, tmp_path):
    out = io.StringIO()
    call_command("import_ledger", "landplan", str(sample_file), "--dry-run", stdout=out)
    target = tmp_path / "片区.xlsx"
    call_command("export_ledger", "landplan", str(target), stdout=io.StringIO())
    wb = openpyxl.load_workbook(target)
    values = [c for row in wb.active.iter_rows(values_only=True) for c in row if c]
    assert "凤福村级片区" in values and "省级专班审查" in values
    assert PlanArea.objects.count() == 16


def test_import_never_moves_a_finished_plan_back(fresh, ledger, area):
    shimen = area("石门片区")
    PlanArea.objects.filter(pk=shimen.pk).update(stage=Stage.DONE)
    towns = "石门镇、龙泉镇、新场镇、双河镇"
    row = ["石门片区", "乡镇级", "第二批次", towns, None, "县自然资源局", "某规划设计研究院",
           "初步成果", "2023-10-31", "2023-12-31", None]  # fmt: skip
    report = ledger.run_import(io.BytesIO(workbook([row])), None, name="one.xlsx")
    assert [str(e) for e in report.errors] == [
        "第3行「当前阶段」：“石门片区（石门镇、龙泉镇、新场镇、双河镇）”已批复/完成，"
        "不能通过导入退回到“初步成果”"
    ]
    assert area("石门片区").stage == Stage.DONE

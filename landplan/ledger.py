"""The plan-area ledger (片区规划编制进度) through the shared Excel engine.

片区名称 · 层级 · 批次 · 涉及乡镇 · 涉及村 · 牵头单位 · 编制单位 · 当前阶段 · 报市级审查时限 ·
完成时限 · 备注 (the format of plan_areas.xlsx).

An area is identified by its name together with its township(s) (both columns are
``key=True``): two 东安村级片区 in 城关镇 and in 新场镇 are two areas. 涉及村 must be
villages of those townships (a lookup). The domain rules kept here: townships are
townships and the lead unit a department, deadlines are dates (报市级审查 not after 完成),
a finished plan never goes back, the title and next deadline follow from the row; a new
area starts its timeline with the imported stage, a changed stage is recorded on the
timeline as an import step (supervisors import; the one-step rule is for the pages).
"""

from county.choices import UnitKind
from county.ledger import Column, Ledger, VillagesIn, parsers
from county.status import today

from .choices import BATCH_ALIASES, LEVEL_ALIASES, STAGE_ALIASES, Batch, Level, Stage
from .filtersets import PlanAreaFilter
from .models import PlanArea, StageChange, next_deadline_for

KIND = "片区"
IMPORT_NOTE = "Excel导入"
EXPORT_CHUNK = 500


class PlanAreaLedger(Ledger):
    """乡村国土空间规划片区编制进度台账."""

    key = "landplan"
    title = "乡村国土空间规划片区编制进度表"
    sheet_name = "片区规划编制进度"
    model = PlanArea
    filterset_class = PlanAreaFilter
    success_url_name = "landplan:area_list"
    kind = KIND
    columns = [
        Column("name", "片区名称", synonyms=("片区", "规划片区", "名称"), required=True, width=16,
               key=True, attr="name"),
        Column("level", "层级", synonyms=("片区层级", "规划层级"),
               parser=parsers.choice(Level, LEVEL_ALIASES), required=True, width=8, attr="level"),
        Column("batch", "批次", synonyms=("编制批次",),
               parser=parsers.choice(Batch, BATCH_ALIASES), required=True, width=10,
               attr="batch"),
        Column("townships", "涉及乡镇", synonyms=("乡镇", "涉及乡镇（街道）", "所在乡镇"),
               parser=parsers.units, required=True, width=26, key=True, attr="townships"),
        Column("villages", "涉及村", synonyms=("涉及村（社区）", "村（社区）"), width=24,
               lookup=VillagesIn("townships"), attr="villages"),
        Column("lead_unit", "牵头单位", synonyms=("牵头部门",), parser=parsers.unit(),
               required=True, width=14, attr="lead_unit"),
        Column("compiler", "编制单位", synonyms=("技术单位", "编制机构"), width=18,
               attr="compiler"),
        Column("stage", "当前阶段", synonyms=("阶段", "进展阶段", "编制阶段"),
               parser=parsers.choice(Stage, STAGE_ALIASES), required=True, width=14,
               attr="stage"),
        Column("city_review", "报市级审查时限", synonyms=("市级审查时限", "报市审时限"),
               parser=parsers.deadline, width=14),
        Column("completion", "完成时限", synonyms=("完成时间", "时限"), parser=parsers.deadline,
               required=True, width=13),
        Column("note", "备注", synonyms=("说明",), width=26, attr="note"),
    ]  # fmt: skip

    # ---- import: the domain rules (the engine does the rest) ----------------------
    def prepare(self, report, user):
        self.stage_changes = self.table(StageChange, user)
        self.user = user

    def clean(self, row, values, stored, report):
        ok = True
        for unit in values["townships"]:
            if unit.kind != UnitKind.TOWNSHIP:
                report.error(row, row.label("townships"), f"“{unit.name}”不是乡镇（街道）")
                ok = False
        lead = values["lead_unit"]
        if lead.kind != UnitKind.DEPARTMENT:
            report.error(row, row.label("lead_unit"), f"“{lead.name}”不是县级部门")
            ok = False
        city = self._date(row, "city_review", report)
        completion = self._date(row, "completion", report)
        if city is False or completion is False:
            ok = False
        elif city and completion and city > completion:
            report.error(row, row.label("city_review"), "报市级审查时限晚于完成时限")
            ok = False
        stage = values["stage"]
        if stored is not None and stored["stage"] == Stage.DONE and stage != Stage.DONE:
            label = PlanArea.make_title(values["name"], values["townships"])
            report.error(
                row,
                row.label("stage"),
                f"“{label}”已批复/完成，不能通过导入退回到“{Stage(stage).label}”",
            )
            ok = False
        if not ok:
            return None
        values.update(
            city_review_deadline=city,
            completion_deadline=completion,
            next_deadline=next_deadline_for(stage, city, completion),
        )
        if stored is None:
            values["title"] = PlanArea.make_title(values["name"], values["townships"])
        else:
            values.pop("townships")  # the key: stored as it is
        return values

    def write(self, table, row, values, stored, report, kind=None):
        stage = values["stage"]
        result = super().write(table, row, values, stored, report, kind)
        if stored is None or stage != stored["stage"]:
            # A new area starts its timeline; a changed stage is a step on it.
            self.stage_changes.save(
                {
                    "area": result if stored is None else stored,
                    "from_stage": None if stored is None else stored["stage"],
                    "to_stage": stage,
                    "date": today(),
                    "note": IMPORT_NOTE,
                    "user": self.user,
                }
            )
        return result

    def flush(self, report, user):
        self.records.flush()
        self.stage_changes.flush()

    def _date(self, row, key, report):
        """The date of a deadline cell; None when blank, False when not a date."""
        value = row[key]
        if value is None:
            return None
        if value.long_term or value.date is None:
            report.error(row, row.label(key), "必须是具体日期")
            return False
        return value.date

    def label_of(self, row, values):
        return PlanArea.make_title(row["name"], row["townships"])

    def duplicate_message(self, row, first):
        towns = "、".join(t.name for t in row["townships"])
        return f"“{row['name']}”（{towns}）与{row.where(first)}重复"

    # ---- export -------------------------------------------------------------------
    def export_rows(self, queryset):
        areas = queryset.select_related("lead_unit").prefetch_related("townships", "villages")
        for area in areas.order_by("level", "batch", "pk").iterator(chunk_size=EXPORT_CHUNK):
            yield {
                "name": area.name,
                "level": area.get_level_display(),
                "batch": area.get_batch_display(),
                "townships": [t.name for t in area.townships.all()],
                "villages": "、".join(v.name for v in area.villages.all()) or None,
                "lead_unit": area.lead_unit.name,
                "compiler": area.compiler or None,
                "stage": area.get_stage_display(),
                "city_review": area.city_review_deadline,
                "completion": area.completion_deadline,
                "note": area.note or None,
            }

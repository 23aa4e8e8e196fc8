"""The plan-area ledger (片区规划编制进度) through the shared Excel engine.

片区名称 · 层级 · 批次 · 涉及乡镇 · 涉及村 · 牵头单位 · 编制单位 · 当前阶段 · 报市级审查时限 ·
完成时限 · 备注 (the format of plan_areas.xlsx).

An area is identified by its name together with its township(s): two 东安村级片区 in
城关镇 and in 新场镇 are two areas. 涉及村 must be villages of those townships. A new
area starts its timeline with the imported stage; a changed stage is recorded on the
timeline as an import step (supervisors import; the one-step rule is for the pages).
"""

from county.choices import UnitKind
from county.ledger import Column, Ledger, bulk_create_with_history, parsers, save_changes
from county.naming import normalize_name, split_names
from county.status import today

from .choices import BATCH_ALIASES, LEVEL_ALIASES, STAGE_ALIASES, Batch, Level, Stage
from .filtersets import PlanAreaFilter
from .models import PlanArea, StageChange

KIND = "片区"
IMPORT_NOTE = "Excel导入"


def area_key(name, townships):
    """The identity of an area: its name and its set of townships."""
    return normalize_name(name), frozenset(t.pk for t in townships)


class PlanAreaLedger(Ledger):
    """乡村国土空间规划片区编制进度台账."""

    key = "landplan"
    title = "乡村国土空间规划片区编制进度表"
    sheet_name = "片区规划编制进度"
    model = PlanArea
    filterset_class = PlanAreaFilter
    success_url_name = "landplan:area_list"
    columns = [
        Column("name", "片区名称", synonyms=("片区", "规划片区", "名称"), required=True, width=16),
        Column("level", "层级", synonyms=("片区层级", "规划层级"),
               parser=parsers.choice(Level, LEVEL_ALIASES), required=True, width=8),
        Column("batch", "批次", synonyms=("编制批次",),
               parser=parsers.choice(Batch, BATCH_ALIASES), required=True, width=10),
        Column("townships", "涉及乡镇", synonyms=("乡镇", "涉及乡镇（街道）", "所在乡镇"),
               parser=parsers.units, required=True, width=26),
        Column("villages", "涉及村", synonyms=("涉及村（社区）", "村（社区）"), width=24),
        Column("lead_unit", "牵头单位", synonyms=("牵头部门",), parser=parsers.unit(),
               required=True, width=14),
        Column("compiler", "编制单位", synonyms=("技术单位", "编制机构"), width=18),
        Column("stage", "当前阶段", synonyms=("阶段", "进展阶段", "编制阶段"),
               parser=parsers.choice(Stage, STAGE_ALIASES), required=True, width=14),
        Column("city_review", "报市级审查时限", synonyms=("市级审查时限", "报市审时限"),
               parser=parsers.deadline, width=14),
        Column("completion", "完成时限", synonyms=("完成时间", "时限"), parser=parsers.deadline,
               required=True, width=13),
        Column("note", "备注", synonyms=("说明",), width=26),
    ]  # fmt: skip

    # ---- import -------------------------------------------------------------------
    def import_rows(self, rows, report, user):
        existing = {}
        for area in PlanArea.objects.prefetch_related("townships", "villages"):
            existing[area_key(area.name, area.townships.all())] = area
        seen = {}
        new_areas, new_townships, new_villages, changes = [], [], [], []
        for row in rows:
            if not hasattr(row, "values") or not row.ok:
                continue
            values = self._row_values(row, report)
            if values is None:
                continue
            key = area_key(values["name"], values["townships"])
            if key in seen:
                report.error(
                    row,
                    row.label("name"),
                    f"“{values['name']}”（{'、'.join(t.name for t in values['townships'])}）"
                    f"与第{seen[key]}行重复",
                )
                continue
            seen[key] = row.number
            label = PlanArea.make_title(values["name"], values["townships"])
            area = existing.get(key)
            if area is None:
                townships, villages = values.pop("townships"), values.pop("villages")
                area = PlanArea(title=label, **values)
                area.next_deadline = area.compute_next_deadline()
                new_areas.append(area)
                new_townships.append(townships)
                new_villages.append(villages)
                report.add_created(KIND, label, row)
                continue
            old_stage = area.stage
            if old_stage == Stage.DONE and values.get("stage", old_stage) != Stage.DONE:
                report.error(
                    row,
                    row.label("stage"),
                    f"“{label}”已批复/完成，不能通过导入退回到“{Stage(values['stage']).label}”",
                )
                continue
            values.pop("townships")
            changed = save_changes(area, values, user)
            if area.stage != old_stage:
                changes.append(
                    StageChange(
                        area=area,
                        from_stage=old_stage,
                        to_stage=area.stage,
                        date=today(),
                        note=IMPORT_NOTE,
                        user=user,
                    )
                )
            if changed:
                report.add_updated(KIND, label, changed, row)
            else:
                report.add_unchanged(KIND)
        if not report.ok:
            return
        bulk_create_with_history(
            PlanArea, new_areas, {"townships": new_townships, "villages": new_villages}, user
        )
        changes += [
            StageChange(area=a, from_stage=None, to_stage=a.stage, date=today(), note=IMPORT_NOTE,
                        user=user)
            for a in new_areas
        ]  # fmt: skip
        bulk_create_with_history(StageChange, changes, user=user)

    def _row_values(self, row, report):
        ok = True
        for key in ("name", "level", "batch", "townships", "lead_unit", "stage", "completion"):
            if row.is_blank(key):
                report.error(row, row.label(key), "不能为空")
                ok = False
        if not ok:
            return None
        townships = row["townships"]
        for unit in townships:
            if unit.kind != UnitKind.TOWNSHIP:
                report.error(row, row.label("townships"), f"“{unit.name}”不是乡镇（街道）")
                ok = False
        lead = row["lead_unit"]
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
        villages = self._villages(row, townships, report) if ok else None
        if villages is None:
            return None
        return {
            "name": row["name"],
            "level": row["level"],
            "batch": row["batch"],
            "townships": townships,
            "villages": villages,
            "lead_unit": lead,
            "compiler": row["compiler"] or "",
            "stage": row["stage"],
            "city_review_deadline": city,
            "completion_deadline": completion,
            "note": row["note"] or "",
        }

    def _date(self, row, key, report):
        """The date of a deadline cell; None when blank, False when not a date."""
        value = row[key]
        if value is None:
            return None
        if value.long_term or value.date is None:
            report.error(row, row.label(key), "必须是具体日期")
            return False
        return value.date

    def _villages(self, row, townships, report):
        """涉及村 resolved inside the area's townships; None after an error."""
        if row.is_blank("villages"):
            return []
        by_name = {}
        for township in townships:
            for village in township.villages.all():
                by_name.setdefault(normalize_name(village.name), []).append(village)
        found, ok = [], True
        where = "、".join(t.name for t in townships)
        for name in split_names(row["villages"]):
            matches = by_name.get(normalize_name(name), [])
            if not matches:
                report.error(row, row.label("villages"), f"“{name}”不是{where}的村（社区）")
                ok = False
            elif len(matches) > 1:
                towns = "、".join(v.township.name for v in matches)
                report.error(row, row.label("villages"), f"“{name}”在{towns}都有，无法确定")
                ok = False
            elif matches[0] not in found:
                found.append(matches[0])
        return found if ok else None

    # ---- export -------------------------------------------------------------------
    def export_rows(self, queryset):
        areas = queryset.select_related("lead_unit").prefetch_related("townships", "villages")
        for area in areas.order_by("level", "batch", "pk"):
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

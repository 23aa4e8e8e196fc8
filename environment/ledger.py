"""The problem list as an Excel ledger, in the format of environment_problems.xlsx.

序号 · 检查时间 · 检查方式 · 乡镇 · 村（社区）/场镇 · 问题类别 · 问题描述 · 责任单位 · 整改时限 ·
整改情况 · 是否销号. Runs through the shared engine (county/ledger, docs/ledger.md).

Import rules (all-or-nothing; every row error is listed):
- 序号 is the problem number: an existing number is updated, a new one created;
- 检查时间 + 检查方式 find (or create) the inspection; the row's township joins it;
- 村（社区）/场镇 is a village of the township, or its market town (双河镇 → 双河场镇);
- 责任单位 lists the township and the departments or line companies that own the problem;
  a township there other than the row's is an error;
- 是否销号 = 是 closes the problem (the sheet has no closing date: 整改时限 is taken);
  otherwise 整改情况 tells the status: empty → 已交办, "已整改待验收" → 待验收, else 整改中.
After writing, 顽固问题 are recomputed for the imported places.
"""

from county.choices import UnitKind
from county.ledger import Column, Ledger, parsers, save_changes
from county.naming import normalize_name
from county.status import today

from .choices import InspectionKind, ProblemStatus
from .filtersets import ProblemFilter
from .models import Inspection, Problem, ProblemCategory, market_town_name, refresh_stubborn_all

PENDING_WORDS = {"已整改待验收", "待验收", "已提交验收"}
ASSIGNED_WORDS = {"已交办", "回头看发现反弹，重新交办", "未整改"}
STATUS_TEXT = {
    ProblemStatus.ASSIGNED: None,
    ProblemStatus.RECTIFYING: "正在整改",
    ProblemStatus.PENDING: "已整改待验收",
    ProblemStatus.CLOSED: "已整改到位",
}
KIND = "问题"
MAX_NUMBER = 2_147_483_647  # the largest number the database column holds


class ProblemLedger(Ledger):
    """城乡环境综合提质督查问题清单."""

    key = "environment"
    title = "示范县城乡环境综合提质督查问题清单"
    sheet_name = "问题清单"
    model = Problem
    filterset_class = ProblemFilter
    success_url_name = "environment:problem_list"
    columns = [
        Column("number", "序号", synonyms=("问题编号", "编号"), parser=parsers.integer,
               required=True, width=7),
        Column("found_on", "检查时间", synonyms=("发现日期", "检查日期", "发现时间"),
               parser=parsers.date, required=True, width=13),
        Column("kind", "检查方式", synonyms=("检查类型", "督查方式"),
               parser=parsers.choice(InspectionKind), width=10),
        Column("township", "乡镇", synonyms=("乡镇（街道）", "乡镇街道", "所在乡镇"),
               parser=parsers.unit(kind=UnitKind.TOWNSHIP), required=True, width=10),
        Column("place", "村（社区）/场镇", synonyms=("村（社区）", "村社区", "村/场镇", "地点"),
               width=12),
        Column("category", "问题类别", synonyms=("类别", "问题类型"), required=True, width=16),
        Column("description", "问题描述", synonyms=("存在问题", "问题"), required=True,
               width=36),
        Column("units", "责任单位", synonyms=("整改责任单位", "责任主体"), parser=parsers.units,
               width=24),
        Column("deadline", "整改时限", synonyms=("完成时限", "整改期限"),
               parser=parsers.deadline, required=True, width=13),
        Column("progress", "整改情况", synonyms=("整改进展", "进展情况"), width=14),
        Column("closed", "是否销号", synonyms=("销号",), parser=parsers.yes_no, width=9),
    ]  # fmt: skip

    # ---- import -------------------------------------------------------------------
    def import_rows(self, rows, report, user):
        categories = {normalize_name(c.name): c for c in ProblemCategory.objects.all()}
        existing = {
            p.number: p
            for p in Problem.objects.select_related("township").prefetch_related("departments")
        }
        villages = {}  # township id -> {name: village}
        inspections = {(i.date, i.kind): i for i in Inspection.objects.order_by("pk")}
        voided = set(
            Problem.all_objects.filter(voided_at__isnull=False).values_list("number", flat=True)
        )
        seen, touched = {}, set()
        for row in rows:
            if not hasattr(row, "values") or not row.ok:
                continue
            values = self._row_values(row, report, categories, villages, seen)
            if values is None:
                continue
            if row["number"] in voided:
                report.error(
                    row,
                    row.label("number"),
                    f"第{row['number']}号问题已作废，不能通过导入恢复，也不能再使用这个编号",
                )
                continue
            inspection = self._inspection(row, values, inspections, report, user)
            values["inspection"] = inspection
            problem = existing.get(row["number"])
            closed = problem is not None and problem.status == ProblemStatus.CLOSED
            if closed and row["closed"] is False:
                report.error(
                    row,
                    row.label("closed"),
                    f"第{problem.number}号问题已销号，不能通过导入重新打开；"
                    "如问题反弹，请在问题页面登记“回头看”",
                )
                continue
            if not (closed and row["closed"] is None):  # a blank cell keeps it closed
                values.update(self._status_values(row, problem, values["deadline"]))
            if problem is None:
                problem = Problem(number=row["number"])
                save_changes(problem, values, user)
                existing[problem.number] = problem
                report.add_created(KIND, f"第{problem.number}号", row)
            else:
                changed = save_changes(problem, values, user)
                if changed:
                    report.add_updated(KIND, f"第{problem.number}号", changed, row)
                else:
                    report.add_unchanged(KIND)
            touched.add(problem.pk)
        if report.ok and touched:
            refresh_stubborn_all()

    def _row_values(self, row, report, categories, villages, seen):
        ok = True
        for key in ("number", "found_on", "township", "category", "description", "deadline"):
            if row.is_blank(key):
                report.error(row, row.label(key), "不能为空")
                ok = False
        if not ok:
            return None
        number = row["number"]
        if not 0 < number <= MAX_NUMBER:
            report.error(row, row.label("number"), "序号必须是正整数（不超过 2147483647）")
            return None
        if number in seen:
            report.error(row, row.label("number"), f"序号 {number} 与第{seen[number]}行重复")
            return None
        seen[number] = row.number
        township = row["township"]
        category = categories.get(normalize_name(row["category"]))
        if category is None:
            report.error(
                row,
                row.label("category"),
                f"未知问题类别“{row['category']}”（督查单位可在“问题类别”中新增）",
            )
            ok = False
        deadline = row["deadline"]
        if deadline.long_term or deadline.date is None:
            report.error(row, row.label("deadline"), "整改时限必须是具体日期")
            ok = False
        elif deadline.date < row["found_on"]:
            report.error(row, row.label("deadline"), "整改时限早于检查时间")
            ok = False
        village, at_market_town = None, False
        place = row["place"]
        if place:
            if normalize_name(place).endswith("场镇"):
                if normalize_name(place) != market_town_name(township):
                    report.error(row, row.label("place"), f"“{place}”不是{township.name}的场镇")
                    ok = False
                at_market_town = True
            else:
                if township.pk not in villages:
                    villages[township.pk] = {
                        normalize_name(v.name): v for v in township.villages.all()
                    }
                village = villages[township.pk].get(normalize_name(place))
                if village is None:
                    report.error(
                        row, row.label("place"), f"“{place}”不是{township.name}的村（社区）"
                    )
                    ok = False
        departments = []
        for unit in row["units"] or []:
            if unit.kind == UnitKind.DEPARTMENT:
                departments.append(unit)
            elif unit != township:
                report.error(
                    row,
                    row.label("units"),
                    f"责任单位中的乡镇“{unit.name}”与所在乡镇“{township.name}”不一致",
                )
                ok = False
        if not ok:
            return None
        return {
            "found_on": row["found_on"],
            "township": township,
            "village": village,
            "at_market_town": at_market_town,
            "category": category,
            "description": row["description"],
            "departments": departments,
            "deadline": deadline.date,
        }

    def _inspection(self, row, values, inspections, report, user):
        kind = row["kind"]
        if not kind:
            return None
        key = (values["found_on"], kind)
        inspection = inspections.get(key)
        if inspection is None:
            inspection = Inspection(date=values["found_on"], kind=kind, notes="由问题台账导入")
            save_changes(inspection, {"date": inspection.date, "kind": kind}, user)
            inspections[key] = inspection
            inspection._township_ids = set()
            report.add_created("检查", str(inspection), row)
        if not hasattr(inspection, "_township_ids"):
            inspection._township_ids = set(inspection.townships.values_list("pk", flat=True))
        if values["township"].pk not in inspection._township_ids:
            inspection.townships.add(values["township"])
            inspection._township_ids.add(values["township"].pk)
        return inspection

    def _status_values(self, row, problem, deadline):
        """The loop's state as the sheet tells it."""
        progress = row["progress"] or ""
        if row["closed"]:
            status = ProblemStatus.CLOSED
        elif normalize_name(progress) in PENDING_WORDS:
            status = ProblemStatus.PENDING
        elif not progress or progress in ASSIGNED_WORDS:
            status = ProblemStatus.ASSIGNED
        else:
            status = ProblemStatus.RECTIFYING
        values = {"status": status, "progress_note": progress}
        if status == ProblemStatus.CLOSED:
            if problem is None or problem.closed_on is None:
                # The sheet records no closing date: the deadline, never a day still to come.
                values["closed_on"] = min(deadline, today()) if deadline else today()
        elif problem is not None and problem.closed_on is not None:
            values["closed_on"] = None
        return values

    # ---- export -------------------------------------------------------------------
    def queryset(self, user):
        return Problem.objects.visible_to(user)

    def export_rows(self, queryset):
        for p in queryset.for_list().order_by("number"):
            yield {
                "number": p.number,
                "found_on": p.found_on,
                "kind": p.inspection.get_kind_display() if p.inspection else None,
                "township": p.township.name,
                "place": p.place_label or None,
                "category": p.category.name,
                "description": p.description,
                "units": [u.name for u in p.departments.all()] + [p.township.name],
                "deadline": p.deadline,
                "progress": p.progress_note or STATUS_TEXT[p.status],
                "closed": p.status == ProblemStatus.CLOSED,
            }

"""The problem list as an Excel ledger, in the format of environment_problems.xlsx.

序号 · 检查时间 · 检查方式 · 乡镇 · 村（社区）/场镇 · 问题类别 · 问题描述 · 责任单位 · 整改时限 ·
整改情况 · 是否销号. Runs through the shared engine (county/ledger, docs/ledger.md).

Import rules (all-or-nothing; every row error is listed). Declared on the columns: 序号 is
the key (an existing number is updated, a new one created, a voided one refused); 序号,
检查时间, 乡镇, 问题类别, 问题描述 and 整改时限 must be filled; 问题类别 is a known category;
村（社区）/场镇 is a village of the township or its market town (双河镇 → 双河场镇); 责任单位
lists the departments or line companies that own the problem, and may name the row's own
township but no other. The domain rules kept here:
- 序号 above 0; 整改时限 a date, not before 检查时间;
- 检查时间 + 检查方式 find (or create) the inspection; the row's township joins it;
- 是否销号 = 是 closes the problem (the sheet has no closing date: 整改时限 is taken, never a
  day still to come); otherwise 整改情况 tells the status: empty → 已交办, "已整改待验收" →
  待验收, else 整改中; a closed problem is never reopened by an import;
- 顽固问题 are computed with the import, for every problem, in bulk.
"""

import datetime
from dataclasses import dataclass

from county.choices import UnitKind
from county.ledger import (
    ByName,
    CellError,
    Column,
    Ledger,
    Lookup,
    New,
    VillageIn,
    parsers,
    point_columns,
    point_error,
)
from county.ledger.records import pk_of
from county.naming import normalize_name
from county.status import today
from county.templatetags.dates import cn_date

from .choices import STUBBORN_WINDOW_DAYS, InspectionKind, ProblemStatus
from .filtersets import ProblemFilter
from .models import Inspection, Problem, ProblemCategory, market_town_name

PENDING_WORDS = {"已整改待验收", "待验收", "已提交验收"}
ASSIGNED_WORDS = {"已交办", "回头看发现反弹，重新交办", "未整改"}
STATUS_TEXT = {
    ProblemStatus.ASSIGNED: None,
    ProblemStatus.RECTIFYING: "正在整改",
    ProblemStatus.PENDING: "已整改待验收",
    ProblemStatus.CLOSED: "已整改到位",
}
KIND = "问题"
EXPORT_CHUNK = 500  # problems read from the database at a time while exporting


@dataclass(frozen=True)
class Place:
    """Where a problem is: a village, or the township's market town (场镇)."""

    village: object = None
    market_town: bool = False


class PlaceIn(Lookup):
    """村（社区）/场镇: a village of the row's township, or its market town (双河场镇)."""

    depends = ("township",)

    def resolve(self, value, row, context):
        township = row["township"]
        if normalize_name(value).endswith("场镇"):
            if normalize_name(value) != market_town_name(township):
                raise CellError(f"“{value}”不是{township.name}的场镇")
            return Place(None, True)
        return Place(VillageIn("township").resolve(value, row, context), False)


class ResponsibleUnits(Lookup):
    """责任单位: the departments or line companies that own the problem; the row's own
    township may be listed too, another township may not."""

    depends = ("township",)

    def resolve(self, units, row, context):
        township = row["township"]
        others = [u for u in units if u.kind != UnitKind.DEPARTMENT and u != township]
        if others:
            raise CellError(
                "；".join(
                    f"责任单位中的乡镇“{u.name}”与所在乡镇“{township.name}”不一致" for u in others
                )
            )
        return [u for u in units if u.kind == UnitKind.DEPARTMENT]


class ProblemLedger(Ledger):
    """城乡环境综合提质督查问题清单."""

    key = "environment"
    title = "示范县城乡环境综合提质督查问题清单"
    sheet_name = "问题清单"
    model = Problem
    filterset_class = ProblemFilter
    success_url_name = "environment:problem_list"
    kind = KIND
    m2m = ("departments",)
    columns = [
        Column("number", "序号", synonyms=("问题编号", "编号"), parser=parsers.integer,
               required=True, width=7, key=True, attr="number"),
        Column("found_on", "检查时间", synonyms=("发现日期", "检查日期", "发现时间"),
               parser=parsers.date, required=True, width=13, attr="found_on"),
        Column("kind", "检查方式", synonyms=("检查类型", "督查方式"),
               parser=parsers.choice(InspectionKind), width=10),
        Column("township", "乡镇", synonyms=("乡镇（街道）", "乡镇街道", "所在乡镇"),
               parser=parsers.unit(kind=UnitKind.TOWNSHIP), required=True, width=10,
               attr="township"),
        Column("place", "村（社区）/场镇", synonyms=("村（社区）", "村社区", "村/场镇", "地点"),
               width=12, lookup=PlaceIn()),
        Column("category", "问题类别", synonyms=("类别", "问题类型"), required=True, width=16,
               lookup=ByName(ProblemCategory,
                             message="未知问题类别“{}”（督查单位可在“问题类别”中新增）"),
               attr="category"),
        Column("description", "问题描述", synonyms=("存在问题", "问题"), required=True,
               width=36, attr="description"),
        Column("units", "责任单位", synonyms=("整改责任单位", "责任主体"), parser=parsers.units,
               width=24, lookup=ResponsibleUnits()),
        Column("deadline", "整改时限", synonyms=("完成时限", "整改期限"),
               parser=parsers.deadline, required=True, width=13),
        Column("progress", "整改情况", synonyms=("整改进展", "进展情况"), width=14,
               attr="progress_note"),
        Column("closed", "是否销号", synonyms=("销号",), parser=parsers.yes_no, width=9),
        *point_columns(),
    ]  # fmt: skip

    # ---- import: the domain rules (the engine does the rest) ----------------------
    def prepare(self, report, user):
        self.inspections = self.table(Inspection, user, m2m=("townships",))
        self.inspection_of = {}  # (date, kind) -> the stored inspection or a New one
        for stored in self.inspections.load():  # the newest inspection of a day and kind
            self.inspection_of[stored["date"], stored["kind"]] = stored
        self.joining = {}  # inspection -> townships of the imported rows
        self.imported = []  # (record, values) of every imported problem

    def clean(self, row, values, stored, report):
        ok = True
        number, deadline = values["number"], row["deadline"]
        if number <= 0:
            report.error(row, row.label("number"), "序号必须是正整数（不超过 2147483647）")
            ok = False
        if deadline.long_term or deadline.date is None:
            report.error(row, row.label("deadline"), "整改时限必须是具体日期")
            ok = False
        elif deadline.date < values["found_on"]:
            report.error(row, row.label("deadline"), "整改时限早于检查时间")
            ok = False
        ok = point_error(row, values, report) and ok
        closed = stored is not None and stored["status"] == ProblemStatus.CLOSED
        if closed and row["closed"] is False:
            report.error(
                row,
                row.label("closed"),
                f"第{number}号问题已销号，不能通过导入重新打开；如问题反弹，请在问题页面登记“回头看”",
            )
            ok = False
        if not ok:
            return None
        place = row["place"] or Place()
        values.update(
            village=place.village,
            at_market_town=place.market_town,
            departments=row["units"] or [],
            deadline=deadline.date,
            inspection=self._inspection(row, values, report),
        )
        values.pop("progress_note", None)
        if not (closed and row["closed"] is None):  # a blank cell keeps it closed
            values.update(self._status_values(row, stored, deadline.date))
        return values

    def _inspection(self, row, values, report):
        """The inspection of the row's day and kind (created once); the township joins it."""
        kind = row["kind"]
        if not kind:
            return None
        key = (values["found_on"], kind)
        inspection = self.inspection_of.get(key)
        if inspection is None:
            inspection = self.inspection_of[key] = self.inspections.save(
                {"date": key[0], "kind": kind, "notes": "由问题台账导入"}
            )
            label = f"{cn_date(key[0])}{InspectionKind(kind).label}"
            report.add_created("检查", label, row)
        self.joining.setdefault(inspection, set()).add(values["township"].pk)
        return inspection

    def _status_values(self, row, stored, deadline):
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
            if stored is None or stored["closed_on"] is None:
                # The sheet records no closing date: the deadline, never a day still to come.
                values["closed_on"] = min(deadline, today()) if deadline else today()
        elif stored is not None and stored["closed_on"] is not None:
            values["closed_on"] = None
        return values

    def write(self, table, row, values, stored, report, kind=None):
        final = dict(values)
        result = super().write(table, row, values, stored, report, kind)
        self.imported.append((result if stored is None else stored, final))
        return result

    def label_of(self, row, values):
        return f"第{row['number']}号"

    def duplicate_message(self, row, first):
        return f"序号 {row['number']} 与{row.where(first)}重复"

    def voided_message(self, row, stored):
        return f"第{row['number']}号问题已作废，不能通过导入恢复，也不能再使用这个编号"

    def flush(self, report, user):
        for inspection, townships in self.joining.items():
            if isinstance(inspection, New):
                inspection.m2m["townships"] = sorted(townships)
            elif not townships <= inspection.m2m["townships"]:
                joined = inspection.m2m["townships"] | townships
                self.inspections.save({}, {"townships": joined}, inspection)
        self.inspections.flush()
        outside = self._stubborn()
        self.records.flush()
        if outside:
            report.note(f"另有 {outside} 个问题的“顽固问题”标记随导入的问题更新。")

    def _stubborn(self):
        """顽固问题 of every problem, the rule of Problem.find_stubborn_predecessor applied to
        all problems at once: the latest problem of the same category at the same place,
        closed 0–90 days before this one was found. Imported problems take it with their
        values; a problem not in the file whose predecessor changes is updated as well
        (how many: the return value)."""
        imported = {values["number"]: (record, values) for record, values in self.imported}
        problems = []  # (record, place, found_on, closed_on, number)
        for stored in self.records.stored:
            if not stored.is_voided and stored["number"] not in imported:
                place = (stored["category"], stored["township"], stored["village"],
                         stored["at_market_town"])  # fmt: skip
                problems.append((stored, place, stored["found_on"], stored["closed_on"],
                                 stored["number"]))  # fmt: skip
        for number, (record, values) in imported.items():
            merged = {name: record[name] for name in ("closed_on", "at_market_town")}
            merged.update(values)
            place = (pk_of(merged["category"]), pk_of(merged["township"]),
                     pk_of(merged["village"]), merged["at_market_town"])  # fmt: skip
            problems.append((record, place, merged["found_on"], merged["closed_on"], number))
        places = {}
        for problem in problems:
            places.setdefault(problem[1], []).append(problem)
        window = datetime.timedelta(days=STUBBORN_WINDOW_DAYS)
        outside = 0
        for problem in problems:
            record, place, found_on, _, number = problem
            best = None
            for other in places[place]:
                closed_on = other[3]
                if other is problem or closed_on is None:
                    continue
                if found_on - window <= closed_on <= found_on and (
                    best is None or (closed_on, other[4]) > (best[3], best[4])
                ):
                    best = other
            target = best[0] if best else None
            if isinstance(record, New):
                record.values["stubborn_of"] = target
            elif self.records.save({"stubborn_of": target}, stored=record) and (
                number not in imported
            ):
                outside += 1
        return outside

    # ---- export -------------------------------------------------------------------
    def queryset(self, user):
        return Problem.objects.visible_to(user)

    def export_rows(self, queryset):
        problems = queryset.for_list().order_by("number")
        for p in problems.iterator(chunk_size=EXPORT_CHUNK):
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
                "longitude": p.longitude,
                "latitude": p.latitude,
            }

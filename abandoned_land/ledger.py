"""The parcel ledger (撂荒地整治台账) through the shared Excel engine (docs/ledger.md).

序号 · 乡镇 · 村（社区） · 地块编号 · 面积（亩） · 撂荒年份 · 撂荒原因 · 整治时间 · 整治方式 ·
种植作物 · 种植季节 · 经营主体 · 经营主体类型 · 状态 · 种植时限 · 备注.

Import rules (all-or-nothing; every problem is listed):
- 地块编号 is the key: an existing code is updated, a new one created (in bulk);
- 村（社区） must be a village of the row's 乡镇;
- the status must be consistent with the row (已整治 needs 整治时间 and 整治方式; 已种植 and
  已巩固 also need the crop, season and operator): the same rule as the forms;
- a column missing from the file leaves that field as it is (种植时限 is not in every
  ledger); "12.5亩", full-width digits, 合计/小计 rows and blank lines are handled by the engine.
"""

from county.choices import UnitKind
from county.ledger import Column, Ledger, bulk_create_with_history, parsers, save_changes
from county.naming import normalize_name

from . import rules
from .choices import OPERATOR_TYPE_ALIASES, SEASON_ALIASES, OperatorType, ParcelStatus, Season
from .filtersets import ParcelFilter
from .models import Parcel

KIND = "地块"
FIELDS = (
    "township", "village", "area", "year_abandoned", "cause", "remediated_on", "method", "crop",
    "season", "operator", "operator_type", "status", "planting_deadline", "note",
)  # fmt: skip
TEXT_FIELDS = ("cause", "method", "crop", "operator", "note")
CHOICE_FIELDS = ("season", "operator_type")


class ParcelLedger(Ledger):
    """示范县撂荒地整治工作台账."""

    key = "abandoned_land"
    title = "示范县撂荒地整治工作台账"
    sheet_name = "撂荒地整治台账"
    model = Parcel
    filterset_class = ParcelFilter
    success_url_name = "abandoned_land:parcel_list"
    columns = [
        Column("number", "序号", synonyms=("编号",), parser=parsers.integer, width=7),
        Column("township", "乡镇", synonyms=("乡镇（街道）", "乡镇街道", "所在乡镇"),
               parser=parsers.unit(kind=UnitKind.TOWNSHIP), required=True, width=10),
        Column("village", "村（社区）", synonyms=("村社区", "村", "所在村"), required=True,
               width=11),
        Column("code", "地块编号", synonyms=("地块代码", "图斑编号"), required=True, width=18),
        Column("area", "面积（亩）", synonyms=("面积", "地块面积", "整治面积（亩）", "面积(亩)"),
               parser=parsers.decimal, required=True, width=10),
        Column("year_abandoned", "撂荒年份", synonyms=("撂荒时间",), parser=parsers.integer,
               width=9),
        Column("cause", "撂荒原因", width=16),
        Column("remediated_on", "整治时间", synonyms=("整治日期", "复耕时间"),
               parser=parsers.date, width=12),
        Column("method", "整治方式", synonyms=("整治措施",), width=16),
        Column("crop", "种植作物", synonyms=("作物", "种植品种"), width=10),
        Column("season", "种植季节", synonyms=("季节", "茬口"),
               parser=parsers.choice(Season, SEASON_ALIASES), width=9),
        Column("operator", "经营主体", synonyms=("种植主体", "耕种主体"), width=18),
        Column("operator_type", "经营主体类型", synonyms=("主体类型",),
               parser=parsers.choice(OperatorType, OPERATOR_TYPE_ALIASES), width=11),
        Column("status", "状态", synonyms=("整治状态", "当前状态"),
               parser=parsers.choice(ParcelStatus), required=True, width=9),
        Column("planting_deadline", "种植时限", synonyms=("种植期限",), parser=parsers.date,
               width=12),
        Column("note", "备注", synonyms=("说明",), width=16),
    ]  # fmt: skip

    # ---- import -------------------------------------------------------------------
    def import_rows(self, rows, report, user):
        existing = {p.code: p for p in Parcel.objects.all()}
        voided = set(
            Parcel.all_objects.filter(voided_at__isnull=False).values_list("code", flat=True)
        )
        villages = {}  # township id -> {name: village}
        seen, new = {}, []
        unplanned = 0
        for row in rows:
            if not hasattr(row, "values") or not row.ok:
                continue
            values = self._row_values(row, report, villages, seen)
            if values is None:
                continue
            code = normalize_name(row["code"])
            if code in voided:
                report.error(
                    row,
                    row.label("code"),
                    f"地块编号“{code}”属于一块已作废的地块，不能通过导入恢复，也不能再用",
                )
                continue
            parcel = existing.get(code)
            if values.get("status") == ParcelStatus.REMEDIATED and not values.get(
                "planting_deadline", getattr(parcel, "planting_deadline", None)
            ):
                unplanned += 1
            if parcel is None:
                defaults = {"planting_deadline": None, **values}
                new.append(Parcel(code=code, **defaults))
                report.add_created(KIND, code, row)
                continue
            changed = save_changes(parcel, values, user)
            if changed:
                report.add_updated(KIND, code, changed, row)
            else:
                report.add_unchanged(KIND)
        if report.ok:
            bulk_create_with_history(Parcel, new, user=user)
        if unplanned:
            report.note(f"{unplanned} 块已整治地块未填种植时限，不会出现在待办和提醒中。")

    def _row_values(self, row, report, villages, seen):
        ok = True
        for key in ("township", "village", "code", "area", "status"):
            if row.is_blank(key):
                report.error(row, row.label(key), "不能为空")
                ok = False
        if not ok:
            return None
        code = normalize_name(row["code"])
        if code in seen:
            report.error(row, row.label("code"), f"地块编号“{code}”与第{seen[code]}行重复")
            return None
        seen[code] = row.number
        township = row["township"]
        if township.pk not in villages:
            villages[township.pk] = {normalize_name(v.name): v for v in township.villages.all()}
        village = villages[township.pk].get(normalize_name(row["village"]))
        if village is None:
            report.error(
                row, row.label("village"), f"“{row['village']}”不是{township.name}的村（社区）"
            )
            ok = False
        if row["area"] <= 0:
            report.error(row, row.label("area"), "面积必须大于0")
            ok = False
        year = row["year_abandoned"]
        if year is not None and not 1980 <= year <= 2100:
            report.error(row, row.label("year_abandoned"), f"撂荒年份“{year}”不正确")
            ok = False
        values = {"township": township, "village": village}
        for key in FIELDS[2:]:
            if not row.has_column(key):
                continue
            value = row[key]
            if key in TEXT_FIELDS or key in CHOICE_FIELDS:
                value = value or ""
            values[key] = value
        for key, message in rules.missing_for(values["status"], values).items():
            if row.has_column(key):
                report.error(row, row.label(key), message)
            else:
                report.error(row, row.label("status"), message)
            ok = False
        return values if ok else None

    # ---- export -------------------------------------------------------------------
    def export_rows(self, queryset):
        parcels = queryset.for_list().order_by("township__order", "village__name", "code")
        for number, p in enumerate(parcels, start=1):
            yield {
                "number": number,
                "township": p.township.name,
                "village": p.village.name,
                "code": p.code,
                "area": p.area,
                "year_abandoned": p.year_abandoned,
                "cause": p.cause or None,
                "remediated_on": p.remediated_on,
                "method": p.method or None,
                "crop": p.crop or None,
                "season": p.get_season_display() or None,
                "operator": p.operator or None,
                "operator_type": p.get_operator_type_display() or None,
                "status": p.get_status_display(),
                "planting_deadline": p.planting_deadline,
                "note": p.note or None,
            }

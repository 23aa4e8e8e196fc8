"""The parcel ledger (撂荒地整治台账) through the shared Excel engine (docs/ledger.md).

序号 · 乡镇 · 村（社区） · 地块编号 · 面积（亩） · 撂荒年份 · 撂荒原因 · 整治时间 · 整治方式 ·
种植作物 · 种植季节 · 经营主体 · 经营主体类型 · 状态 · 种植时限 · 备注 · 经度 · 纬度.

Import rules (all-or-nothing; every problem is listed), declared on the columns except the
last three:
- 地块编号 is the key: an existing code is updated, a new one created (in bulk); the code of
  a voided parcel is refused (it is never given out again);
- 乡镇, 村（社区）, 地块编号, 面积 and 状态 must be filled; 村（社区） must be a village of the
  row's 乡镇;
- 面积 above 0, 撂荒年份 between 1980 and 2100; 经度/纬度 decimal degrees in range, both or
  neither (``county.ledger.point_columns``);
- the status must be consistent with the row (已整治 needs 整治时间 and 整治方式; 已种植 and
  已巩固 also need the crop, season and operator): the same rule as the forms;
- a column missing from the file leaves that field as it is (种植时限 is not in every
  ledger); "12.5亩", full-width digits, 合计/小计 rows and blank lines are handled by the engine.
"""

from county.choices import UnitKind
from county.ledger import Column, Ledger, VillageIn, key_part, parsers, point_columns, point_error

from . import rules
from .choices import OPERATOR_TYPE_ALIASES, SEASON_ALIASES, OperatorType, ParcelStatus, Season
from .filtersets import ParcelFilter
from .models import Parcel

KIND = "地块"
EXPORT_CHUNK = 500  # parcels read from the database at a time while exporting


def parcel_code(value, context=None):
    """地块编号 as stored: full-width folded, no spaces."""
    return key_part(parsers.text(value))


class ParcelLedger(Ledger):
    """示范县撂荒地整治工作台账."""

    key = "abandoned_land"
    title = "示范县撂荒地整治工作台账"
    sheet_name = "撂荒地整治台账"
    model = Parcel
    filterset_class = ParcelFilter
    success_url_name = "abandoned_land:parcel_list"
    kind = KIND
    columns = [
        Column("number", "序号", synonyms=("编号",), parser=parsers.integer, width=7),
        Column("township", "乡镇", synonyms=("乡镇（街道）", "乡镇街道", "所在乡镇"),
               parser=parsers.unit(kind=UnitKind.TOWNSHIP), required=True, width=10,
               attr="township"),
        Column("village", "村（社区）", synonyms=("村社区", "村", "所在村"), required=True,
               width=11, lookup=VillageIn("township"), attr="village"),
        Column("code", "地块编号", synonyms=("地块代码", "图斑编号"), parser=parcel_code,
               required=True, width=18, key=True, attr="code"),
        Column("area", "面积（亩）", synonyms=("面积", "地块面积", "整治面积（亩）", "面积(亩)"),
               parser=parsers.decimal, required=True, width=10, attr="area"),
        Column("year_abandoned", "撂荒年份", synonyms=("撂荒时间",), parser=parsers.integer,
               width=9, attr="year_abandoned"),
        Column("cause", "撂荒原因", width=16, attr="cause"),
        Column("remediated_on", "整治时间", synonyms=("整治日期", "复耕时间"),
               parser=parsers.date, width=12, attr="remediated_on"),
        Column("method", "整治方式", synonyms=("整治措施",), width=16, attr="method"),
        Column("crop", "种植作物", synonyms=("作物", "种植品种"), width=10, attr="crop"),
        Column("season", "种植季节", synonyms=("季节", "茬口"),
               parser=parsers.choice(Season, SEASON_ALIASES), width=9, attr="season"),
        Column("operator", "经营主体", synonyms=("种植主体", "耕种主体"), width=18,
               attr="operator"),
        Column("operator_type", "经营主体类型", synonyms=("主体类型",),
               parser=parsers.choice(OperatorType, OPERATOR_TYPE_ALIASES), width=11,
               attr="operator_type"),
        Column("status", "状态", synonyms=("整治状态", "当前状态"),
               parser=parsers.choice(ParcelStatus), required=True, width=9, attr="status"),
        Column("planting_deadline", "种植时限", synonyms=("种植期限",), parser=parsers.date,
               width=12, attr="planting_deadline"),
        Column("note", "备注", synonyms=("说明",), width=16, attr="note"),
        *point_columns(),
    ]  # fmt: skip

    # ---- import: the domain rules (the engine does the rest) ----------------------
    def prepare(self, report, user):
        self.unplanned = 0

    def clean(self, row, values, stored, report):
        ok = True
        if values["area"] <= 0:
            report.error(row, row.label("area"), "面积必须大于0")
            ok = False
        year = values.get("year_abandoned")
        if year is not None and not 1980 <= year <= 2100:
            report.error(row, row.label("year_abandoned"), f"撂荒年份“{year}”不正确")
            ok = False
        ok = point_error(row, values, report) and ok
        status = values["status"]
        for key, message in rules.missing_for(status, values).items():
            report.error(row, row.label(key if row.has_column(key) else "status"), message)
            ok = False
        if status == ParcelStatus.REMEDIATED and not values.get(
            "planting_deadline", stored and stored["planting_deadline"]
        ):
            self.unplanned += 1
        return values if ok else None

    def finish(self, report, user):
        if self.unplanned:
            report.note(f"{self.unplanned} 块已整治地块未填种植时限，不会出现在待办和提醒中。")

    def label_of(self, row, values):
        return row["code"]

    def duplicate_message(self, row, first):
        return f"地块编号“{row['code']}”与{row.where(first)}重复"

    def voided_message(self, row, stored):
        return f"地块编号“{row['code']}”属于一块已作废的地块，不能通过导入恢复，也不能再用"

    # ---- export -------------------------------------------------------------------
    def export_rows(self, queryset):
        """Plain column values, a chunk at a time (no model instances: an export of 100,000
        parcels reads them in seconds and holds one chunk in memory)."""
        seasons, types = dict(Season.choices), dict(OperatorType.choices)
        statuses = dict(ParcelStatus.choices)
        rows = queryset.order_by("township__order", "village__name", "code").values_list(
            "township__name", "village__name", "code", "area", "year_abandoned", "cause",
            "remediated_on", "method", "crop", "season", "operator", "operator_type", "status",
            "planting_deadline", "note", "longitude", "latitude",
        )  # fmt: skip
        for number, row in enumerate(rows.iterator(chunk_size=EXPORT_CHUNK), start=1):
            (township, village, code, area, year, cause, remediated_on, method, crop, season,
             operator, operator_type, status, planting_deadline, note, lon, lat) = row  # fmt: skip
            yield {
                "number": number,
                "township": township,
                "village": village,
                "code": code,
                "area": area,
                "year_abandoned": year,
                "cause": cause or None,
                "remediated_on": remediated_on,
                "method": method or None,
                "crop": crop or None,
                "season": seasons.get(season) or None,
                "operator": operator or None,
                "operator_type": types.get(operator_type) or None,
                "status": statuses.get(status, status),
                "planting_deadline": planting_deadline,
                "note": note or None,
                "longitude": lon,
                "latitude": lat,
            }

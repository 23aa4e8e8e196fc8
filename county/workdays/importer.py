"""Importing a year's State Council holiday notice from one Excel sheet, all or nothing.

The sheet has a header row with 日期, 类型 and 名称 (any order, anywhere in the first
rows) and one row per day: 类型 is 节假日 (放假) or 调休上班 (上班). :func:`read` checks
every row and lists every problem as ``第N行「列」：原因``; :func:`apply` writes the rows
in one transaction — new dates are added, dates already in the table take the file's
type and name.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from county.ledger.errors import CellError, LedgerFileError
from county.ledger.parsers import date as parse_date
from county.ledger.reading import is_empty, read_grid
from county.templatetags.dates import cn_date

from .models import CalendarDay, DayKind

COLUMNS = ("日期", "类型", "名称")
KIND_WORDS = {
    "节假日": DayKind.HOLIDAY,
    "法定节假日": DayKind.HOLIDAY,
    "假日": DayKind.HOLIDAY,
    "放假": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "调休上班": DayKind.WORKDAY,
    "调休上班日": DayKind.WORKDAY,
    "上班": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
}
HEADER_ROWS = 10
MAX_ROWS = 400


@dataclass
class Row:
    """One day of the file, checked, and what it does to the table."""

    line: int
    date: datetime.date
    kind: str
    name: str
    change: str = "新增"  # 新增 / 修改 / 不变

    @property
    def kind_label(self):
        return DayKind(self.kind).label


@dataclass
class Result:
    """The checked file: its rows, or the reasons it cannot be imported."""

    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return bool(self.rows) and not self.errors

    def counts(self):
        return {c: sum(1 for r in self.rows if r.change == c) for c in ("新增", "修改", "不变")}


def _cell(row, index):
    return row[index] if index < len(row) else None


def _text(value):
    return "" if is_empty(value) else str(value).strip()


def _header(grid):
    """``(row index, {column: index})`` of the header row, or None."""
    for index, row in enumerate(grid[:HEADER_ROWS]):
        names = {_text(value).replace(" ", ""): i for i, value in enumerate(row)}
        if all(column in names for column in COLUMNS):
            return index, {column: names[column] for column in COLUMNS}
    return None


def read(upload, name=""):
    """Check an uploaded sheet; nothing is written."""
    result = Result()
    try:
        grid = read_grid(upload, name)
    except LedgerFileError as error:
        result.errors.append(str(error))
        return result
    found = _header(grid)
    if found is None:
        result.errors.append("找不到表头：第一张工作表的前几行须有“日期”“类型”“名称”三列。")
        return result
    header, at = found
    seen = {}
    for index, raw in enumerate(grid[header + 1 :], start=header + 2):
        values = {column: _cell(raw, at[column]) for column in COLUMNS}
        if all(is_empty(v) for v in values.values()):
            continue
        line_errors = []
        day = kind = None
        if is_empty(values["日期"]):
            line_errors.append(f"第{index}行「日期」：不能为空。")
        else:
            try:
                day = parse_date(values["日期"])
            except CellError as error:
                line_errors.append(f"第{index}行「日期」：{error}")
        kind_text = _text(values["类型"]).replace(" ", "")
        kind = KIND_WORDS.get(kind_text)
        if kind is None:
            what = f"“{kind_text}”无法识别，" if kind_text else "不能为空，"
            line_errors.append(f"第{index}行「类型」：{what}请填写“节假日”或“调休上班”。")
        day_name = _text(values["名称"])
        if not day_name:
            line_errors.append(f"第{index}行「名称」：不能为空，请填写节日名称，如“春节”。")
        elif len(day_name) > 40:
            line_errors.append(f"第{index}行「名称」：不能超过40个字。")
        if day and day in seen:
            line_errors.append(f"第{index}行「日期」：与第{seen[day]}行重复。")
        if day:
            seen.setdefault(day, index)
        if day and kind == DayKind.WORKDAY and day.weekday() < 5:
            line_errors.append(
                f"第{index}行「类型」：{cn_date(day)}是星期{'一二三四五'[day.weekday()]}，"
                "本来就上班，调休上班日应是星期六或星期日。"
            )
        result.errors.extend(line_errors)
        if not line_errors:
            result.rows.append(Row(index, day, kind, day_name))
        if len(result.rows) + len(result.errors) > MAX_ROWS:
            result.errors.append(f"行数过多：一年的节假日安排不会超过{MAX_ROWS}行。")
            break
    if not result.rows and not result.errors:
        result.errors.append("表头下面没有任何日期。")
    existing = {
        d.date: d for d in CalendarDay.objects.filter(date__in=[r.date for r in result.rows])
    }
    for row in result.rows:
        old = existing.get(row.date)
        if old is not None:
            row.change = "不变" if (old.kind, old.name) == (row.kind, row.name) else "修改"
    return result


def as_data(rows):
    """The checked rows as plain data (to carry from the preview to the confirmation)."""
    return [[r.line, r.date.isoformat(), r.kind, r.name] for r in rows]


def from_data(data):
    return [Row(line, datetime.date.fromisoformat(d), kind, name) for line, d, kind, name in data]


def apply(rows):
    """Write the rows in one transaction; returns (added, changed)."""
    added = changed = 0
    with transaction.atomic():
        existing = {
            d.date: d
            for d in CalendarDay.objects.select_for_update().filter(date__in=[r.date for r in rows])
        }
        for row in rows:
            old = existing.get(row.date)
            if old is None:
                CalendarDay.objects.create(date=row.date, kind=row.kind, name=row.name)
                added += 1
            elif (old.kind, old.name) != (row.kind, row.name):
                old.kind, old.name = row.kind, row.name
                old.save()
                changed += 1
    return added, changed

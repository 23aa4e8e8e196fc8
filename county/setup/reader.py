"""Reading the county set-up workbook into plain rows, one list per sheet.

The ledger engine does the reading (size and zip-bomb checks, python-calamine, merged
cells) and finds each sheet's header (any of the first rows, any column order,
synonyms). Blank rows and note rows ("填表说明：…") are skipped; what the cells mean is
checked later, in :mod:`county.setup.apply`.
"""

from dataclasses import dataclass, field

from county.ledger import parsers
from county.ledger.columns import find_header
from county.ledger.errors import LedgerFileError
from county.ledger.reading import is_empty, read_sheets

from .schema import SHEETS

NOTE_PREFIXES = ("注", "说明", "填表说明", "填写说明", "备注")


@dataclass
class Entry:
    """One data row of a sheet: its values by column key, and where it came from."""

    sheet: str  # the sheet's canonical title, for error messages
    number: int  # the Excel row number, as people see it
    values: dict
    labels: dict = field(default_factory=dict)  # column key -> header as written

    def __getitem__(self, key):
        return self.values.get(key) or ""

    def label(self, key):
        return self.labels.get(key) or key


@dataclass
class SetupData:
    """Every sheet's rows; ``accounts`` is None when the workbook has no 账号 sheet."""

    townships: list = field(default_factory=list)
    villages: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    leaders: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    accounts: list | None = None


def _is_note(cells):
    filled = [c for c in cells if not is_empty(c)]
    if len(filled) != 1 or not isinstance(filled[0], str):
        return False
    text = filled[0].strip()
    return any(text.startswith(p) for p in NOTE_PREFIXES) and any(c in text for c in ":：")


def read_sheet(spec, grid, report):
    """The rows of one sheet; a missing header or required column is one error."""
    try:
        header = find_header(grid, spec.columns)
    except LedgerFileError as error:
        report.sheet_error(spec.title, None, "", str(error))
        return []
    labels = {
        key: str(grid[header.first_row + header.height - 1][index] or "").strip()
        for key, index in header.positions.items()
    }
    entries = []
    for index in range(header.data_start, len(grid)):
        cells = grid[index]
        if all(is_empty(c) for c in cells) or _is_note(cells):
            continue
        values = {}
        for column in spec.columns:
            position = header.positions.get(column.key)
            raw = cells[position] if position is not None and position < len(cells) else None
            values[column.key] = "" if is_empty(raw) else parsers.text(raw)
        entry = Entry(spec.title, index + 1, values, labels)
        if not any(values.values()):
            continue  # a row with only a 序号 or a remark
        for column in spec.columns:
            if column.required and not values[column.key]:
                report.sheet_error(spec.title, entry, entry.label(column.key), "不能为空")
        entries.append(entry)
    return entries


def read_workbook(source, report, name=""):
    """Read every known sheet; missing required sheets are errors, others are ignored.

    Raises :class:`LedgerFileError` when the file is not a readable .xlsx.
    """
    grids = read_sheets(source, name)
    data = SetupData()
    found = {}
    for sheet_name, grid in grids.items():
        for spec in SHEETS:
            if spec.matches(sheet_name) and spec.key not in found:
                found[spec.key] = grid
                break
    missing = [spec.title for spec in SHEETS if spec.required and spec.key not in found]
    if missing:
        names = "、".join(f"「{title}」" for title in missing)
        present = "、".join(f"「{n}」" for n in grids) or "（无）"
        report.error(None, "", f"工作簿缺少工作表 {names}（文件中的工作表：{present}）。")
    for spec in SHEETS:
        if spec.key in found:
            setattr(data, spec.key, read_sheet(spec, found[spec.key], report))
    return data

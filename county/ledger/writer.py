"""Writing a formatted ledger, streaming: title row, header, section rows, merged item cells,
borders, widths, frozen header and an A4 landscape print setup, one sheet per
:class:`ExportSheet`.

openpyxl's write-only mode writes each row to a temporary file as it comes, so memory
does not grow with the number of rows (the merges, written after the rows, are kept as
short strings). Its documented way to style a cell, one ``WriteOnlyCell`` per value,
makes openpyxl build an error message for every cell (``_values_to_row`` first tries the
cell as a value); :class:`_LedgerSheet` takes the row's cells as they are instead, so a
styled export costs about what a bare dump of the same values costs (docs/ledger.md).
Each column has a few ready cells (plain, date, quoted text) reused row after row.
"""

import datetime
import decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.styleable import StyleableObject
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from .deadlines import Deadline

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

# What spreadsheets take as the start of a formula (OWASP's list for exported cells).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32767  # Excel's limit for the text of one cell


class Section:
    """A section row ("一、经济体制…专项小组（22项）") in a ledger."""

    def __init__(self, title, number=None, sheet=None):
        self.title = title
        self.number = number  # the Excel row it was read from
        self.sheet = sheet  # the sheet it was read from

    def __repr__(self):
        return f"Section({self.title!r})"


def _styles():
    cell = NamedStyle(name="ledger_cell")
    cell.border = _BORDER
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    cell.font = Font(name="宋体", size=10)
    header = NamedStyle(name="ledger_header")
    header.border = _BORDER
    header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header.font = Font(name="黑体", size=10, bold=True)
    header.fill = PatternFill("solid", fgColor="D9E1F2")
    section = NamedStyle(name="ledger_section")
    section.border = _BORDER
    section.alignment = Alignment(vertical="center")
    section.font = Font(name="黑体", size=10, bold=True)
    section.fill = PatternFill("solid", fgColor="F2F2F2")
    return cell, header, section


def cell_value(value):
    """A Python value as an Excel cell value (units by name, deadlines as dates or words)."""
    if value is None:
        return None
    if value.__class__ is str:
        if ILLEGAL_CHARACTERS_RE.search(value):  # control characters: Excel refuses them
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return value[:MAX_CELL_TEXT]
    if isinstance(value, Deadline):
        return "长期坚持" if value.long_term else value.date
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (list, tuple, set)):
        return cell_value("、".join(str(cell_value(v)) for v in value if v is not None) or None)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:  # Excel has no time zones: the county's local time
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, (int, float, datetime.date)):
        return value
    return cell_value(str(value))


class _LedgerSheet(WriteOnlyWorksheet):
    """A write-only sheet whose appended rows are lists of ready cells."""

    def _values_to_row(self, values, row_idx):
        for cell in values:
            cell.row = row_idx
            yield cell


class _ReadyCell(Cell):
    """A styled cell reused row after row. Its style index and column letter are worked
    out once, and its value is set as :func:`cell_value` made it (clean text, a number, a
    date) without openpyxl guessing the type of every value again."""

    __slots__ = ("_letter", "_style_index")

    def __init__(self, sheet, column, style, number_format="", quoted=False):
        super().__init__(sheet, column=column)
        self.style = style
        if number_format:
            self.number_format = number_format
        if quoted:
            self.quotePrefix = True
        self._letter = get_column_letter(column)
        self._style_index = StyleableObject.style_id.fget(self)

    @property
    def style_id(self):
        return self._style_index

    @property
    def has_style(self):
        return True

    @property
    def coordinate(self):
        return f"{self._letter}{self.row}"

    def put(self, value, data_type):
        self._value = value
        self.data_type = data_type
        return self


class _Column:
    """The ready cells of one column: plain, date-formatted, and quoted text."""

    __slots__ = ("date", "plain", "quoted")

    def __init__(self, sheet, index, style, number_format):
        self.plain = _ReadyCell(sheet, index, style, number_format)
        self.date = _ReadyCell(sheet, index, style, DATE_FORMAT)
        self.quoted = _ReadyCell(sheet, index, style, quoted=True)

    def cell(self, value):
        """The column's cell holding ``value`` (a :func:`cell_value`)."""
        if value is None:
            return self.plain.put(None, "n")
        if value.__class__ is str:
            if value.startswith(FORMULA_STARTS):
                # Text, never a formula: a string with Excel's quote prefix, so neither
                # opening nor editing the cell evaluates it; the text stays unchanged.
                return self.quoted.put(value, "s")
            return self.plain.put(value, "s")
        if isinstance(value, datetime.date):
            return self.date.put(value, "d")
        return self.plain.put(value, "n")


def _cell(sheet, column, style):
    cell = WriteOnlyCell(sheet)
    cell.style = style
    cell.column = column
    return cell


def write_ledger(columns, sheets, subtitle="", target=None):
    """Write the workbook to ``target`` (a path or a binary file).

    ``sheets`` are :class:`county.ledger.spec.ExportSheet` (name, title, rows); rows
    yield :class:`Section` objects or dicts keyed by column key; a dict's ``"_group"``
    ties rows whose ``merge=True`` columns are merged together.
    """
    workbook = Workbook(write_only=True)
    for style in _styles():
        workbook.add_named_style(style)
    for spec in sheets:
        sheet = _LedgerSheet(workbook, spec.name)
        workbook._add_sheet(sheet)
        _write_sheet(sheet, columns, spec.title, subtitle, spec.rows)
    workbook.save(target)


def _write_sheet(sheet, columns, title, subtitle, rows):
    width = len(columns)
    last = get_column_letter(width)
    merges = sheet.merged_cells = []  # written after the rows, as "A1:N1"
    header_row = 3 if subtitle else 2

    # Everything before the rows goes first: the writer starts with the first row.
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[1].height = 32
    sheet.row_dimensions[header_row].height = 28
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.HeaderFooter.oddFooter.center.text = "第 &P 页，共 &N 页"

    heading = WriteOnlyCell(sheet, value=cell_value(title))
    heading.font = Font(name="方正小标宋简体", size=16, bold=True)
    heading.alignment = Alignment(horizontal="center", vertical="center")
    heading.column = 1
    sheet.append([heading])
    merges.append(f"A1:{last}1")
    row = 1
    if subtitle:
        row += 1
        note = WriteOnlyCell(sheet, value=cell_value(subtitle))
        note.alignment = Alignment(horizontal="left")
        note.column = 1
        sheet.append([note])
        merges.append(f"A{row}:{last}{row}")
    header = []
    for index, column in enumerate(columns, start=1):
        cell = _cell(sheet, index, "ledger_header")
        cell.value = column.header
        header.append(cell)
    sheet.append(header)
    row += 1

    ready = [
        _Column(sheet, index, "ledger_cell", column.number_format)
        for index, column in enumerate(columns, start=1)
    ]
    section_title = _Column(sheet, 1, "ledger_section", "")
    section_rest = [_cell(sheet, index, "ledger_section") for index in range(2, width + 1)]
    pairs = list(zip([column.key for column in columns], ready, strict=True))
    merge_letters = [get_column_letter(i) for i, c in enumerate(columns, start=1) if c.merge]
    run_group, run_start = object(), None

    def close_run(end_row):
        if run_start is not None and end_row > run_start:
            for letter in merge_letters:
                merges.append(f"{letter}{run_start}:{letter}{end_row}")

    for item in rows:
        if isinstance(item, Section):
            close_run(row)
            run_group, run_start = object(), None
            row += 1
            sheet.append([section_title.cell(cell_value(item.title)), *section_rest])
            merges.append(f"A{row}:{last}{row}")
            continue
        row += 1
        get = item.get
        sheet.append([column.cell(cell_value(get(key))) for key, column in pairs])
        group = item.get("_group")
        if group is None:
            close_run(row - 1)
            run_group, run_start = object(), None
        elif group != run_group:
            close_run(row - 1)
            run_group, run_start = group, row
    close_run(row)

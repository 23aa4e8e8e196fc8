"""Writing a formatted ledger: title row, header, section rows, merged item cells,
borders, widths, frozen header and an A4 landscape print setup."""

import datetime
import decimal
import io
from copy import copy

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from .deadlines import Deadline

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class Section:
    """A section row ("一、经济体制…专项小组（22项）") in a ledger."""

    def __init__(self, title, number=None):
        self.title = title
        self.number = number  # the Excel row it was read from

    def __repr__(self):
        return f"Section({self.title!r})"


# What spreadsheets take as the start of a formula (OWASP's list for exported cells).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def merge(sheet, ref):
    """Merge ``ref``; the hidden cells keep the top-left cell's style (its borders).

    openpyxl's merge_cells compares each new range with every existing one and then
    recomputes borders cell by cell: minutes for a 5,000-item ledger. Ledger merges
    never overlap and every cell already carries its borders, so neither is needed.
    """
    cells = CellRange(ref)
    sheet.merged_cells.ranges.add(cells)
    anchor = sheet.cell(row=cells.min_row, column=cells.min_col)
    for row, column in cells.cells:
        if (row, column) != (cells.min_row, cells.min_col):
            hidden = MergedCell(sheet, row, column)
            hidden._style = copy(anchor._style)
            sheet._cells[row, column] = hidden


def cell_value(value):
    """A Python value as an Excel cell value (units by name, deadlines as dates or words)."""
    if value is None:
        return None
    if isinstance(value, Deadline):
        return "长期坚持" if value.long_term else value.date
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(cell_value(v)) for v in value if v is not None) or None
    if isinstance(value, (int, float, str, datetime.date)):
        return value
    return str(value)


def write_ledger(columns, rows, title, subtitle="", sheet_name="台账"):
    """Build the workbook and return its bytes.

    ``rows`` yields :class:`Section` objects or dicts keyed by column key; a dict's
    ``"_group"`` ties rows whose ``merge=True`` columns are merged together.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    cell_style, header_style, section_style = _styles()
    for style in (cell_style, header_style, section_style):
        workbook.add_named_style(style)
    width = len(columns)
    last = get_column_letter(width)

    # Rows are counted here: openpyxl's max_row and sheet[row] scan every cell (quadratic).
    row = 1
    sheet.append([title])
    merge(sheet, f"A1:{last}1")
    sheet["A1"].font = Font(name="方正小标宋简体", size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 32
    if subtitle:
        sheet.append([subtitle])
        row += 1
        merge(sheet, f"A{row}:{last}{row}")
        sheet[f"A{row}"].alignment = Alignment(horizontal="left")
    sheet.append([c.header for c in columns])
    row += 1
    header_row = row
    for index in range(1, width + 1):
        sheet.cell(row=row, column=index).style = "ledger_header"
    sheet.row_dimensions[header_row].height = 28

    merge_indexes = [i for i, c in enumerate(columns, start=1) if c.merge]
    run_group, run_start = object(), None

    def close_run(end_row):
        if run_start is not None and end_row > run_start:
            for index in merge_indexes:
                letter = get_column_letter(index)
                merge(sheet, f"{letter}{run_start}:{letter}{end_row}")

    for item in rows:
        if isinstance(item, Section):
            close_run(row)
            run_group, run_start = object(), None
            sheet.append([item.title])
            row += 1
            for index in range(1, width + 1):
                sheet.cell(row=row, column=index).style = "ledger_section"
            merge(sheet, f"A{row}:{last}{row}")
            continue
        sheet.append([cell_value(item.get(c.key)) for c in columns])
        row += 1
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=row, column=index)
            cell.style = "ledger_cell"
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                # Text, never a formula: stored as a string and marked with Excel's quote prefix,
                # so neither opening nor editing the cell evaluates it; the text stays unchanged.
                cell.data_type = "s"
                cell.quotePrefix = True
            if isinstance(cell.value, datetime.date):
                cell.number_format = DATE_FORMAT
            elif column.number_format:
                cell.number_format = column.number_format
        group = item.get("_group")
        if group is None:
            close_run(row - 1)
            run_group, run_start = object(), None
        elif group != run_group:
            close_run(row - 1)
            run_group, run_start = group, row
    close_run(row)

    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Build small .xlsx files in tests, cell by cell, merges included."""

import io

from openpyxl import Workbook


def xlsx(rows, merges=(), title="Sheet1"):
    """Bytes of a workbook whose first sheet holds ``rows`` (lists; None for empty)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

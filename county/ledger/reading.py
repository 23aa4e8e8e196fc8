"""Reading an uploaded .xlsx safely into a grid of cell values.

python-calamine reads the cells (15-20x faster than openpyxl here, and immune to
XML entity tricks); the archive is checked against zip bombs first. Vertically
merged cells (an item's cells merged over its sub-task rows) are spread down, so
every row carries its item's values; horizontal merges (title and section rows)
keep the value in their first cell only.
"""

import io
import re
import struct
import zipfile

import python_calamine

from .errors import LedgerFileError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# python-calamine holds a sheet as one dense block from its first to its last cell: a
# 5 KB file with cells at A1 and ZZ200000 asks for 4.5 GB and aborts the process. A sheet
# may span at most this many cells (100,000 rows of 30 columns).
MAX_SHEET_CELLS = 3_000_000
_FAR_REFERENCE = re.compile(rb"r\s*=\s*[\"']\s*(?:[A-Za-z]{2}|[A-Za-z]?\d{6})")  # quick
_REFERENCE = re.compile(rb"(?<![\w:])r\s*=\s*[\"']\s*([A-Za-z]{0,3})\s*(\d{1,7})")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref\s*=\s*[\"']([^\"']*)")
# zipfile reads the whole central directory into objects when it opens an archive: a
# 20 MB file of empty entries would be ~400,000 of them. Real workbooks and documents
# have a few hundred entries at most (a few tens of KB of directory).
MAX_CENTRAL_DIRECTORY_BYTES = 1024 * 1024
ZIP_BOMB_MESSAGE = "文件解压后异常庞大，已拒绝读取。请检查文件是否正确。"

XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"


def _read_bytes(source):
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        return source.read()
    with open(source, "rb") as handle:
        return handle.read()


def check_xlsx(data, name=""):
    """Refuse anything that is not a sane .xlsx, saying what to do instead."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise LedgerFileError(
            f"文件过大（{len(data) / 1024 / 1024:.1f} MB），台账文件不能超过 "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
        )
    if data.startswith(XLS_SIGNATURE):
        raise LedgerFileError(
            "这是旧版 Excel（.xls）文件。"
            "请在 Excel 或 WPS 中“另存为” Excel 工作簿（.xlsx）后再导入。"
        )
    if not data.startswith(ZIP_SIGNATURE):
        hint = "CSV 文本文件" if name.lower().endswith(".csv") or b"," in data[:200] else "文件"
        raise LedgerFileError(
            f"无法读取：这不是 Excel 工作簿（.xlsx），而是{hint}。"
            "请在 Excel 或 WPS 中打开后“另存为” .xlsx 格式再导入。"
        )
    try:
        archive = open_zip(data)
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise LedgerFileError("文件已损坏，无法作为 Excel 工作簿（.xlsx）打开。") from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise LedgerFileError(
            "这不是 Excel 工作簿（.xlsx）。请用 Excel 或 WPS 另存为 .xlsx 后再导入。"
        )
    check_zip_members(members)
    for member in members:
        if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
            check_extent(archive.read(member))


def _column_number(letters):
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def check_extent(xml):
    """Refuse a sheet whose cells span more than MAX_SHEET_CELLS (see above).

    Ledgers of up to 99,999 rows and 26 columns have no cell reference with two letters
    or six digits, so one quick scan clears them; others are measured reference by
    reference.
    """
    rows = columns = 0
    references = []
    dimension = _DIMENSION.search(xml, 0, 4096)
    if dimension:
        references += [r.strip() for r in dimension[1].split(b":")]
    if _FAR_REFERENCE.search(xml):
        references += [letters + digits for letters, digits in _REFERENCE.findall(xml)]
    for reference in references:
        match = re.fullmatch(rb"([A-Za-z]{0,3})(\d{0,7})", reference)
        if match is None:
            raise LedgerFileError("文件中的单元格地址无法识别，已拒绝读取。请检查文件是否正确。")
        letters, digits = match.groups()
        if letters:
            columns = max(columns, _column_number(letters))
        if digits:
            rows = max(rows, int(digits))
    if rows * max(columns, 1) > MAX_SHEET_CELLS:
        raise LedgerFileError(
            f"工作表的范围过大（{rows} 行 × {columns} 列），已拒绝读取。"
            "请删除表格右侧和下方无用的单元格后再导入。"
        )


def central_directory_size(data):
    """The size of a zip's central directory as its end record says (zip64 too); None if absent."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return None
    size = struct.unpack("<I", data[end + 12 : end + 16])[0]
    locator = end - 20
    if size == 0xFFFFFFFF and locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        record = struct.unpack("<Q", data[locator + 8 : locator + 16])[0]
        if data[record : record + 4] == b"PK\x06\x06" and len(data) >= record + 56:
            size = struct.unpack("<Q", data[record + 40 : record + 48])[0]
    return size


def open_zip(data):
    """A ZipFile over ``data``, refused (LedgerFileError) when its directory is too large.

    Raises ``zipfile.BadZipFile`` when it is not a zip archive at all.
    """
    size = central_directory_size(data)
    if size is not None and size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise LedgerFileError(ZIP_BOMB_MESSAGE)
    return zipfile.ZipFile(io.BytesIO(data))


def check_zip_members(members):
    """Refuse an archive whose entries unpack too large or too well (a zip bomb)."""
    total = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise LedgerFileError(ZIP_BOMB_MESSAGE)


def read_grid(source, name=""):
    """The first sheet as a list of rows (lists of values, '' or None for empty)."""
    data = _read_bytes(source)
    check_xlsx(data, name)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = [list(row) for row in sheet.to_python(skip_empty_area=False)]
        merged = sheet.merged_cell_ranges or []
    except Exception as exc:  # calamine raises its own error types
        raise LedgerFileError(f"文件无法解析：{exc}") from None
    return spread_merged(rows, merged)


def read_sheets(source, name=""):
    """Every worksheet of a workbook: {sheet name: grid}, in the workbook's order.

    The same checks and merged-cell spreading as :func:`read_grid`, for workbooks
    whose sheets each hold one table (the county set-up workbook).
    """
    data = _read_bytes(source)
    check_xlsx(data, name)
    sheets = {}
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for sheet_name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(sheet_name)
            rows = [list(row) for row in sheet.to_python(skip_empty_area=False)]
            sheets[sheet_name] = (rows, sheet.merged_cell_ranges or [])
    except Exception as exc:  # calamine raises its own error types
        raise LedgerFileError(f"文件无法解析：{exc}") from None
    return {sheet_name: spread_merged(*grid) for sheet_name, grid in sheets.items()}


def read_book(source, name=""):
    """Every visible worksheet of a workbook, in order: a list of (sheet name, grid).

    The same checks and merged-cell spreading as :func:`read_grid`; hidden sheets and
    chart sheets are left out (people neither see nor check them).
    """
    data = _read_bytes(source)
    check_xlsx(data, name)
    sheets = []
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for meta in workbook.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            if meta.visible != python_calamine.SheetVisibleEnum.Visible:
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            rows = [list(row) for row in sheet.to_python(skip_empty_area=False)]
            sheets.append((meta.name, rows, sheet.merged_cell_ranges or []))
    except Exception as exc:  # calamine raises its own error types
        raise LedgerFileError(f"文件无法解析：{exc}") from None
    return [(sheet_name, spread_merged(rows, merged)) for sheet_name, rows, merged in sheets]


def spread_merged(rows, merged_ranges):
    """Fill vertically merged cells with their top cell's value (0-based ranges)."""
    for (top, left), (bottom, right) in merged_ranges:
        if bottom == top:
            continue  # a horizontal merge: title or section row
        for r in range(top, bottom + 1):
            while len(rows) <= r:
                rows.append([])
        width = max(len(rows[r]) for r in range(top, bottom + 1))
        width = max(width, right + 1)
        for r in range(top, bottom + 1):
            rows[r].extend([""] * (width - len(rows[r])))
        for col in range(left, right + 1):
            value = rows[top][col]
            for r in range(top + 1, bottom + 1):
                rows[r][col] = value
    return rows


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())

"""Column specs and header detection."""

import re
import unicodedata
from dataclasses import dataclass

from . import parsers
from .errors import LedgerFileError
from .reading import is_empty

HEADER_SEARCH_ROWS = 10
_PARENS = re.compile(r"[(（][^)）]*[)）]")


def header_key(text):
    """Normalise a header cell: full-width folded, no spaces, no '*' marks."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*:：]+", "", text)


class Column:
    """One ledger column: where it is found (header and synonyms), how it is read, and what
    the import does with it. ``Column(name, header, synonyms, parser, …)``; the column's
    name is ``column.key``.

    - ``required``: the header must have the column, and every data row must fill the
      cell (``True`` says 不能为空; a text says why, e.g. "缺少具体举措"). In a ledger with
      merged item rows, an item column (``merge=True``) is required on the item's first
      row only.
    - ``key=True``: part of the record's identity (地块编号; 序号 of a reform item); two
      rows with the same key are an error, and a stored record with that key is updated.
    - ``attr``: the model field the parsed value is written to (``"township"``); a blank
      cell writes the field's empty value, or leaves it as stored with
      ``keep_blank=True``; a column missing from the file leaves the field as stored.
    - ``lookup``: a :class:`county.ledger.lookups.Lookup` that resolves the parsed value
      with the help of other columns (a village within the row's township).
    - ``merge=True``: an item-level column whose cells span the item's rows; the engine
      groups the rows of one item (``Ledger.group_rows``) and the export merges them.
    """

    __slots__ = (
        "attr",
        "header",
        "is_key",
        "keep_blank",
        "key",
        "lookup",
        "merge",
        "names",
        "number_format",
        "parser",
        "required",
        "synonyms",
        "width",
    )  # fmt: skip

    def __init__(self, name, header, synonyms=(), parser=parsers.text, required=False,
                 width=14, merge=False, number_format="", *, key=False, attr="", lookup=None,
                 keep_blank=False):  # fmt: skip
        self.key = name
        self.header = header
        self.synonyms = tuple(synonyms)
        self.parser = parser
        self.required = required
        self.width = width
        self.merge = merge
        self.number_format = number_format
        self.is_key = key
        self.attr = attr
        self.lookup = lookup
        self.keep_blank = keep_blank
        names = {header_key(n) for n in (self.header, *self.synonyms)}
        names |= {_PARENS.sub("", n) for n in names}
        self.names = frozenset(n for n in names if n)

    def __repr__(self):
        return f"Column({self.key!r}, {self.header!r})"

    @property
    def blank_message(self):
        return self.required if isinstance(self.required, str) else "不能为空"

    def matches(self, cell):
        key = header_key(cell)
        return bool(key) and (key in self.names or _PARENS.sub("", key) in self.names)


def point_columns():
    """经度 and 纬度 (decimal degrees, WGS-84) written to ``longitude`` / ``latitude``; a
    ledger that declares them checks both-or-neither with :func:`point_error`."""
    return [
        Column("longitude", "经度", synonyms=("东经", "经度（°）", "X坐标"),
               parser=parsers.longitude, width=12, attr="longitude", number_format="0.000000"),
        Column("latitude", "纬度", synonyms=("北纬", "纬度（°）", "Y坐标"),
               parser=parsers.latitude, width=12, attr="latitude", number_format="0.000000"),
    ]  # fmt: skip


def point_error(row, values, report):
    """Report a row with 经度 but no 纬度 (or the reverse); True when the row is fine."""
    lon, lat = values.get("longitude"), values.get("latitude")
    if (lon is None) == (lat is None):
        return True
    missing = "latitude" if lat is None else "longitude"
    if row.has_column(missing):
        report.error(row, row.label(missing), "经度和纬度须同时填写")
    else:
        report.error(row, row.label("longitude" if lat is None else "latitude"),
                     "只有经度或纬度一列，须同时提供经度和纬度")  # fmt: skip
    return False


@dataclass
class Header:
    """Where the header was found: its rows and each column's index."""

    first_row: int  # 0-based index of the (upper) header row
    height: int  # 1, or 2 for a two-row header
    positions: dict  # column key -> 0-based column index

    @property
    def data_start(self):
        return self.first_row + self.height


def _match_row(cells, columns):
    """Column key -> index: exact names first, then a header that contains one name.

    The second pass catches headers such as "牵头单位及责任人" or "2023年工作进展"; a header
    containing names of two different columns equally well is left alone.
    """
    positions, unmatched = {}, []
    for index, cell in enumerate(cells):
        if is_empty(cell):
            continue
        for column in columns:
            if column.key not in positions and column.matches(cell):
                positions[column.key] = index
                break
        else:
            unmatched.append((index, header_key(cell)))
    for index, key in unmatched:
        best, length, tie = None, 0, False
        for column in columns:
            if column.key in positions:
                continue
            found = max((len(n) for n in column.names if len(n) >= 2 and n in key), default=0)
            if found > length:
                best, length, tie = column, found, False
            elif found and found == length:
                tie = True
        if best is not None and not tie:
            positions[best.key] = index
    return positions


def find_header(rows, columns):
    """Find the header among the first rows: one row, or two with a merged group title.

    The candidate that recognises the most columns wins; a missing required column
    is an error naming every missing column.
    """
    best = None
    for top in range(min(HEADER_SEARCH_ROWS, len(rows))):
        candidates = [(1, _match_row(rows[top], columns))]
        if top + 1 < len(rows):
            upper, lower = rows[top], rows[top + 1]
            width = max(len(upper), len(lower))
            combined = [
                lower[i]
                if i < len(lower) and not is_empty(lower[i])
                else (upper[i] if i < len(upper) else "")
                for i in range(width)
            ]
            two = _match_row(combined, columns)
            lower_hits = _match_row(lower, columns)
            upper_hits = _match_row(upper, columns)
            # Only a real two-row header: both rows contribute header names.
            if len(two) > max(len(lower_hits), len(upper_hits)) and upper_hits and lower_hits:
                candidates.append((2, two))
        for height, positions in candidates:
            if best is None or len(positions) > len(best.positions):
                best = Header(top, height, positions)
    required = [c for c in columns if c.required]
    if best is None or not best.positions:
        names = "、".join(f"「{c.header}」" for c in required or columns)
        raise LedgerFileError(
            f"在前 {HEADER_SEARCH_ROWS} 行中没有找到表头（应包含 {names} 等列）。"
        )
    missing = [c for c in required if c.key not in best.positions]
    if missing:
        names = "、".join(f"「{c.header}」" for c in missing)
        raise LedgerFileError(f"表头（第{best.first_row + 1}行）缺少必需的列：{names}。")
    return best

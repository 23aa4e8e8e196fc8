"""Column specs and header detection."""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from . import parsers
from .errors import LedgerFileError
from .reading import is_empty

HEADER_SEARCH_ROWS = 10
_PARENS = re.compile(r"[(（][^)）]*[)）]")


def header_key(text):
    """Normalise a header cell: full-width folded, no spaces, no '*' marks."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*:：]+", "", text)


@dataclass(frozen=True)
class Column:
    """One ledger column: where it is found (header and synonyms) and how it is read.

    ``merge`` marks item-level columns whose cells span several rows; the export
    merges equal runs of them within a group.
    """

    key: str
    header: str
    synonyms: tuple = ()
    parser: Any = parsers.text
    required: bool = False
    width: float = 14
    merge: bool = False
    number_format: str = ""
    names: frozenset = field(init=False, repr=False)

    def __post_init__(self):
        names = {header_key(n) for n in (self.header, *self.synonyms)}
        names |= {_PARENS.sub("", n) for n in names}
        object.__setattr__(self, "names", frozenset(n for n in names if n))

    def matches(self, cell):
        key = header_key(cell)
        return bool(key) and (key in self.names or _PARENS.sub("", key) in self.names)


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

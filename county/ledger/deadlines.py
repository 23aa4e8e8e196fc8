"""Chinese deadline phrases: "2023年10月底前", "12月底前", "长期坚持" and their kin."""

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass

from ..templatetags.dates import cn_date

LONG_TERM_WORDS = ("长期坚持", "持续推进", "长期", "常态化", "持续开展", "持续", "常年")
_SUFFIXES = re.compile(r"(之前|以前|前|止|为止|完成)$")
_FULL_DATE = re.compile(r"^(\d{4})(?:年|[-./])(\d{1,2})(?:月|[-./])(\d{1,2})日?$")
_MONTH = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(底|末|份|上旬|中旬|下旬)?$")
_YEAR_END = re.compile(r"^(?:(\d{4})年)?(年底|年末|底|末|年内|全年)$")
_HALF = re.compile(r"^(?:(\d{4})年)?(上半年|下半年)(底|末)?$")
_QUARTER = re.compile(r"^(?:(\d{4})年)?第?([一二三四1-4])季度(末|底)?$")
_QUARTER_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
EXCEL_EPOCH = datetime.date(1899, 12, 30)


@dataclass(frozen=True)
class Deadline:
    """A parsed deadline: a date, or long-term work with none."""

    date: datetime.date | None
    long_term: bool = False

    def __str__(self):
        if self.long_term:
            return "长期坚持"
        return cn_date(self.date)


def _month_end(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _clean(text):
    text = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"\s+", "", text)


def parse_date(value):
    """A date from a date cell, an Excel serial number or a written date; None if unreadable."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an unformatted Excel date serial
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        return None
    match = _FULL_DATE.match(_clean(value or ""))
    if not match:
        return None
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_deadline(value, year):
    """Parse a deadline cell; ``year`` is the ledger's year for phrases without one.

    Returns a :class:`Deadline`, or None when the phrase is not understood.
    """
    date = parse_date(value)
    if date:
        return Deadline(date)
    if not isinstance(value, str):
        return None
    text = _clean(value)
    if not text:
        return None
    if any(text.startswith(word) for word in LONG_TERM_WORDS):
        return Deadline(None, long_term=True)
    text = _SUFFIXES.sub("", text)
    date = parse_date(text)
    if date:
        return Deadline(date)
    try:
        return _parse_phrase(text, year)
    except ValueError:  # 2023年13月底
        return None


def _parse_phrase(text, year):
    if match := _MONTH.match(text):
        y, month, part = int(match[1] or year), int(match[2]), match[3]
        if part == "上旬":
            return Deadline(datetime.date(y, month, 10))
        if part == "中旬":
            return Deadline(datetime.date(y, month, 20))
        return Deadline(_month_end(y, month))
    if match := _YEAR_END.match(text):
        return Deadline(datetime.date(int(match[1] or year), 12, 31))
    if match := _HALF.match(text):
        y = int(match[1] or year)
        return Deadline(
            datetime.date(y, 6, 30) if match[2] == "上半年" else datetime.date(y, 12, 31)
        )
    if match := _QUARTER.match(text):
        y, quarter = int(match[1] or year), _QUARTER_NUMBERS[match[2]]
        return Deadline(_month_end(y, quarter * 3))
    return None

"""Cell parsers: a raw cell value (and the import's context) in, a clean value out.

A parser is ``parse(value, context) -> value`` and raises :class:`CellError` with a
Chinese message when the cell cannot be used. Empty cells never reach a parser
(the column's ``required`` decides whether that is an error).
"""

import decimal as _decimal
import re
import unicodedata

from county.inputs import date_range_message, is_plausible_date
from county.naming import LIST_SEPARATORS, normalize_name, split_names

from .deadlines import parse_date, parse_deadline
from .errors import CellError

_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")
_UNIT_SUFFIXES = ("亩", "公顷", "平方米", "万元", "元", "个", "项", "人", "%")
YES_WORDS = {"是", "已完成", "完成", "√", "✓", "y", "yes", "true", "1", "已销号", "销号"}
NO_WORDS = {"否", "未完成", "×", "✗", "n", "no", "false", "0", "未销号"}


def text(value, context=None):
    """Trimmed text, as written (full-width punctuation kept); inner new lines kept."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    cleaned = str(value).replace("\u3000", " ").strip()
    return "\n".join(line.strip() for line in cleaned.splitlines()).strip()


def _number_text(value):
    if isinstance(value, bool):
        raise CellError("不是有效的数字")
    if isinstance(value, (int, float, _decimal.Decimal)):
        return str(value)
    cleaned = normalize_name(value).replace(",", "")
    for suffix in _UNIT_SUFFIXES:
        cleaned = cleaned.removesuffix(suffix)
    if not _NUMBER.match(cleaned):
        raise CellError(f"“{text(value)}”不是有效的数字")
    return cleaned


def integer(value, context=None):
    number = _decimal.Decimal(_number_text(value))
    if number != number.to_integral_value():
        raise CellError(f"“{text(value)}”不是整数")
    return int(number)


def decimal(value, context=None):
    return _decimal.Decimal(_number_text(value)).quantize(_decimal.Decimal("0.01"))


def _plausible(parsed):
    """The date itself, or a CellError when it lies outside county.inputs' range."""
    if parsed is not None and not is_plausible_date(parsed):
        raise CellError(date_range_message(parsed))
    return parsed


def date(value, context=None):
    parsed = parse_date(value)
    if parsed is None:
        raise CellError(f"无法识别的日期“{text(value)}”，请写成 2023年10月31日 或 2023-10-31")
    return _plausible(parsed)


def deadline(value, context):
    parsed = parse_deadline(value, context.year)
    if parsed is None:
        raise CellError(
            f"无法识别的完成时限“{text(value)}”，"
            "请写成 2023年10月31日、2023年10月底前、12月底前 或 长期坚持"
        )
    _plausible(parsed.date)
    return parsed


def yes_no(value, context=None):
    word = normalize_name(value).lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise CellError(f"“{text(value)}”应为“是”或“否”")


def choice(choices, aliases=None):
    """A parser for a TextChoices: accepts a label, a value, or one of ``aliases``."""
    lookup = {normalize_name(label): value for value, label in choices.choices}
    lookup.update({normalize_name(value): value for value in choices.values})
    lookup.update({normalize_name(k): v for k, v in (aliases or {}).items()})
    allowed = "、".join(choices.labels)

    def parse(value, context=None):
        try:
            return lookup[normalize_name(value)]
        except KeyError:
            raise CellError(f"“{text(value)}”不是可选值（可选：{allowed}）") from None

    return parse


def _unknown_unit(name):
    return CellError(f"未知单位“{name}”，请使用全称或系统登记的简称")


def unit(kind=None):
    """One unit by full name, alias or name without 县; ``kind`` limits to townships/departments."""

    def parse(value, context):
        names = split_names(value)
        if len(names) != 1:
            raise CellError(f"只能填写一个单位，却有 {len(names)} 个：{text(value)}")
        found = context.units.resolve(names[0])
        if found is None:
            raise _unknown_unit(names[0])
        if kind and found.kind != kind:
            raise CellError(f"“{names[0]}”不是{_kind_label(kind)}")
        return found

    return parse


def _kind_label(kind):
    from county.choices import UnitKind

    return UnitKind(kind).label


def units(value, context):
    """Several units from one cell ("县住建局、县交通局\n城关镇"), in order, without repeats.

    Names separated only by spaces ("县财政局 县教育局") are split when the whole is unknown.
    """
    found, unknown = [], []
    for part in LIST_SEPARATORS.split(unicodedata.normalize("NFKC", str(value))):
        name = normalize_name(part)
        if not name:
            continue
        match = context.units.resolve(name)
        candidates = [match] if match else [context.units.resolve(p) for p in part.split()]
        if match is None and (len(candidates) < 2 or None in candidates):
            unknown.append(name)
            continue
        for unit_ in candidates:
            if unit_ not in found:
                found.append(unit_)
    if unknown:
        raise CellError("；".join(str(_unknown_unit(name)) for name in unknown))
    return found


def leader(value, context):
    """A county leader by name."""
    name = normalize_name(value)
    found = context.leaders.get(name)
    if found is None:
        raise CellError(f"未知县级领导“{name}”")
    return found


def _degrees(parse, value):
    try:
        return parse(value)
    except ValueError as error:
        raise CellError(str(error)) from None


def longitude(value, context=None):
    """经度 in decimal degrees (WGS-84), -180 to 180: "104.0657", "104.0657°"."""
    from county import places

    return _degrees(places.parse_longitude, value)


def latitude(value, context=None):
    """纬度 in decimal degrees (WGS-84), -90 to 90."""
    from county import places

    return _degrees(places.parse_latitude, value)

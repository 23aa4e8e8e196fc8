"""Matching the names people type (in Excel cells, in forms) to units and villages."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Separators clerks put between several unit names in one cell.
LIST_SEPARATORS = re.compile(r"[、，,；;/\n\r]+")


def normalize_name(text):
    """Full-width to half-width, no white space at all: '县 住建局 ' -> '县住建局'."""
    if text is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text)))


def split_names(text):
    """Split a cell such as '县住建局、县交通局\\n城关镇' into clean names."""
    if text is None:
        return []
    text = unicodedata.normalize("NFKC", str(text))
    return [n for n in (normalize_name(part) for part in LIST_SEPARATORS.split(text)) if n]


class UnitResolver:
    """Looks units up by full name, alias, or name without the leading 县.

    Built once per import from one query; ambiguous keys resolve to nothing so
    that a guess is never made on someone's behalf.
    """

    def __init__(self, units):
        self._by_key = {}
        ambiguous = set()
        for unit in units:
            keys = {normalize_name(unit.name), *(normalize_name(a) for a in unit.alias_list)}
            keys |= {k[1:] for k in keys if k.startswith("县") and len(k) > 3}
            for key in keys:
                if key in self._by_key and self._by_key[key] != unit:
                    ambiguous.add(key)
                self._by_key.setdefault(key, unit)
        for key in ambiguous:
            del self._by_key[key]

    @classmethod
    def from_db(cls):
        from .models import Unit

        return cls(Unit.objects.filter(is_active=True))

    def resolve(self, name):
        return self._by_key.get(normalize_name(name))

"""What parsers and lookups may use during one import: the sheet's year, units, leaders.

Each sheet has its own context (its own year); the lookup tables behind them are built
once per import (one query each) and shared by every sheet.
"""

from county.naming import UnitResolver, normalize_name


class ParseContext:
    """Lookups built once per import (one query each), shared by every cell."""

    def __init__(self, year, shared=None):
        self.year = year
        self.shared = {} if shared is None else shared

    def cached(self, key, build):
        """``build()`` once per import, whatever the number of sheets and rows."""
        try:
            return self.shared[key]
        except KeyError:
            value = self.shared[key] = build()
            return value

    @property
    def units(self):
        return self.cached("units", UnitResolver.from_db)

    @property
    def leaders(self):
        def build():
            from county.models import Leader

            return {normalize_name(leader.name): leader for leader in Leader.objects.all()}

        return self.cached("leaders", build)

    @property
    def groups(self):
        def build():
            from county.models import SpecialGroup

            return {normalize_name(group.name): group for group in SpecialGroup.objects.all()}

        return self.cached("groups", build)

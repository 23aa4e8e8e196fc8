"""What parsers may look up during one import: the ledger year, units, leaders."""

from functools import cached_property

from county.naming import UnitResolver, normalize_name


class ParseContext:
    """Lookups built once per import (one query each), shared by every cell."""

    def __init__(self, year):
        self.year = year

    @cached_property
    def units(self):
        return UnitResolver.from_db()

    @cached_property
    def leaders(self):
        from county.models import Leader

        return {normalize_name(leader.name): leader for leader in Leader.objects.all()}

    @cached_property
    def groups(self):
        from county.models import SpecialGroup

        return {normalize_name(group.name): group for group in SpecialGroup.objects.all()}

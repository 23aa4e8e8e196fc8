"""Lookups: a column's value resolved with the help of other columns of the same row.

A parser reads one cell; a lookup runs after every parser of the row and may read the
row's other values: the village named in 村（社区） is looked up among the villages of the
row's 乡镇. Each lookup builds its table once per import (one query), so an import costs
the same number of queries whatever its number of rows. Declare it on the column::

    Column("village", "村（社区）", lookup=VillageIn("township"), attr="village")

``resolve`` raises :class:`CellError` (the message is shown under the column's name);
it is skipped when a column it depends on is blank or could not be read.
"""

from county.naming import normalize_name, split_names

from .errors import CellError


class Lookup:
    """Base class: ``depends`` names the columns read; ``resolve`` returns the value."""

    depends = ()

    def resolve(self, value, row, context):
        raise NotImplementedError


def _villages(context):
    """Every village by (township id, normalised name), and by normalised name alone."""

    def build():
        from county.models import Village

        by_township, by_name = {}, {}
        for village in Village.objects.select_related("township"):
            key = normalize_name(village.name)
            by_township[village.township_id, key] = village
            by_name.setdefault(key, []).append(village)
        return by_township, by_name

    return context.cached("villages", build)


class VillageIn(Lookup):
    """One village, by name, among the villages of the unit in column ``township``."""

    def __init__(self, township="township"):
        self.township = township
        self.depends = (township,)

    def resolve(self, value, row, context):
        township = row[self.township]
        village = _villages(context)[0].get((township.pk, normalize_name(value)))
        if village is None:
            raise CellError(f"“{value}”不是{township.name}的村（社区）")
        return village


class VillagesIn(Lookup):
    """Several villages ("东安村、光福村"), each among the villages of the units listed in
    column ``townships``; a name found in two of them is an error (which one is meant?)."""

    def __init__(self, townships="townships"):
        self.townships = townships
        self.depends = (townships,)

    def resolve(self, value, row, context):
        townships = row[self.townships]
        by_township = _villages(context)[0]
        where = "、".join(t.name for t in townships)
        found, problems = [], []
        for name in split_names(value):
            key = normalize_name(name)
            matches = [by_township[t.pk, key] for t in townships if (t.pk, key) in by_township]
            if not matches:
                problems.append(f"“{name}”不是{where}的村（社区）")
            elif len(matches) > 1:
                towns = "、".join(v.township.name for v in matches)
                problems.append(f"“{name}”在{towns}都有，无法确定")
            elif matches[0] not in found:
                found.append(matches[0])
        if problems:
            raise CellError("；".join(problems))
        return found


class ByName(Lookup):
    """A record of ``model`` by its (normalised) ``field``; ``message`` says what to do when
    there is none ("未知问题类别“{}”…")."""

    def __init__(self, model, field="name", message="未知名称“{}”"):
        self.model, self.field, self.message = model, field, message

    def resolve(self, value, row, context):
        def build():
            return {normalize_name(getattr(o, self.field)): o for o in self.model.objects.all()}

        table = context.cached(("by_name", self.model, self.field), build)
        found = table.get(normalize_name(value))
        if found is None:
            raise CellError(self.message.format(value))
        return found

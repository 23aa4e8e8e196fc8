"""The outcome of an import: counts, every row error, and what changed."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import models

from ..templatetags.dates import cn_datetime

MAX_CHANGES_KEPT = 2000


@dataclass(frozen=True)
class RowError:
    """One problem, shown as 第N行「列名」：原因 (工作表「2024年」第N行… in a workbook
    whose ledger spans several sheets)."""

    row: int | None
    column: str
    message: str
    worksheet: str = field(default="", kw_only=True)  # named only when there are several
    order: int = field(default=0, kw_only=True, compare=False)  # the sheet's position

    def __str__(self):
        where = f"第{self.row}行" if self.row else "文件"
        if self.worksheet:
            where = f"工作表「{self.worksheet}」" + (f"第{self.row}行" if self.row else "")
        column = f"「{self.column}」" if self.column else ""
        return f"{where}{column}：{self.message}"

    def as_dict(self):
        data = {"row": self.row, "column": self.column, "message": self.message}
        if self.worksheet:
            data["sheet"] = self.worksheet
        return data


@dataclass
class Change:
    """A record the import creates or changes; ``fields`` holds (label, old, new)."""

    kind: str
    label: str
    action: str  # "created" | "updated"
    row: int | None = None
    fields: list = field(default_factory=list)
    sheet: str = ""  # named when the ledger spans several sheets


class FieldChange:
    """One field of a stored record that an import changes: raw values, as stored (ids)
    and as given (objects or ids); :func:`describe` turns them into readable text."""

    __slots__ = ("field", "new", "old")

    def __init__(self, field, old, new):
        self.field, self.old, self.new = field, old, new

    def __iter__(self):  # (label, old, new), before describe() when names are not needed
        return iter((self.field.verbose_name, self.old, self.new))


class ImportReport:
    """Collects the errors, counts and changes of one import run."""

    def __init__(self):
        self.errors = []
        self.changes = []
        self.counts = Counter()
        self.by_kind = defaultdict(Counter)
        self.notes = []
        self.dry_run = False
        self.year = None  # the ledger year (of the first sheet), known once the file is parsed
        self.years = []  # every sheet's year
        self.applied = False

    @property
    def ok(self):
        return not self.errors

    def error(self, row, column, message):
        number = getattr(row, "number", row)
        sheet = getattr(row, "sheet", None)
        if getattr(sheet, "named", False):
            self.errors.append(
                RowError(number, column, message, worksheet=sheet.name, order=sheet.order)
            )
        else:
            self.errors.append(RowError(number, column, message, order=getattr(sheet, "order", 0)))

    def _count(self, kind, action):
        self.counts[action] += 1
        self.by_kind[kind][action] += 1

    def add_created(self, kind, label, row=None):
        self._count(kind, "created")
        if len(self.changes) < MAX_CHANGES_KEPT:
            self.changes.append(
                Change(kind, label, "created", getattr(row, "number", row), sheet=_sheet(row))
            )

    def add_updated(self, kind, label, fields, row=None):
        self._count(kind, "updated")
        if len(self.changes) < MAX_CHANGES_KEPT:
            number = getattr(row, "number", row)
            self.changes.append(
                Change(kind, label, "updated", number, list(fields), sheet=_sheet(row))
            )

    def add_unchanged(self, kind):
        self._count(kind, "unchanged")

    def note(self, text):
        self.notes.append(text)

    def _keep(self, change):
        if len(self.changes) < MAX_CHANGES_KEPT:
            self.changes.append(change)

    def sorted_errors(self):
        # By sheet and row; within a row, cell errors (in column order) before the ledger's
        # own checks.
        return sorted(self.errors, key=lambda e: (getattr(e, "order", 0), e.row or 0))

    def as_json(self):
        return {
            "created": self.counts["created"],
            "updated": self.counts["updated"],
            "unchanged": self.counts["unchanged"],
            "errors": [e.as_dict() for e in self.sorted_errors()],
        }

    def summary(self):
        parts = []
        for kind, counts in self.by_kind.items():
            parts.append(
                f"{kind}：新增 {counts['created']}，更新 {counts['updated']}，"
                f"未变 {counts['unchanged']}"
            )
        return "；".join(parts) or "没有数据行"

    def describe_changes(self):
        """Turn the kept changes' :class:`FieldChange` values into (label, old, new) text:
        choice labels, names of related records (one query per related model), 是/否."""
        pending = [
            (change, index, item)
            for change in self.changes
            for index, item in enumerate(change.fields)
            if isinstance(item, FieldChange)
        ]
        wanted = defaultdict(set)
        for _, _, item in pending:
            model = item.field.related_model
            if model is not None:
                for value in (item.old, item.new):
                    for one in _many(value):
                        if not isinstance(one, models.Model) and _pk(one) is not None:
                            wanted[model].add(_pk(one))
        names = {
            model: {pk: str(obj) for pk, obj in model._base_manager.in_bulk(pks).items()}
            for model, pks in wanted.items()
        }
        for change, index, item in pending:
            change.fields[index] = (
                str(item.field.verbose_name),
                _display(item.field, item.old, names),
                _display(item.field, item.new, names),
            )


def _sheet(row):
    """The sheet a ledger row came from, when the ledger spans several (else "")."""
    sheet = getattr(row, "sheet", None)
    return sheet.name if getattr(sheet, "named", False) else ""


def _pk(value):
    return value if isinstance(value, int) or value is None else getattr(value, "pk", None)


def _many(value):
    if isinstance(value, (list, tuple, set, frozenset)):
        return value
    return [value]


def _name(model_names, value):
    if isinstance(value, models.Model):
        return str(value)
    return model_names.get(_pk(value), str(_pk(value)))


def _display(field_, value, names):
    if field_.many_to_many:
        related = names.get(field_.related_model, {})
        if isinstance(value, (set, frozenset)):  # as stored: in a steady order
            value = sorted(value, key=_pk)
        return "、".join(_name(related, v) for v in value or []) or "（空）"
    if value is None or value == "":
        return "（空）"
    if field_.is_relation:
        return _name(names.get(field_.related_model, {}), value)
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return cn_datetime(value)
    return str(value)

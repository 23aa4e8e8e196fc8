"""The outcome of an import: counts, every row error, and what changed."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

MAX_CHANGES_KEPT = 2000


@dataclass(frozen=True)
class RowError:
    """One problem, shown as 第N行「列名」：原因."""

    row: int | None
    column: str
    message: str

    def __str__(self):
        where = f"第{self.row}行" if self.row else "文件"
        column = f"「{self.column}」" if self.column else ""
        return f"{where}{column}：{self.message}"

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Change:
    """A record the import creates or changes; ``fields`` holds (label, old, new)."""

    kind: str
    label: str
    action: str  # "created" | "updated"
    row: int | None = None
    fields: list = field(default_factory=list)


class ImportReport:
    """Collects the errors, counts and changes of one import run."""

    def __init__(self):
        self.errors = []
        self.changes = []
        self.counts = Counter()
        self.by_kind = defaultdict(Counter)
        self.notes = []
        self.dry_run = False
        self.year = None  # the ledger year, known once the file is parsed
        self.applied = False

    @property
    def ok(self):
        return not self.errors

    def error(self, row, column, message):
        number = getattr(row, "number", row)
        self.errors.append(RowError(number, column, message))

    def _count(self, kind, action):
        self.counts[action] += 1
        self.by_kind[kind][action] += 1

    def add_created(self, kind, label, row=None):
        self._count(kind, "created")
        self._keep(Change(kind, label, "created", getattr(row, "number", row)))

    def add_updated(self, kind, label, fields, row=None):
        self._count(kind, "updated")
        self._keep(Change(kind, label, "updated", getattr(row, "number", row), list(fields)))

    def add_unchanged(self, kind):
        self._count(kind, "unchanged")

    def note(self, text):
        self.notes.append(text)

    def _keep(self, change):
        if len(self.changes) < MAX_CHANGES_KEPT:
            self.changes.append(change)

    def sorted_errors(self):
        # By row; within a row, cell errors (in column order) before the ledger's own checks.
        return sorted(self.errors, key=lambda e: e.row or 0)

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

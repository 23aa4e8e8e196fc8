"""The outcome of a county set-up run: the ledger engine's report, with sheet names.

Errors read like the ledger engine's, prefixed with the sheet:
``「村（社区）」第5行「所属乡镇」：没有这个乡镇“xx镇”``.
"""

from dataclasses import dataclass

from county.ledger.report import Change, ImportReport, RowError

from .schema import SHEET_ORDER


@dataclass(frozen=True)
class SheetRowError(RowError):
    """A :class:`RowError` on one sheet of the workbook."""

    sheet: str = ""

    def __str__(self):
        text = super().__str__()
        if not self.sheet:
            return text
        if self.row is None and not self.column:
            return f"「{self.sheet}」：{self.message}"
        return f"「{self.sheet}」{text}"

    def as_dict(self):
        return {**super().as_dict(), "sheet": self.sheet}


class SetupReport(ImportReport):
    """Counts, changes and every error of one run; removals are counted too.

    ``passwords`` holds the clear one-time passwords of the accounts created by a real
    run, in memory only, for the caller to hand over once.
    """

    def __init__(self):
        super().__init__()
        self.passwords = []
        self.created_accounts = []

    def sheet_error(self, sheet, row, column, message):
        number = getattr(row, "number", row)
        self.errors.append(SheetRowError(number, column, message, sheet))

    def add_removed(self, kind, label, how):
        """A record the workbook no longer lists: ``how`` is 停用 or 删除."""
        self._count(kind, "removed")
        change = Change(kind, label, "removed", None, [("处理", "", how)])
        self._keep(change)

    def sorted_errors(self):
        return sorted(
            self.errors,
            key=lambda e: (
                SHEET_ORDER.get(getattr(e, "sheet", ""), -1),
                e.row or 0,
            ),
        )

    def changed_count(self):
        return self.counts["created"] + self.counts["updated"] + self.counts["removed"]

    def as_json(self):
        return {
            **super().as_json(),
            "removed": self.counts["removed"],
            "by_kind": {kind: dict(counts) for kind, counts in self.by_kind.items()},
            "notes": self.notes,
            "accounts_created": list(self.created_accounts),
            "applied": self.applied,
        }

    def summary(self):
        parts = []
        for kind, counts in self.by_kind.items():
            text = (
                f"{kind}：新增 {counts['created']}，更新 {counts['updated']}，"
                f"未变 {counts['unchanged']}"
            )
            if counts["removed"]:
                text += f"，停用或删除 {counts['removed']}"
            parts.append(text)
        return "；".join(parts) or "没有数据行"

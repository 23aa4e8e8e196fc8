"""Errors of the ledger engine."""


class CellError(ValueError):
    """A cell's value cannot be used; the message says why, in Chinese."""


class LedgerFileError(ValueError):
    """The file as a whole cannot be read (not .xlsx, no header, too large …)."""

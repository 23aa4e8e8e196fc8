"""The Excel ledger engine every workstream's import and export runs through.

See docs/ledger.md: a workstream subclasses :class:`Ledger`, lists its
:class:`Column` specs and writes ``import_rows`` and ``export_rows``.
"""

from . import parsers
from .changes import bulk_create_with_history, save_changes
from .columns import Column
from .deadlines import Deadline, parse_deadline
from .errors import CellError, LedgerFileError
from .report import ImportReport, RowError
from .spec import Ledger, LedgerRow
from .writer import Section

__all__ = [
    "CellError",
    "Column",
    "Deadline",
    "ImportReport",
    "Ledger",
    "LedgerFileError",
    "LedgerRow",
    "RowError",
    "Section",
    "bulk_create_with_history",
    "parse_deadline",
    "parsers",
    "save_changes",
]

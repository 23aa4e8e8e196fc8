"""The Excel ledger engine every workstream's import and export runs through.

See docs/ledger.md: a workstream subclasses :class:`Ledger`, declares its
:class:`Column` specs (what each column writes, which are the key, which are
required, their lookups) and keeps only its domain rules.
"""

from . import parsers
from .changes import bulk_create_with_history, save_changes
from .columns import Column, point_columns, point_error
from .deadlines import Deadline, parse_deadline
from .errors import CellError, LedgerFileError
from .lookups import ByName, Lookup, VillageIn, VillagesIn
from .records import New, Stored, Table
from .report import ImportReport, RowError
from .spec import ExportSheet, Ledger, LedgerRow, RowGroup, key_part
from .writer import Section

__all__ = [
    "ByName",
    "CellError",
    "Column",
    "Deadline",
    "ExportSheet",
    "ImportReport",
    "Ledger",
    "LedgerFileError",
    "LedgerRow",
    "Lookup",
    "New",
    "RowError",
    "RowGroup",
    "Section",
    "Stored",
    "Table",
    "VillageIn",
    "VillagesIn",
    "bulk_create_with_history",
    "key_part",
    "parse_deadline",
    "parsers",
    "point_columns",
    "point_error",
    "save_changes",
]

"""The Ledger base class: a workstream declares columns and two methods, the engine the rest."""

import re

from django.db import transaction
from django.utils import timezone

from .columns import find_header
from .context import ParseContext
from .errors import CellError, LedgerFileError
from .reading import is_empty, read_grid
from .report import ImportReport
from .writer import Section, write_ledger

TOTAL_WORDS = ("合计", "小计", "总计", "共计")
NOTE_PREFIX = re.compile(r"^\s*(注|说明|备注|填报说明)\s*[:：]")
YEAR = re.compile(r"(20\d{2})\s*年")


class LedgerRow:
    """One data row: parsed values by column key, the raw cells, its section, its errors."""

    def __init__(self, number, section, labels):
        self.number = number  # the Excel row number, as people see it
        self.section = section
        self.values = {}
        self.raw = {}
        self.ok = True
        self._labels = labels

    def __getitem__(self, key):
        return self.values.get(key)

    def get(self, key, default=None):
        value = self.values.get(key)
        return default if value is None else value

    def is_blank(self, key):
        """The cell was empty (not merely unparsable)."""
        return is_empty(self.raw.get(key))

    def has_column(self, key):
        return key in self._labels

    def label(self, key):
        """The column's name as written in the file (for error messages)."""
        return self._labels.get(key, key)

    def __repr__(self):
        return f"LedgerRow({self.number}, {self.values!r})"


class _Rollback(Exception):
    pass


class Ledger:
    """Base class of every workstream's Excel ledger (see docs/ledger.md)."""

    key = ""
    title = ""
    sheet_name = "台账"
    model = None
    filterset_class = None
    columns = []
    success_url_name = ""  # where the import pages send the user afterwards

    # ---- to be written by each workstream -------------------------------------------
    def import_rows(self, rows, report, user):
        """Validate and write ``rows`` (LedgerRow and Section objects).

        Called inside a transaction even when some rows failed to parse, so that
        every problem is listed; rows with ``row.ok == False`` must not be written.
        The engine rolls everything back if the report holds any error.
        """
        raise NotImplementedError

    def export_rows(self, queryset):
        """Yield Section objects and dicts keyed by column key, in sheet order."""
        raise NotImplementedError

    # ---- reading ----------------------------------------------------------------------
    def make_context(self, year):
        return ParseContext(year)

    def detect_year(self, grid, header, name):
        for row in grid[: header.first_row]:
            for cell in row:
                if isinstance(cell, str) and (match := YEAR.search(cell)):
                    return int(match[1])
        if match := re.search(r"(20\d{2})", name or ""):
            return int(match[1])
        return timezone.localdate().year

    def parse(self, source, report, name="", year=None):
        """Read the file into LedgerRow/Section objects, recording every cell error."""
        grid = read_grid(source, name)
        header = find_header(grid, self.columns)
        labels = {
            key: str(grid[header.first_row + header.height - 1][index] or "").strip()
            for key, index in header.positions.items()
        }
        for key, index in header.positions.items():
            if not labels[key] and header.height == 2:
                labels[key] = str(grid[header.first_row][index]).strip()
        context = self.make_context(year or self.detect_year(grid, header, name))
        first_data_column = min(header.positions.values())
        rows, section = [], None
        for index in range(header.data_start, len(grid)):
            cells = grid[index]
            filled = [(i, c) for i, c in enumerate(cells) if not is_empty(c)]
            if not filled:
                continue
            if any(
                isinstance(c, str) and c.replace(" ", "").strip() in TOTAL_WORDS
                for _, c in filled[:3]
            ):
                continue
            if (
                len(filled) == 1
                and isinstance(filled[0][1], str)
                and (filled[0][0] <= first_data_column)
            ):
                text = filled[0][1].strip()
                if not NOTE_PREFIX.match(text):
                    section = Section(text, index + 1)
                    rows.append(section)
                continue
            rows.append(self._parse_row(index + 1, cells, header, labels, section, context, report))
        return rows, context

    def _parse_row(self, number, cells, header, labels, section, context, report):
        row = LedgerRow(number, section.title if section else None, labels)
        for column in self.columns:
            position = header.positions.get(column.key)
            if position is None:
                continue
            raw = cells[position] if position < len(cells) else None
            row.raw[column.key] = raw
            if is_empty(raw):
                row.values[column.key] = None
                continue
            try:
                row.values[column.key] = column.parser(raw, context)
            except CellError as error:
                row.ok = False
                report.error(number, labels[column.key], str(error))
        return row

    # ---- importing --------------------------------------------------------------------
    def run_import(self, source, user=None, dry_run=False, name="", year=None):
        """Import a file all-or-nothing; with ``dry_run`` do everything, then roll back."""
        report = ImportReport()
        report.dry_run = dry_run
        try:
            rows, context = self.parse(source, report, name=name, year=year)
        except LedgerFileError as error:
            report.error(None, "", str(error))
            return report
        report.year = context.year
        if not any(not isinstance(r, Section) for r in rows):
            report.error(None, "", "表头下面没有数据行。")
            return report
        try:
            with transaction.atomic():
                self.import_rows(rows, report, user)
                if dry_run or not report.ok:
                    raise _Rollback
        except _Rollback:
            pass
        report.applied = report.ok and not dry_run
        return report

    # ---- exporting --------------------------------------------------------------------
    def queryset(self, user):
        return self.model._default_manager.visible_to(user)

    def filtered_queryset(self, user, params, request=None):
        """Exactly the rows the list page shows for these filter parameters."""
        queryset = self.queryset(user)
        if self.filterset_class is not None:
            queryset = self.filterset_class(params, queryset=queryset, request=request).qs
        return queryset

    def subtitle(self):
        return f"导出时间：{timezone.localtime():%Y年%m月%d日 %H:%M}"

    def export_title(self, queryset):
        """The title row; a ledger kept per year puts the year in it (import reads it back)."""
        return self.title

    def export(self, queryset, subtitle=None):
        return write_ledger(
            self.columns,
            self.export_rows(queryset),
            self.export_title(queryset),
            subtitle=self.subtitle() if subtitle is None else subtitle,
            sheet_name=self.sheet_name,
        )

    def template(self):
        """An empty ledger with the title and header, to fill in and import."""
        return write_ledger(
            self.columns,
            [],
            self.title,
            subtitle="填报说明：每行一条，完成时限可写日期或“长期坚持”。",
            sheet_name=self.sheet_name,
        )

"""The Ledger base class: a workstream declares its columns and its domain rules; the engine
does the rest (reading every sheet, header detection, parsing, lookups, required cells,
duplicate keys, merged item rows, matching stored records, bulk writing, preview, export).
"""

import copy
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import DataError, IntegrityError, models, transaction
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ..history import IMPORT
from ..naming import normalize_name
from ..templatetags.dates import cn_datetime
from .columns import find_header
from .context import ParseContext
from .errors import CellError, LedgerFileError
from .reading import read_book
from .records import Table
from .report import ImportReport
from .writer import Section, write_ledger

TOTAL_WORDS = ("合计", "小计", "总计", "共计")
NOTE_PREFIX = re.compile(r"^\s*(注|说明|备注|填报说明)\s*[:：]")
YEAR = re.compile(r"(20\d{2})\s*年")
SHEET_YEAR = re.compile(r"(20\d{2})")
_SPACE = re.compile(r"\s")
MAX_SHEET_NAME = 31  # Excel's limit
WRITE_CONFLICT = (
    "写入时与数据库中的记录冲突（可能有人同时导入或修改了同一批记录），未写入任何数据。"
    "请稍后重新导入；如仍出错，请联系管理员。"
)
logger = logging.getLogger(__name__)


class Sheet:
    """One worksheet of an import: its name and position, where its columns are, its year
    and its context (the lookups are shared by every sheet)."""

    __slots__ = ("context", "labels", "name", "named", "order", "positions", "year")

    def __init__(self, name, order, labels, positions, year, context):
        self.name, self.order = name, order
        self.named = False  # error messages name the sheet when the ledger spans several
        self.labels, self.positions = labels, positions
        self.year, self.context = year, context


class LedgerRow:
    """One data row: parsed values by column key, the raw cells, its section, its errors."""

    __slots__ = ("number", "ok", "raw", "section", "sheet", "values")

    def __init__(self, number, section, sheet):
        self.number = number  # the Excel row number, as people see it
        self.section = section  # the Section above it (or None)
        self.values = {}
        self.raw = {}
        self.ok = True
        self.sheet = sheet

    def __getitem__(self, key):
        return self.values.get(key)

    def get(self, key, default=None):
        value = self.values.get(key)
        return default if value is None else value

    @property
    def year(self):
        return self.sheet.year

    def is_blank(self, key):
        """The cell was empty (not merely unparsable)."""
        return _is_empty(self.raw.get(key))

    def has_column(self, key):
        return key in self.sheet.positions

    def label(self, key):
        """The column's name as written in the file (for error messages)."""
        return self.sheet.labels.get(key, key)

    def where(self, other):
        """ "第N行" for a row of the same sheet, "工作表「X」第N行" for another's."""
        if other.sheet is self.sheet or not self.sheet.named:
            return f"第{other.number}行"
        return f"工作表「{other.sheet.name}」第{other.number}行"

    def __repr__(self):
        return f"LedgerRow({self.number}, {self.values!r})"


@dataclass
class RowGroup:
    """The rows of one item in a ledger with merged item cells (an item and its sub-tasks).

    ``first`` holds the item's values; ``rows`` every row of the item, ``first`` included.
    """

    first: LedgerRow
    rows: list
    section: Any
    key: tuple


@dataclass
class ExportSheet:
    """One sheet of an export: its tab name, its title row and its rows."""

    name: str
    title: str
    rows: Any


class _Rollback(Exception):
    pass


def _is_empty(value):
    return value is None or (value.__class__ is str and not value.strip())


def key_part(value):
    """A value as it identifies a record: text normalised (no spaces, full width folded),
    records by primary key, several records as a frozenset of keys."""
    if value.__class__ is str:
        if unicodedata.is_normalized("NFKC", value) and not _SPACE.search(value):
            return value  # already as normalize_name leaves it (the usual case)
        return normalize_name(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(key_part(v) for v in value)
    return value


def _field_check(field):
    """A check of a value against the database column (hostile files never reach the
    database with a text too long or a number too large): value -> message or None."""
    from django.db import connection

    if isinstance(field, (models.CharField, models.TextField)) and field.max_length:
        limit = field.max_length

        def check_text(value):
            if isinstance(value, str) and len(value) > limit:
                return _too_long(value, limit)
            return None

        return check_text
    if isinstance(field, models.IntegerField) and not field.is_relation:
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if field.get_internal_type().startswith("PositiveBig") or high is None:
            high = 2**63 - 1
        low = -(2**63) if low is None else low

        def check_integer(value):
            if isinstance(value, int) and not low <= value <= high:
                return f"数值 {value} 超出允许范围（{low}～{high}）"
            return None

        return check_integer
    if isinstance(field, models.DecimalField):
        limit = 10 ** (field.max_digits - field.decimal_places)

        def check_decimal(value):
            if value is not None and abs(value) >= limit:
                return f"数值 {value} 过大（应小于 {limit}）"
            return None

        return check_decimal
    return None


def _too_long(value, limit):
    return f"内容过长（{len(value)} 字），不能超过 {limit} 字"


def _empty(field):
    """What a blank cell writes to ``field``."""
    if field.many_to_many:
        return []
    if field.null:
        return None
    if isinstance(field, (models.CharField, models.TextField)):
        return ""
    if field.has_default():
        return field.get_default()
    return None


class Ledger:
    """Base class of every workstream's Excel ledger (see docs/ledger.md)."""

    key = ""
    title = ""
    sheet_name = "台账"
    model = None
    filterset_class = None
    columns = []
    success_url_name = ""  # where the import pages send the user afterwards
    kind = "记录"  # what the report counts ("地块"), for the declarative import
    per_year = False  # records kept per year (ReformItem.year): the key includes the year
    year_field = "year"
    group_kind = "记录"  # an item in a ledger with merged item rows ("改革任务")
    history_reason = IMPORT
    m2m = ()  # many-to-many fields the rules write besides the columns' attrs

    # ---- the domain: written by each workstream --------------------------------------
    def clean(self, row, values, stored, report):
        """Domain rules of one row (``values`` by model field, from the columns' ``attr``;
        ``stored`` is the matching stored record or None). Report errors with
        ``report.error(row, row.label(key), "…")`` and return None, or return the values
        to write (add derived fields, drop what must not be written)."""
        return values

    def label_of(self, row, values):
        """How the report names the record ("红岩-坪阳-00001")."""
        return "、".join(str(v) for v in self._row_key(row))

    def duplicate_message(self, row, first):
        return f"与{row.where(first)}重复"

    def voided_message(self, row, stored):
        return f"{self.label_of(row, {})}属于一条已作废的记录，不能通过导入恢复，也不能再用"

    def prepare(self, report, user):
        """Before the rows: load what the domain rules need besides the records."""

    def finish(self, report, user):
        """After the records are written (only when no row had an error)."""

    def export_rows(self, queryset):
        """Yield Section objects and dicts keyed by column key, in sheet order."""
        raise NotImplementedError

    # ---- reading ----------------------------------------------------------------------
    def make_context(self, year, shared=None):
        return ParseContext(year, shared)

    def detect_year(self, grid, first_row, sheet_name, name):
        for row in grid[:first_row]:
            for cell in row:
                if isinstance(cell, str) and (match := YEAR.search(cell)):
                    return int(match[1])
        for text in (sheet_name, name):
            if match := SHEET_YEAR.search(text or ""):
                return int(match[1])
        return timezone.localdate().year

    def parse(self, source, report, name="", year=None):
        """Read every sheet into LedgerRow and Section objects, recording every cell error.

        A workbook may hold the ledger on several sheets (one per year): each sheet with
        a header is read, with its own year; sheets without one (说明) are skipped.
        """
        book = read_book(source, name)
        found, first_error = [], None
        for order, (sheet_name, grid) in enumerate(book):
            try:
                header = find_header(grid, self.columns)
            except LedgerFileError as error:
                if not _recognises_a_column(grid, self.columns):
                    first_error = first_error or error
                    continue
                raise LedgerFileError(
                    f"工作表「{sheet_name}」：{error}" if len(book) > 1 else str(error)
                ) from None
            found.append((order, sheet_name, grid, header))
        if not found:
            raise first_error or LedgerFileError("文件中没有工作表。")
        shared, rows = {}, []
        for order, sheet_name, grid, header in found:
            labels = {}
            for key, index in header.positions.items():
                label = str(grid[header.first_row + header.height - 1][index] or "").strip()
                if not label and header.height == 2:
                    label = str(grid[header.first_row][index] or "").strip()
                labels[key] = label
            sheet_year = year or self.detect_year(grid, header.first_row, sheet_name, name)
            context = self.make_context(sheet_year, shared)
            sheet = Sheet(sheet_name, order, labels, header.positions, sheet_year, context)
            sheet.named = len(found) > 1
            report.years.append(sheet_year)
            rows += self._parse_sheet(grid, header, sheet, report)
        report.year = report.years[0]
        return rows

    def _parse_sheet(self, grid, header, sheet, report):
        """The sheet's data and section rows. Cells are parsed column by column, each
        distinct value of a column once (a township, a status: once per file; the key
        column's unique codes one by one); errors are recorded row by row, in column
        order, lookups after parsers."""
        context, labels = sheet.context, sheet.labels
        first_data_column = min(header.positions.values())
        items, data, section = [], [], None
        for index in range(header.data_start, len(grid)):
            cells = grid[index]
            # The first filled cells tell blank, 合计 and section rows from data rows.
            filled = []
            for position, cell in enumerate(cells):
                if cell is None or cell == "" or (cell.__class__ is str and cell.isspace()):
                    continue
                filled.append((position, cell))
                if len(filled) == 3:
                    break
            if not filled:
                continue
            if any(
                c.__class__ is str and c.replace(" ", "").strip() in TOTAL_WORDS for _, c in filled
            ):
                continue
            if (
                len(filled) == 1
                and filled[0][1].__class__ is str
                and (filled[0][0] <= first_data_column)
            ):
                text = filled[0][1].strip()
                if not NOTE_PREFIX.match(text):
                    section = Section(text, index + 1, sheet)
                    items.append(section)
                continue
            row = LedgerRow(index + 1, section, sheet)
            items.append(row)
            data.append((row, cells))
        if not data:
            return items
        rows = [row for row, _ in data]
        present = [c for c in self.columns if c.key in header.positions]
        keys = [c.key for c in present]
        raw_columns, parsed_columns, failed = [], [], []
        for column in present:
            position = header.positions[column.key]
            raw = [cells[position] if position < len(cells) else None for _, cells in data]
            parsed, has_errors = _parse_column(raw, column.parser, context, not column.is_key)
            raw_columns.append(raw)
            parsed_columns.append(parsed)
            if has_errors:
                failed.append((column.key, parsed))
        by_row = zip(rows, zip(*raw_columns, strict=True), zip(*parsed_columns, strict=True),
                     strict=True)  # fmt: skip
        for row, raw, parsed in by_row:
            row.raw = dict(zip(keys, raw, strict=True))
            row.values = dict(zip(keys, parsed, strict=True))
        errors = []  # (row index, column order, key, message)
        for order, (key, parsed) in enumerate(failed):
            for index, result in enumerate(parsed):
                if isinstance(result, CellError):
                    errors.append((index, order, key, str(result)))
                    rows[index].values[key] = None
        for index, _, key, message in sorted(errors):
            rows[index].ok = False
            report.error(rows[index], labels[key], message)
        for column in present:
            if column.lookup is not None:
                self._look_up(column, rows, report, labels)
        return items

    def _look_up(self, column, rows, report, labels):
        key, lookup = column.key, column.lookup
        depends = lookup.depends
        memo = {}
        for row in rows:
            values = row.values
            value = values[key]
            if value is None or any(values.get(d) is None for d in depends):
                continue
            try:
                memo_key = (value, *(values[d] for d in depends))
                result = memo.get(memo_key, _MISSING)
            except TypeError:  # a list of units: not kept
                memo_key, result = None, _MISSING
            if result is _MISSING:
                try:
                    result = lookup.resolve(value, row, row.sheet.context)
                except CellError as error:
                    result = error
                if memo_key is not None:
                    memo[memo_key] = result
            if isinstance(result, CellError):
                values[key] = None
                row.ok = False
                report.error(row, labels[key], str(result))
            else:
                values[key] = result

    # ---- importing --------------------------------------------------------------------
    def run_import(self, source, user=None, dry_run=False, name="", year=None):
        """Import a file all-or-nothing; with ``dry_run`` do everything, then roll back
        (so a preview shows exactly what the import does)."""
        report = ImportReport()
        report.dry_run = dry_run
        try:
            rows = self.parse(source, report, name=name, year=year)
        except LedgerFileError as error:
            report.error(None, "", str(error))
            return report
        if not any(isinstance(r, LedgerRow) for r in rows):
            report.error(None, "", "表头下面没有数据行。")
            return report
        # The ledger is shared by every request: an import works on its own copy, so that
        # what its rules load (``prepare``) stays with it.
        worker = copy.copy(self)
        try:
            with transaction.atomic():
                worker.import_rows(rows, report, user)
                if report.ok:
                    report.describe_changes()
                if dry_run or not report.ok:
                    raise _Rollback
        except _Rollback:
            pass
        except (IntegrityError, DataError):
            # Checked rows can still meet the database's own rules: another import or an
            # edit of the same records at the same moment. Nothing is written.
            logger.exception("ledger import %s refused by the database", self.key)
            report.error(None, "", WRITE_CONFLICT)
        report.applied = report.ok and not dry_run
        return report

    def table(self, model, user, m2m=(), scope=None):
        """A :class:`Table` of ``model`` for this import (history marked as an import)."""
        return Table(model, m2m=m2m, user=user, reason=self.history_reason, scope=scope)

    def import_rows(self, rows, report, user):
        """The declarative import: each data row is one record of ``model``.

        Required cells, duplicate keys, the columns' ``attr`` values (checked against the
        database columns), stored records matched by key (voided ones refused), the
        ledger's ``clean`` rules, then one bulk write of what changed.
        """
        fields = {c.attr: self.model._meta.get_field(c.attr) for c in self.columns if c.attr}
        m2m = [name for name, f in fields.items() if f.many_to_many] + list(self.m2m)
        self.records = table = self.table(self.model, user, m2m, self.scope(report))
        stored = table.load()
        # Without a key column every row is a new record.
        stored = {self.stored_key(s): s for s in stored} if self._key_columns() else {}
        self.prepare(report, user)
        plans = {}
        for row, key in self.record_rows(rows, report):
            values = self.record_values(row, report, fields, plans)
            if values is None:
                continue
            record = stored.get(key)
            if record is not None and record.is_voided:
                report.error(row, row.label(self._key_columns()[0].key),
                             self.voided_message(row, record))  # fmt: skip
                continue
            values = self.clean(row, values, record, report)
            if values is None:
                continue
            self.write(table, row, values, record, report)
        if report.ok:
            self.flush(report, user)

    def flush(self, report, user):
        """Write what the rows queued (only when no row had an error), then ``finish``."""
        self.records.flush()
        self.finish(report, user)

    def write(self, table, row, values, stored, report, kind=None):
        """Queue one record's values; count it as created, updated or unchanged."""
        kind = kind or self.kind
        many = {}
        if table.m2m_names:
            many = {n: values.pop(n) for n in table.m2m_names if n in values}
        result = table.save(values, many, stored)
        if stored is None:
            report.add_created(kind, self.label_of(row, values), row)
        elif result:
            report.add_updated(kind, self.label_of(row, values), result, row)
        else:
            report.add_unchanged(kind)
        return result

    def scope(self, report):
        """Which stored records an import may match (a per-year ledger: its years)."""
        if self.per_year:
            return {f"{self.year_field}__in": sorted(set(report.years))}
        return {}

    def _key_columns(self):
        return [c for c in self.columns if c.is_key]

    def _row_key(self, row):
        key = tuple(key_part(row[c.key]) for c in self._key_columns())
        return (row.year, *key) if self.per_year else key

    def stored_key(self, stored):
        """The key of a stored record, comparable with a row's (see ``key_part``)."""
        key = []
        for column in self._key_columns():
            name = column.attr or column.key
            key.append(key_part(stored.m2m[name] if name in stored.m2m else stored[name]))
        return (stored[self.year_field], *key) if self.per_year else tuple(key)

    def record_rows(self, rows, report):
        """(row, key) of each data row whose required cells are filled and whose key is
        new in the file; reports blank required cells and duplicates."""
        required = [(c.key, c.blank_message) for c in self.columns if c.required]
        keys = [c.key for c in self._key_columns()]
        year = self.per_year
        seen = {}
        for row in rows:
            if row.__class__ is not LedgerRow:
                continue
            raw, values = row.raw, row.values
            blank = False
            for key, message in required:
                cell = raw.get(key)
                if cell is None or cell == "" or (cell.__class__ is str and cell.isspace()):
                    report.error(row, row.label(key), message)
                    blank = True
            if blank:
                continue
            key = tuple(key_part(values[k]) for k in keys)
            if None in key:
                continue
            if year:
                key = (row.sheet.year, *key)
            if keys:
                first = seen.get(key)
                if first is not None:
                    report.error(row, row.label(keys[0]), self.duplicate_message(row, first))
                    continue
                seen[key] = row
            if row.ok:
                yield row, key

    def _value_plan(self, sheet, fields):
        """Per sheet: (column key, field name, blank value, text limit, check, keeps blank)
        of the ``attr`` columns the sheet has."""
        plan = []
        for column in self.columns:
            if column.attr and column.key in sheet.positions:
                field = fields[column.attr]
                limit = 0
                check = _checks(field)
                if isinstance(field, (models.CharField, models.TextField)):
                    limit, check = field.max_length or 0, None  # checked inline: the usual
                plan.append((column.key, column.attr, _empty(field), limit, check,
                             column.keep_blank))  # fmt: skip
        return plan

    def record_values(self, row, report, fields, plans=None):
        """The values of the row's ``attr`` columns by model field (columns missing from
        the sheet left out); None when a value does not fit its database column."""
        plans = {} if plans is None else plans
        sheet = row.sheet
        plan = plans.get(sheet)
        if plan is None:
            plan = plans[sheet] = self._value_plan(sheet, fields)
        values, ok, parsed = {}, True, row.values
        for key, attr, empty, limit, check, keep_blank in plan:
            value = parsed[key]
            if value is None:
                if keep_blank:
                    continue
                value = empty.copy() if empty.__class__ is list else empty
            elif limit:
                if value.__class__ is str and len(value) > limit:
                    report.error(row, row.label(key), _too_long(value, limit))
                    ok = False
            elif check is not None:
                message = check(value)
                if message:
                    report.error(row, row.label(key), message)
                    ok = False
            values[attr] = value
        return values if ok else None

    # ---- merged item rows -------------------------------------------------------------
    def group_rows(self, rows, report):
        """Rows → one :class:`RowGroup` per item of a ledger whose item columns
        (``merge=True``) span the item's rows (merged, or blank on the rows below).

        A row whose key columns are blank, or equal to the item above, continues that
        item (a filled item cell that differs is an error); a key seen before is a
        duplicate; a Section row ends the item above. Blank required cells are reported
        (item columns on the item's first row).
        """
        merged = [c for c in self.columns if c.merge]
        keys = [c for c in merged if c.is_key] or merged[:1]
        groups, seen, current, sheet = [], {}, None, None
        for row in rows:
            if isinstance(row, Section):
                current = None
                continue
            if row.sheet is not sheet:
                sheet, current = row.sheet, None
            blank = all(row.is_blank(c.key) for c in keys)
            key = tuple(key_part(row[c.key]) for c in keys)
            if self.per_year:
                key = (row.year, *key)
            if blank or (current is not None and key == current.key):
                if current is None:
                    label = row.label(keys[0].key)
                    report.error(row, label, f"缺少{label}，且上方没有{self.group_kind}")
                elif current.key is not None and self._continues(current, row, merged, report):
                    current.rows.append(row)
                continue
            if any(row[c.key] is None for c in keys):  # unreadable key: already reported
                current = RowGroup(row, [row], row.section, None)
                continue
            if key in seen:
                first = seen[key]
                report.error(
                    row, row.label(keys[0].key),
                    f"{row.label(keys[0].key)} {row[keys[0].key]} 重复（{row.where(first)}已有）",
                )  # fmt: skip
                current = RowGroup(row, [row], row.section, None)
                continue
            seen[key] = row
            current = RowGroup(row, [row], row.section, key)
            groups.append(current)
        for group in groups:
            for row in group.rows:
                for column in self.columns:
                    if not column.required or (column.merge and row is not group.first):
                        continue
                    if column.merge and column.is_key:
                        continue
                    if row.is_blank(column.key):
                        report.error(row, row.label(column.key), column.blank_message)
        return groups

    def _continues(self, group, row, merged, report):
        first = group.first
        for column in merged:
            if column.is_key or row.is_blank(column.key) or first.is_blank(column.key):
                continue
            if key_part(row[column.key]) != key_part(first[column.key]):
                keys = [c for c in merged if c.is_key] or merged[:1]
                report.error(
                    row,
                    row.label(keys[0].key),
                    f"{row.label(keys[0].key)} {first[keys[0].key]} 重复：与{row.where(first)}的"
                    f"“{first.raw.get(column.key)}”不是同一项{self.group_kind}",
                )
                return False
        return True

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
        return f"导出时间：{cn_datetime(timezone.localtime())}"

    def export_title(self, queryset):
        """The title row; a ledger kept per year puts the year in it (import reads it back)."""
        return self.title

    def export_sheets(self, queryset):
        """The export's sheets: one by default; a per-year ledger one per year, each titled
        with its year, so that the export re-imports unchanged."""
        if not self.per_year:
            return [ExportSheet(self.sheet_name, self.export_title(queryset),
                                self.export_rows(queryset))]  # fmt: skip
        years = sorted(queryset.order_by().values_list(self.year_field, flat=True).distinct())
        if not years:
            return [ExportSheet(self.sheet_name, self.title, [])]
        return [
            ExportSheet(
                f"{self.sheet_name}（{year}年）"[:MAX_SHEET_NAME],
                f"{year}年{self.title}",
                self.export_rows(queryset.filter(**{self.year_field: year})),
            )
            for year in years
        ]

    def export_to(self, queryset, target, subtitle=None):
        """Write the formatted ledger of ``queryset`` to ``target`` (a path or a binary
        file), streaming: memory does not grow with the number of rows."""
        write_ledger(
            self.columns,
            self.export_sheets(queryset),
            subtitle=self.subtitle() if subtitle is None else subtitle,
            target=target,
        )

    def export(self, queryset, subtitle=None):
        """The formatted ledger of ``queryset`` as bytes (.xlsx)."""
        buffer = io.BytesIO()
        self.export_to(queryset, buffer, subtitle)
        return buffer.getvalue()

    def template(self):
        """An empty ledger with the title and header, to fill in and import."""
        buffer = io.BytesIO()
        write_ledger(
            self.columns,
            [ExportSheet(self.sheet_name, self.title, [])],
            subtitle="填报说明：每行一条，完成时限可写日期或“长期坚持”。",
            target=buffer,
        )
        return buffer.getvalue()


_MISSING = object()


def _blank(cell):
    return cell is None or cell == "" or (cell.__class__ is str and cell.isspace())


def _parse_column(raw, parse, context, memoize):
    """Parsed values of one column's cells (None for blank ones, the CellError for bad
    ones), and whether any is bad. With ``memoize``, each distinct value is parsed once."""
    if memoize and bool not in set(map(type, raw)):  # True == 1: never share 1's value
        memo = {None: None, "": None}
        for cell in set(raw) - memo.keys():
            memo[cell] = None if _blank(cell) else _parse(parse, cell, context)
        parsed = list(map(memo.__getitem__, raw))
        outcomes = memo.values()
    else:
        parsed = [None if _blank(c) else _parse(parse, c, context) for c in raw]
        outcomes = parsed
    return parsed, any(isinstance(v, CellError) for v in outcomes)


def _parse(parse, cell, context):
    """A parsed cell, or the CellError saying why not (kept, so a repeated bad value is
    reported on every row without parsing it again)."""
    if cell.__class__ is str and ILLEGAL_CHARACTERS_RE.search(cell):
        cell = ILLEGAL_CHARACTERS_RE.sub("", cell)  # control characters: never kept
        if not cell.strip():
            return CellError("只有不可见的控制字符")
    try:
        return parse(cell, context)
    except CellError as error:
        return error


_CHECKS = {}


def _checks(field):
    try:
        return _CHECKS[field]
    except KeyError:
        check = _CHECKS[field] = _field_check(field)
        return check


def _recognises_a_column(grid, columns):
    """Whether any of the first rows names any of the ledger's columns."""
    from .columns import HEADER_SEARCH_ROWS

    return any(
        column.matches(cell)
        for row in grid[:HEADER_SEARCH_ROWS]
        for cell in row
        for column in columns
        if isinstance(cell, str)
    )

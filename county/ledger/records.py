"""Writing a ledger's records in bulk: compare on column values, write only what changed.

A :class:`Table` is one model's side of an import. ``load`` reads the stored rows once
(one query, plus one per many-to-many field); ``save`` compares a row's values with the
stored ones, column by column (``township_id``, never ``township``), and queues a create,
an update or nothing; ``flush`` writes the queue in a constant number of statements,
whatever the number of rows:

- on PostgreSQL, new rows take their ids from the sequence in one query and go in with
  ``COPY``; changed rows go into a temporary table with ``COPY`` and then into the table
  with one ``UPDATE … FROM``; the many-to-many rows of new records with ``COPY``, of
  changed ones only the difference (removed pairs in one ``DELETE``, added ones with
  ``COPY``); and every created or changed record gets its django-simple-history row
  (and the history's copy of its many-to-many values, as they now are) from one
  ``INSERT … SELECT`` run by the server, marked with ``history_change_reason`` (by
  default :data:`county.history.IMPORT`);
- on other databases (the demo's SQLite) the same happens through Django's bulk
  operations, history rows included.

Values are given by field name; a foreign key takes a model instance, a primary key, or
the :class:`New` record of a table flushed earlier (an item before its sub-tasks).
"""

import csv
import io
import itertools
import uuid

from django.db import connection, models
from django.utils import timezone

from .. import figures_cache
from ..history import IMPORT
from .report import FieldChange

NULL = "\x01"  # COPY's NULL marker: never in a cell (the reader drops control characters)
COPY_OPTIONS = "(FORMAT csv, NULL E'\\x01')"
_counter = itertools.count()


def _copy(cursor, sql, rows):
    """COPY ``rows`` (lists of values, NULL for None) through psycopg2, logged like a query."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    with connection.wrap_database_errors:  # psycopg2's errors as Django's (IntegrityError …)
        cursor.cursor.copy_expert(sql, buffer)
    figures_cache.observe(connection, sql)  # psycopg2's own cursor: no execute_wrapper saw it
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": "0.000"})


def uses_copy():
    """Whether writes go through ``COPY`` (PostgreSQL) rather than the ORM's bulk calls."""
    return connection.vendor == "postgresql"


def pk_of(value):
    """A primary key from an instance, a :class:`New` record or a key."""
    if value is None or isinstance(value, int):
        return value
    return value.pk


class New:
    """A record the import creates; its ``pk`` is set when its table is flushed."""

    __slots__ = ("m2m", "pk", "values")

    def __init__(self, values, m2m):
        self.pk = None
        self.values = values
        self.m2m = m2m

    def __getitem__(self, name):
        return self.values.get(name)

    def __repr__(self):
        return f"New({self.values!r})"


class Stored:
    """A stored record: its column values by field name (``record["township"]`` is the id),
    its many-to-many ids (``record.m2m["units"]``, a frozenset)."""

    __slots__ = ("index", "m2m", "row")

    def __init__(self, row, index, m2m):
        self.row, self.index, self.m2m = row, index, m2m

    @property
    def pk(self):
        return self.row[0]

    def __getitem__(self, name):
        return self.row[self.index[name]]

    def get(self, name, default=None):
        position = self.index.get(name)
        return default if position is None else self.row[position]

    @property
    def is_voided(self):
        return self.get("voided_at") is not None

    def __repr__(self):
        return f"Stored({self.pk})"


class Table:
    """One model's records in an import: the stored ones, and what to create or change."""

    def __init__(self, model, m2m=(), user=None, reason=IMPORT, scope=None):
        self.model = model
        self.meta = model._meta
        self.fields = [f for f in self.meta.concrete_fields if not f.primary_key]
        self.by_name = {f.name: f for f in self.fields}
        self.relations = {f.name for f in self.fields if f.is_relation}
        # A version counter (county.concurrency.VersionedModel): raised by every update.
        self.counters = [
            f
            for f in self.fields
            if f.name == "version" and isinstance(f, models.IntegerField) and not f.editable
        ]
        self.m2m_fields = [self.meta.get_field(name) for name in m2m]
        self.m2m_names = set(m2m)
        self.user = user
        self.reason = reason
        self.scope = scope or {}
        self.index = {"pk": 0, self.meta.pk.name: 0}
        for position, field in enumerate(self.fields, start=1):
            self.index[field.name] = self.index[field.attname] = position
        self.stored = []
        self.created = []  # New records
        self.updated = {}  # pk -> (Stored, values, m2m)

    # ---- reading ----------------------------------------------------------------------
    def load(self):
        """Every stored record in scope (voided ones included): one query, plus one per
        many-to-many field."""
        queryset = self.model._base_manager.filter(**self.scope).order_by("pk")
        rows = queryset.values_list("pk", *(f.attname for f in self.fields))
        m2m = {}
        for field in self.m2m_fields:
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            pairs = through._default_manager.filter(
                **{f"{source}__in": queryset.order_by().values("pk")}
            ).values_list(f"{source}_id", f"{target}_id")
            sets = {}
            for owner, other in pairs:
                sets.setdefault(owner, set()).add(other)
            m2m[field.name] = sets
        index = self.index
        names = [f.name for f in self.m2m_fields]
        self.stored = [
            Stored(row, index, {n: frozenset(m2m[n].get(row[0], ())) for n in names})
            for row in rows
        ]
        return self.stored

    # ---- comparing --------------------------------------------------------------------
    def save(self, values, m2m=None, stored=None):
        """Queue ``values`` (and many-to-many ``m2m``) for a new record, or for ``stored``.

        Returns the :class:`New` record, or for a stored one the list of
        :class:`FieldChange` (empty when nothing differs; then nothing is written).
        """
        m2m = m2m or {}
        if stored is None:
            record = New(values, m2m)
            self.created.append(record)
            return record
        changes = []
        row, index, relations = stored.row, self.index, self.relations
        for name, value in values.items():
            old = row[index[name]]
            new = pk_of(value) if name in relations else value
            if old != new or (new is None and old is not None):
                changes.append(FieldChange(self.by_name[name], old, value))
        m2m_changes = {}
        for name, others in m2m.items():
            new = frozenset(pk_of(o) for o in others)
            if new != stored.m2m[name]:
                m2m_changes[name] = others
                changes.append(FieldChange(self.meta.get_field(name), stored.m2m[name], others))
        if changes:
            # A many-to-many field is "concrete" too: only the record's own columns here.
            plain = {
                c.field.name: values[c.field.name] for c in changes if not c.field.many_to_many
            }
            entry = self.updated.get(stored.pk)
            if entry:  # a second change of the same record in one import
                entry[1].update(plain)
                entry[2].update(m2m_changes)
            else:
                self.updated[stored.pk] = (stored, plain, m2m_changes)
        return changes

    # ---- writing ----------------------------------------------------------------------
    def flush(self):
        """Write every queued create and update (and their history rows)."""
        now = timezone.now()
        if uses_copy():
            with connection.cursor() as cursor:
                self._pg_create(cursor, now)
                self._pg_update(cursor, now)
        else:
            self._orm_create(now)
            self._orm_update(now)

    def _db_values(self, record, now):
        """A new record's values by field name, every concrete field included."""
        values = record.values
        result = {}
        for field in self.fields:
            name = field.name
            if name in values:
                value = values[name]
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
            result[name] = value
        return result

    def _pg_create(self, cursor, now):
        records = self.created
        if not records:
            return
        table, pk = self.meta.db_table, self.meta.pk.column
        cursor.execute(
            "SELECT nextval(s) FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS s) q,"
            " generate_series(1, %s)",
            [table, pk, len(records)],
        )
        for record, (new_pk,) in zip(records, cursor.fetchall(), strict=True):
            record.pk = new_pk
        rows = self._rows(records, now)
        columns = ", ".join(_q(c) for c in [pk, *(f.column for f in self.fields)])
        _copy(cursor, f"COPY {_q(table)} ({columns}) FROM STDIN WITH {COPY_OPTIONS}", rows)
        for field in self.m2m_fields:
            pairs = [
                (record.pk, other)
                for record in records
                for other in _targets(record.m2m.get(field.name, ()))
            ]
            self._pg_insert_pairs(cursor, field, pairs)
        self._pg_history(cursor, [r.pk for r in records], "+", now)

    def _rows(self, records, now):
        """COPY rows of new records: every concrete column, defaults filled in, related
        records by key, NULL for None (booleans, dates, decimals and aware datetimes are
        written by csv as PostgreSQL reads them)."""
        static, dynamic = {}, []
        for field in self.fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                static[field.name] = now
            elif field.has_default() and callable(field.default):
                dynamic.append(field)
            else:
                static[field.name] = field.get_default()
        names = [f.name for f in self.fields]
        relations = [i for i, f in enumerate(self.fields, start=1) if f.is_relation]
        rows = []
        for record in records:
            values = record.values
            full = static | values
            for field in dynamic:
                if field.name not in values:
                    full[field.name] = field.get_default()
            row = [record.pk, *map(full.__getitem__, names)]
            for index in relations:
                value = row[index]
                if value is not None and value.__class__ is not int:
                    row[index] = value.pk
            rows.append([NULL if value is None else value for value in row])
        return rows

    def _pg_insert_pairs(self, cursor, field, pairs):
        if not pairs:
            return
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).column
        target = through._meta.get_field(field.m2m_reverse_field_name()).column
        _copy(
            cursor,
            f"COPY {_q(through._meta.db_table)} ({_q(source)}, {_q(target)}) "
            f"FROM STDIN WITH {COPY_OPTIONS}",
            pairs,
        )

    def _pg_update(self, cursor, now):
        if not self.updated:
            return
        table, pk = self.meta.db_table, self.meta.pk.column
        names = set()
        for _, plain, _ in self.updated.values():
            names.update(plain)
        auto = [f.name for f in self.fields if getattr(f, "auto_now", False)]
        # Every changed record is written: its changed fields, its auto_now fields and its
        # version counter (county.concurrency: a form opened before the import is stale).
        plain_rows = [(s, p) for s, p, _ in self.updated.values()]
        if names or auto or self.counters:
            fields = [self.by_name[n] for n in sorted(names | set(auto))]
            rows = []
            for stored, plain in plain_rows:
                row = [stored.pk]
                for field in fields:
                    if field.name in plain:
                        value = plain[field.name]
                        if field.is_relation:
                            value = pk_of(value)
                    elif field.name in auto:
                        value = now
                    else:
                        value = stored[field.name]
                    row.append(NULL if value is None else value)
                rows.append(row)
            temp = f"ledger_update_{uuid.uuid4().hex[:12]}_{next(_counter)}"
            columns = [pk, *(f.column for f in fields)]
            listed = ", ".join(_q(c) for c in columns)
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
                f"SELECT {listed} FROM {_q(table)} WITH NO DATA"
            )
            _copy(cursor, f"COPY {temp} ({listed}) FROM STDIN WITH {COPY_OPTIONS}", rows)
            assignments = [f"{_q(f.column)} = s.{_q(f.column)}" for f in fields]
            assignments += [f"{_q(f.column)} = t.{_q(f.column)} + 1" for f in self.counters]
            assignments = ", ".join(assignments)
            cursor.execute(
                f"UPDATE {_q(table)} t SET {assignments} FROM {temp} s "
                f"WHERE t.{_q(pk)} = s.{_q(pk)}"
            )
            cursor.execute(f"DROP TABLE {temp}")
        for field in self.m2m_fields:
            added, removed = self._m2m_delta(field)
            if removed:
                through = field.remote_field.through
                source = _q(through._meta.get_field(field.m2m_field_name()).column)
                target = _q(through._meta.get_field(field.m2m_reverse_field_name()).column)
                owners, others = zip(*removed, strict=True)
                cursor.execute(
                    f"DELETE FROM {_q(through._meta.db_table)} t "
                    f"USING unnest(%s::bigint[], %s::bigint[]) AS d(owner, other) "
                    f"WHERE t.{source} = d.owner AND t.{target} = d.other",
                    [list(owners), list(others)],
                )
            self._pg_insert_pairs(cursor, field, added)
        self._pg_history(cursor, list(self.updated), "~", now)

    def _m2m_delta(self, field):
        """The through rows an update of ``field`` adds and removes: (owner, other) pairs,
        each changed record's new values against those loaded (the rest stay as they are)."""
        added, removed = [], []
        for stored, _, m2m in self.updated.values():
            if field.name not in m2m:
                continue
            old = stored.m2m[field.name]
            new = _targets(m2m[field.name])
            added += [(stored.pk, other) for other in new if other not in old]
            removed += [(stored.pk, other) for other in sorted(old) if other not in new]
        return added, removed

    def _pg_history(self, cursor, pks, kind, now):
        """One statement: a history row for each record (its state as stored now), and the
        history's copy of its many-to-many rows."""
        history = getattr(self.model, "history", None)
        if history is None or not pks:
            return
        historical = history.model
        table = _q(self.meta.db_table)
        columns, selects, params = [], [], []
        extra = {
            "history_date": now,
            "history_change_reason": self.reason,
            "history_type": kind,
            "history_user_id": getattr(self.user, "pk", None),
        }
        for field in historical._meta.concrete_fields:
            if field.attname == "history_id":
                continue
            columns.append(_q(field.column))
            if field.attname in extra:
                selects.append("%s")
                params.append(extra[field.attname])
            else:
                source = self.meta.get_field(field.name)
                selects.append(f"t.{_q(source.column)}")
        pk = _q(self.meta.pk.column)
        sql = [
            f"WITH h AS (INSERT INTO {_q(historical._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(selects)} FROM {table} t WHERE t.{pk} = ANY(%s) "
            f"RETURNING history_id, {pk} AS record)"
        ]
        params.append(pks)
        for number, field in enumerate(getattr(historical, "_history_m2m_fields", [])):
            copy = getattr(historical, field.name).model
            through = field.remote_field.through
            source = through._meta.get_field(field.m2m_field_name()).column
            target = through._meta.get_field(field.m2m_reverse_field_name()).column
            sql.append(
                f", m{number} AS (INSERT INTO {_q(copy._meta.db_table)} "
                f"(id, {_q(source)}, {_q(target)}, history_id) "
                f"SELECT th.id, th.{_q(source)}, th.{_q(target)}, h.history_id "
                f"FROM h JOIN {_q(through._meta.db_table)} th ON th.{_q(source)} = h.record)"
            )
        sql.append(" SELECT count(*) FROM h")
        cursor.execute("".join(sql), params)

    # ---- other databases: Django's bulk operations -------------------------------------
    def _orm_create(self, now):
        from .changes import bulk_create_with_history

        if not self.created:
            return
        objs, pending = [], []
        for index, record in enumerate(self.created):
            kwargs = {}
            for name, value in self._db_values(record, now).items():
                field = self.by_name[name]
                if field.is_relation:
                    if isinstance(value, New) and value.pk is None:  # a record of this batch
                        pending.append((index, field.attname, value))
                        value = None
                    value = pk_of(value)
                kwargs[field.attname] = value
            objs.append(self.model(**kwargs))
        many = {
            f.name: [list(_targets(r.m2m.get(f.name, ()))) for r in self.created]
            for f in self.m2m_fields
        }
        bulk_create_with_history(self.model, objs, many, self.user, self.reason)
        for record, obj in zip(self.created, objs, strict=True):
            record.pk = obj.pk
        for index, attname, other in pending:
            setattr(objs[index], attname, other.pk)
        if pending:
            fields = sorted({self.meta.get_field(a).name for _, a, _ in pending})
            self.model._base_manager.bulk_update([objs[i] for i, _, _ in pending], fields)

    def _orm_update(self, now):
        from ..history import bulk_update_with_history

        if not self.updated:
            return
        objs = self.model._base_manager.in_bulk(list(self.updated))
        auto = [f for f in self.fields if getattr(f, "auto_now", False)]
        names = {f.name for f in auto}
        changed = []
        for pk, (_, plain, _) in self.updated.items():
            obj = objs[pk]
            for name, value in plain.items():
                field = self.by_name[name]
                setattr(obj, field.attname, pk_of(value) if field.is_relation else value)
                names.add(name)
            for field in auto:
                setattr(obj, field.attname, now)
            changed.append(obj)
        self._orm_m2m()
        # A change of many-to-many values only still writes the record (and its history,
        # which copies the many-to-many values as they now are).
        fields = sorted(names) or [self.fields[0].name]
        if getattr(self.model, "history", None) is None:
            self.model._base_manager.bulk_update(changed, fields)
        else:
            bulk_update_with_history(self.model, changed, fields, self.reason, user=self.user)

    def _orm_m2m(self):
        """The through rows of the changed many-to-many values: the removed ones deleted
        by key, the added ones created (three statements a field, whatever the rows)."""
        for field in self.m2m_fields:
            added, removed = self._m2m_delta(field)
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            manager = through._default_manager
            if removed:
                gone = set(removed)
                owners = sorted({owner for owner, _ in removed})
                rows = manager.filter(**{f"{source}_id__in": owners}).values_list(
                    "pk", f"{source}_id", f"{target}_id"
                )
                manager.filter(pk__in=[pk for pk, *pair in rows if tuple(pair) in gone]).delete()
            if added:
                manager.bulk_create(
                    [through(**{f"{source}_id": owner, f"{target}_id": other})
                     for owner, other in added],
                    batch_size=2000,
                )  # fmt: skip


def _targets(others):
    """The keys of many-to-many values, in their order, each once (a unit named twice in
    a cell is one through row)."""
    return dict.fromkeys(pk_of(other) for other in others)


def _q(name):
    return connection.ops.quote_name(name)

"""One change-history renderer for every detail page.

Every business model keeps its changes with django-simple-history. :func:`timeline`
turns the history rows of one or more records into entries people can read:

- who: a person (name and unit), or the system — 系统（台账导入）, 系统（演示数据）,
  系统（定时任务）. The system is recognised by a marker at the start of the row's
  ``history_change_reason`` (see :func:`marked`), written by the ledger engine's
  writes (``county/ledger/changes.py``), the demo loaders (inside
  :func:`recorded_as`) and scheduled tasks. A row with neither user nor marker is
  「系统」.
- what: 创建 (导入 for a ledger import) with the record's key fields, 修改 with
  ``field label：old → new``, 删除; choice labels instead of codes, dates as
  2026年6月30日, datetimes as 2026年6月30日 14:05 (Asia/Shanghai), booleans 是/否,
  related records and many-to-many values by name, long texts shortened.

Queries do not grow with the number of rows: one query per history source, one per
tracked many-to-many field, one per related model named anywhere in the timeline.

Use::

    history = timeline(item, SubTask.history.filter(item_id=item.pk))
    {% include "county/_history.html" %}
"""

import contextvars
import datetime
import decimal
import posixpath
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models
from simple_history.signals import pre_create_historical_record

from .concurrency import bump_versions
from .templatetags.dates import cn_datetime

# --- who: the markers kept in ``history_change_reason`` ------------------------------
IMPORT = "Excel导入"  # the ledger engine's reason (also accepted: 台账导入)
DEMO = "演示数据"
TASK = "定时任务"
SYSTEM_NAMES = {IMPORT: "系统（台账导入）", DEMO: "系统（演示数据）", TASK: "系统（定时任务）"}
ALIASES = {"台账导入": IMPORT}
SYSTEM = "系统"
REASON_MAX = 100  # simple-history's history_change_reason column

FETCH_PER_SOURCE = 300  # history rows read per source; older rows are not shown
FOLD_SECONDS = 5  # rows of one record by the same hand within this time are one change
SHORT = 40  # characters of a value shown in the line (the full value is in its tooltip)
TOOLTIP = 300
KEY_FIELDS = 8  # values listed on a 创建 entry
NAME_FIELDS = ("name", "title", "code", "description", "text")


def marked(source, detail=""):
    """The ``history_change_reason`` that marks a change as the system's.

    ``marked(DEMO, "时限由2023年移至今年")`` → ``"演示数据：时限由2023年移至今年"``.
    """
    text = f"{source}：{detail}" if detail else source
    return text[:REASON_MAX]


def source_of(reason):
    """``(marker, detail)`` of a stored reason; ``(None, reason)`` when unmarked."""
    reason = reason or ""
    for marker in (*SYSTEM_NAMES, *ALIASES):
        if reason == marker or reason.startswith(marker + "："):
            return ALIASES.get(marker, marker), reason[len(marker) + 1 :]
    return None, reason


_current = contextvars.ContextVar("county_history_source", default=None)


@contextmanager
def recorded_as(source, detail=""):
    """Mark every history row saved inside as the system's (``source``).

    Rows that already carry a marker (a ledger import inside the demo) keep it; a
    plain reason is kept after the marker. Bulk writes do not send simple-history's
    signal: pass ``reason=current_reason()`` or ``marked(...)`` to them.
    """
    token = _current.set(marked(source, detail))
    try:
        yield
    finally:
        _current.reset(token)


def current_reason(default=""):
    """The marker of the enclosing :func:`recorded_as`, else ``default``."""
    return _current.get() or default


def _mark_row(sender, history_instance, **kwargs):
    marker = _current.get()
    if marker is None:
        return
    own = history_instance.history_change_reason or ""
    if source_of(own)[0] is not None:
        return
    history_instance.history_change_reason = f"{marker}：{own}"[:REASON_MAX] if own else marker


pre_create_historical_record.connect(_mark_row, dispatch_uid="county.history.mark_row")


def bulk_update_with_history(model, objs, fields, reason, user=None, batch_size=1000):
    """``bulk_update`` that also writes each record's history row, many-to-many copy included.

    A versioned model's rows get their version raised (``county.concurrency``).
    simple-history's own ``bulk_update_with_history`` leaves the history's copy of the
    many-to-many values empty, which the timeline would show as 责任单位 emptied.
    """
    from simple_history.utils import bulk_update_with_history as update

    if not objs:
        return
    update(objs, model, fields, batch_size=batch_size, default_user=user,
           default_change_reason=reason)  # fmt: skip
    bump_versions(model, [obj.pk for obj in objs])  # a form opened before is now stale
    history_model = model.history.model
    m2m_fields = getattr(history_model, "_history_m2m_fields", [])
    if not m2m_fields:
        return
    pks = [obj.pk for obj in objs]
    newest = {}
    for history_id, pk in (
        history_model.objects.filter(id__in=pks)
        .order_by("history_date", "history_id")
        .values_list("history_id", "id")
    ):
        newest[pk] = history_id
    for m2m in m2m_fields:
        copy = getattr(history_model, m2m.name).model
        through = m2m.remote_field.through
        source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        rows = through._default_manager.filter(**{f"{source}_id__in": pks}).values_list(
            "pk", f"{source}_id", f"{target}_id"
        )
        copy._default_manager.bulk_create(
            [
                copy(
                    id=row_pk,
                    history_id=newest[owner],
                    **{f"{source}_id": owner, f"{target}_id": other},
                )
                for row_pk, owner, other in rows
            ],
            batch_size=2000,
        )


# --- how values read ------------------------------------------------------------------
def person(user):
    """A person as the history names them: 姓名（单位）, or 姓名（职务） for a leader."""
    if user is None:
        return SYSTEM
    name = user.get_full_name() or user.username
    unit = getattr(user, "unit", None) if user.unit_id else None
    leader = getattr(user, "leader", None) if getattr(user, "leader_id", None) else None
    if unit is not None:
        if unit.name in name or unit.short_name in name:
            return name
        return f"{name}（{unit.name}）"
    if leader is not None and leader.title and leader.title not in name:
        return f"{name}（{leader.title}）"
    return name


def _short(text, size=SHORT):
    text = " ".join(str(text).split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _plain(field, value, names):
    """The full text of a stored value (before shortening)."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, (list, tuple, set, frozenset)):  # many-to-many target pks
        model = field.related_model
        shown = sorted(names.get((model, pk), f"（已删除，编号{pk}）") for pk in value)
        return "、".join(shown) or "（空）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return names.get((field.related_model, value), f"（已删除，编号{value}）")
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return cn_datetime(value)
    if isinstance(value, decimal.Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(field, models.FileField):
        return posixpath.basename(str(value))
    if field.name == "workstream":
        from .registry import registry

        return registry.label(value)
    return str(value)


def _empty(value):
    return value is None or value == "" or value == [] or value == ()


@dataclass
class Change:
    """One changed field: ``label：old → new`` (``full`` is the tooltip)."""

    label: str
    old: str
    new: str
    full: str = ""


@dataclass
class Entry:
    """One line of the timeline."""

    when: datetime.datetime
    who: str
    system: bool
    action: str  # 创建 / 导入 / 修改 / 删除
    subject: str = ""  # 细分任务“…” when the timeline mixes several records
    note: str = ""  # the reason, marker removed
    via: str = ""  # 台账导入 when a person imported
    changes: list = field(default_factory=list)  # Change
    values: list = field(default_factory=list)  # (label, value) of a 创建 entry
    order: tuple = ()

    @property
    def when_text(self):
        return cn_datetime(self.when)


class Timeline(list):
    """Entries newest first; ``truncated`` when older ones were left out."""

    truncated = False


def _who(record):
    source, detail = source_of(record.history_change_reason)
    user = record.history_user if record.history_user_id else None
    note = detail
    if source in (DEMO, TASK):
        return SYSTEM_NAMES[source], True, note, ""
    if source == IMPORT:
        if user is not None:
            return person(user), False, note, "台账导入"
        return SYSTEM_NAMES[IMPORT], True, note, ""
    if record.history_user_id and user is None:
        return "（已删除的用户）", False, note, ""
    if user is not None:
        return person(user), False, note, ""
    return SYSTEM, True, note, ""


class _Source:
    """The history rows of one queryset, with what the renderer needs to read them."""

    def __init__(self, history):
        if isinstance(history, models.Model):
            history = history.history.all()
        self.model = history.model  # the historical model
        self.meta = self.model.instance_type._meta
        self.m2m = list(getattr(self.model, "_history_m2m_fields", []))
        m2m_names = {f.name for f in self.m2m}
        self.fields = [
            f
            for f in self.model.tracked_fields
            if f.editable and not f.primary_key and f.name not in m2m_names
        ]
        self.records = list(
            history.select_related("history_user__unit", "history_user__leader").order_by(
                "-history_date", "-history_id"
            )[: FETCH_PER_SOURCE + 1]
        )
        self.complete = len(self.records) <= FETCH_PER_SOURCE
        self.records = self.records[:FETCH_PER_SOURCE]
        self.m2m_values = {}  # (history_id, field name) -> frozenset of target pks
        self.name_field = next(
            (f.attname for f in self.fields if f.name in NAME_FIELDS and not f.is_relation), None
        )

    def load_m2m(self):
        ids = [r.history_id for r in self.records]
        for m2m in self.m2m:
            copy = getattr(self.model, m2m.name).model
            target = f"{m2m.m2m_reverse_field_name()}_id"
            seen = {}
            for history_id, pk in copy._default_manager.filter(history_id__in=ids).values_list(
                "history_id", target
            ):
                seen.setdefault(history_id, set()).add(pk)
            for history_id in ids:
                self.m2m_values[(history_id, m2m.name)] = frozenset(seen.get(history_id, ()))

    def related_pks(self, wanted):
        for record in self.records:
            for f in self.fields:
                value = getattr(record, f.attname)
                if f.is_relation and value is not None:
                    wanted.setdefault(f.related_model, set()).add(value)
        for (_history_id, name), pks in self.m2m_values.items():
            if pks:
                model = self.meta.get_field(name).related_model
                wanted.setdefault(model, set()).update(pks)

    def value(self, record, f):
        if f.many_to_many:
            return sorted(self.m2m_values.get((record.history_id, f.name), ()))
        return getattr(record, f.attname)

    def all_fields(self):
        return [*self.fields, *self.m2m]

    def subject(self, record):
        name = getattr(record, self.name_field, "") if self.name_field else ""
        label = _short(name, 30) if name else f"编号{record.id}"
        return f"{self.meta.verbose_name}“{label}”"


def _names(wanted):
    """``{(model, pk): name}`` with one query per related model."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    names = {}
    for model, pks in wanted.items():
        queryset = model._base_manager.filter(pk__in=pks)
        links = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and (f.many_to_one or f.one_to_one)
        ]
        if links:
            queryset = queryset.select_related(*links)
        for obj in queryset:
            names[(model, obj.pk)] = person(obj) if model is user_model else str(obj)
    return names


def _same_hand(a, b):
    return (
        a.history_user_id == b.history_user_id
        and (a.history_change_reason or "") == (b.history_change_reason or "")
        and abs((b.history_date - a.history_date).total_seconds()) <= FOLD_SECONDS
    )


def _changes(source, before, after, names):
    changes = []
    for f in source.all_fields():
        old, new = source.value(before, f), source.value(after, f)
        if old == new or (_empty(old) and _empty(new)):
            continue
        old_text, new_text = _plain(f, old, names), _plain(f, new, names)
        full = f"{f.verbose_name}：{old_text[:TOOLTIP]} → {new_text[:TOOLTIP]}"
        changes.append(Change(str(f.verbose_name), _short(old_text), _short(new_text), full))
    return changes


def _values(source, record, names):
    values = []
    for f in source.all_fields():
        value = source.value(record, f)
        if _empty(value):
            continue
        if not f.choices and not f.many_to_many and f.has_default() and value == f.get_default():
            continue  # 否, 0, 默认顺序: nothing to say
        values.append((str(f.verbose_name), _short(_plain(f, value, names))))
    return values[:KEY_FIELDS]


def _entries(source, names, with_subject):
    by_record = {}
    for record in reversed(source.records):  # oldest first
        by_record.setdefault(record.id, []).append(record)
    entries = []
    for rows in by_record.values():
        events = []
        for record in rows:
            last = events[-1] if events else None
            if (
                last is not None
                and record.history_type == "~"
                and last[0].history_type in "+~"
                and _same_hand(last[-1], record)
            ):
                last.append(record)
            else:
                events.append([record])
        for index, event in enumerate(events):
            first, newest = event[0], event[-1]
            before = events[index - 1][-1] if index else None
            who, system, note, via = _who(first)
            entry = Entry(
                when=newest.history_date,
                who=who,
                system=system,
                action="",
                note=note,
                via=via,
                subject=source.subject(newest) if with_subject else "",
                order=(newest.history_date, newest.history_id),
            )
            if first.history_type == "+":
                imported = source_of(first.history_change_reason)[0] == IMPORT
                entry.action = "导入" if imported else "创建"
                entry.via = ""
                entry.values = _values(source, newest, names)
            elif first.history_type == "-":
                entry.action = "删除"
                entry.values = _values(source, newest, names)
            else:
                if before is None and not (source.complete and index == 0):
                    continue  # its previous row is older than what was read
                entry.action = "修改"
                if before is not None:
                    entry.changes = _changes(source, before, newest, names)
                if not entry.changes and not entry.note:
                    continue  # a save that changed nothing people read
            entries.append(entry)
    return entries


def timeline(*histories, limit=30):
    """The change history of records, newest first, as :class:`Entry` objects.

    ``histories``: model instances (their whole history) or history querysets, e.g.
    ``timeline(item, SubTask.history.filter(item_id=item.pk))``. When the timeline
    covers more than one record, each entry names its record (细分任务“…”).
    """
    sources = [_Source(h) for h in histories]
    for source in sources:
        source.load_m2m()
    wanted = {}
    for source in sources:
        source.related_pks(wanted)
    names = _names(wanted)
    ids = {(s.model, r.id) for s in sources for r in s.records}
    with_subject = len(sources) > 1 or len(ids) > 1
    entries = [e for s in sources for e in _entries(s, names, with_subject)]
    entries.sort(key=lambda e: e.order, reverse=True)
    result = Timeline(entries[:limit])
    result.truncated = len(entries) > limit or not all(s.complete for s in sources)
    return result


__all__ = [
    "DEMO",
    "IMPORT",
    "SYSTEM_NAMES",
    "TASK",
    "Change",
    "Entry",
    "Timeline",
    "bulk_update_with_history",
    "current_reason",
    "marked",
    "person",
    "recorded_as",
    "source_of",
    "timeline",
]

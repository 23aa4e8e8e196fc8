"""Figures and rendered rows kept in the Django cache (Redis), never stale, by construction.

An entry remembers the *tables its computation read* and each table's *token* as it was just
before that computation began. Every statement that writes a table (``INSERT``, ``UPDATE``,
``DELETE``, ``COPY``, ``TRUNCATE``), whatever sent it (a form, the API, ``bulk_create``,
``QuerySet.update()``, a many-to-many change, the ledger engine's COPY, ``setup_county``, an
admin action, a command or a Celery task), gives that table a new token: at once, and again when
its transaction commits (so a page that read the old rows meanwhile cannot keep them under the
new token). An entry is served only while every table it read still has the token it was
computed under. No list of write paths or of models to watch is kept by hand: the database
connection itself reports reads and writes (``execute_wrapper``), so a new model, page or write
path is covered without anyone remembering to add it, and a change drops only the entries that
read the table it changed (a saved problem does not recompute the planning panel).

Three kinds of entry:
- ``cached(namespace, name, user, compute)``: a figure; it depends on what ``compute`` read.
- ``{% cached_rows %}`` (a list's rendered rows and filter form, ``rows_key``) and
  ``CachedCountPaginator`` (its row count): they depend on everything the view read since it
  began (``ReadTrackingMiddleware`` starts the record for views marked ``caches_rows``).
- ``cached(…)`` inside another entry's computation: a hit passes its tables on to the outer one.

Keys hold the day (overdue work changes at midnight) and the reader's scope: one entry for
everyone who reads all rows, one per user otherwise (or always one per user: ``personal``). A
per-user key holds the user's unit, role and leader, and such an entry also depends on the
tables of units and leaders, which decide what the user sees. ``drop_all`` (also run after
``migrate``) starts a new epoch. Tests run on Redis like production (``tests/settings.py``).
"""

import contextlib
import functools
import hashlib
import re
import threading
import uuid

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.db import transaction
from django.db.backends.signals import connection_created

from .status import today

TIMEOUT = 600  # seconds; an entry is also dropped by the next write to a table it read
PREFIX = "figures"
EPOCH = "*epoch*"  # a pseudo-table every entry depends on (drop_all)
WRITE = re.compile(
    r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)"?', re.I
)
QUOTED = re.compile(r'"(\w+)"')
_MISSING = object()
_local = threading.local()


@functools.cache
def known_tables():
    """Every table of an installed model (many-to-many and history tables included)."""
    from django.apps import apps

    return frozenset(
        model._meta.db_table for model in apps.get_models(include_auto_created=True)
    ) | {EPOCH}


@functools.cache
def scope_tables():
    """Tables that decide what a user sees: units and leaders (with their townships)."""
    from django.apps import apps

    tables = set()
    for name in ("Unit", "Leader"):
        model = apps.get_model("county", name)
        tables.add(model._meta.db_table)
        tables.update(f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many)
    return frozenset(tables)


def enabled():
    """False with Django's dummy cache (the SQLite demo): every figure is computed."""
    return not isinstance(caches["default"], DummyCache)


def _token_key(table):
    return f"{PREFIX}:t:{table}"


# --- what the connection reports -------------------------------------------------------------


def _stack():
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def _read(tables):
    for seen in _stack():
        seen.update(tables)


def renew(tables):
    """Give each of ``tables`` a new token: every entry that read one of them is dropped."""
    token = uuid.uuid4().hex
    cache.set_many({_token_key(table): token for table in tables}, None)


def observe(connection, sql):
    """Note a statement that ``connection`` ran: a write renews its table now and at commit;
    a read is recorded by every computation under way (``reading``)."""
    written = WRITE.match(sql)
    if written and enabled():
        if sql.lstrip()[:8].upper() == "TRUNCATE":
            tables = set(QUOTED.findall(sql)) & known_tables()
        else:
            tables = {written.group(1)} & known_tables()
        if tables:
            renew(tables)
            if connection.in_atomic_block:
                on_commit = functools.partial(renew, tables)
                transaction.on_commit(on_commit, using=connection.alias, robust=True)
    elif _stack():
        _read(set(QUOTED.findall(sql)) & known_tables())


def _execute(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str):
        observe(context["connection"], sql)
    return result


def install(connection, **kwargs):
    """Let ``connection`` report what it reads and writes (every connection, every process)."""
    if _execute not in connection.execute_wrappers:
        connection.execute_wrappers.append(_execute)


connection_created.connect(install, dispatch_uid="county.figures_cache.install")


@contextlib.contextmanager
def reading():
    """Record the tables read inside the block (into the yielded set)."""
    tables = set()
    stack = _stack()
    stack.append(tables)
    try:
        yield tables
    finally:  # by identity: two sets on the stack may be equal
        del stack[next(i for i in reversed(range(len(stack))) if stack[i] is tables)]


@contextlib.contextmanager
def untracked():
    """Reads inside the block count for no entry (the navigation's own numbers)."""
    saved, _local.stack = _stack(), []
    try:
        yield
    finally:
        _local.stack = saved


# --- entries ---------------------------------------------------------------------------------


def snapshot():
    """Every table's token now (missing ones created): taken before a computation reads."""
    keys = {_token_key(table): table for table in known_tables()}
    found = cache.get_many(list(keys))
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    if missing:
        cache.set_many(missing, None)
        found.update(missing)
    return {keys[key]: token for key, token in found.items()}


def lookup(key):
    """The entry's value while every table it read is unchanged, else ``_MISSING``."""
    entry = cache.get(key)
    if entry is None:
        return _MISSING
    tokens, value = entry
    current = cache.get_many([_token_key(table) for table in tokens])
    if any(current.get(_token_key(table)) != token for table, token in tokens.items()):
        return _MISSING
    _read(tokens.keys())  # an outer computation depends on what this one read
    return value


def store(key, value, tables, before):
    """Keep ``value`` under ``key`` with the tokens (taken ``before`` reading) of ``tables``."""
    tokens = {table: before[table] for table in (*tables, EPOCH) if table in before}
    cache.set(key, (tokens, value), TIMEOUT)


def _scope(user, personal):
    if user is None or not user.is_authenticated:
        return "anonymous"
    if user.reads_all and not personal:
        return "all"
    return f"user{user.pk}.{user.unit_id}.{user.role}.{user.leader_id}"


def key_for(namespace, name, user, personal=False):
    """The key of ``name`` (under ``namespace``, one string or a tuple) for ``user``'s scope
    today."""
    space = namespace if isinstance(namespace, str) else "+".join(namespace)
    return f"{PREFIX}:{space}:{name}:{today():%Y%m%d}:{_scope(user, personal)}"


def cached(namespace, name, user, compute, personal=False):
    """``compute()``, or its value kept under ``key_for(namespace, name, user, personal)``
    while no table it read has changed."""
    if not enabled():
        return compute()
    key = key_for(namespace, name, user, personal)
    value = lookup(key)
    if value is not _MISSING:
        return value
    before = _current_snapshot() or snapshot()
    with reading() as tables:
        value = compute()
    if _scope(user, personal).startswith("user"):
        tables |= scope_tables()
    store(key, value, tables, before)
    _read(tables)
    return value


def drop_all(**kwargs):
    """Drop every entry (a new epoch): after ``migrate``, or for a benchmark's cold run."""
    renew({EPOCH})


# --- a view's rows ---------------------------------------------------------------------------


def _current_snapshot():
    return getattr(_local, "snapshot", None)


def rows_key(request, *namespaces):
    """The key of a page's rendered rows (``{% cached_rows %}``): the day, the user and the
    page's full path. Only views marked ``caches_rows`` get one (their reads are recorded)."""
    if getattr(request, "_figures_reads", None) is None or not enabled():
        return ""
    digest = hashlib.sha1(request.get_full_path().encode()).hexdigest()
    return key_for(("rows", *namespaces), digest, request.user, personal=True)


def rows(request, key, render):
    """``render()``, or the rows kept under ``key``; they depend on every table the view read
    so far and ``render`` reads."""
    value = lookup(key)
    if value is not _MISSING:
        return value
    value = render()
    store(key, value, request._figures_reads | scope_tables(), request._figures_before)
    return value


def caches_rows(view):
    """Mark a function view whose page keeps rows (``rows_key``): its reads are recorded."""
    view.caches_rows = True
    return view


class ReadTrackingMiddleware:
    """Records what a ``caches_rows`` view reads, from its first query to its last rendered
    row, after the user and the session are loaded (their tables are not the page's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            tracking = getattr(request, "_figures_tracking", None)
            if tracking is not None:
                tracking.__exit__(None, None, None)
                _local.snapshot = None

    def process_view(self, request, view_func, view_args, view_kwargs):
        view = getattr(view_func, "view_class", view_func)
        if request.method != "GET" or not getattr(view, "caches_rows", False) or not enabled():
            return None
        if getattr(request, "user", None) is not None:
            request.user.is_authenticated  # noqa: B018 (load the user and session first)
        request._figures_before = _local.snapshot = snapshot()
        request._figures_tracking = reading()
        request._figures_reads = request._figures_tracking.__enter__()
        return None

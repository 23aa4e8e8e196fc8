"""Dashboard figures kept in the Django cache (Redis in production), dropped on any change.

An overview or the cockpit wraps an aggregate over a whole table in
``cached(app_label, name, user, compute)``. The value is stored under the app's
*generation*, a counter in the cache that every save, delete or many-to-many change of a
model of that app bumps (``post_save``, ``post_delete``, ``m2m_changed``: at once, and again
when the transaction commits, so a page that read the old rows meanwhile cannot keep them
under the new generation), and so do the bulk paths that send no signals (the ledger
engine's import, :func:`county.history.bulk_update_with_history`). A change of a unit or
village bumps every app (their names are in the figures). A saved report therefore shows
on the next page at once; figures nobody changes are read from the cache for ``TIMEOUT``.

Keys hold the day (overdue work changes at midnight) and the reader's scope: one entry for
everyone who reads all rows, one per user otherwise (or always one per user: ``personal``).
A figure drawn from several apps names them all and is dropped by a change in any; ``county``
itself is always watched (users, their assignments, liaison townships). With no
``CACHE_URL`` (the demo, the tests) the cache is Django's dummy cache and every page
computes its figures.
"""

import hashlib

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .status import today

TIMEOUT = 600  # seconds; an entry is also dropped by the next change
PREFIX = "figures"
SHARED_APPS = {"county": {"Unit", "Village"}}  # models whose change touches every app's figures
_watched = {"county"}


def watch(app_label):
    """Cache figures of ``app_label``: its changes bump its generation from now on."""
    _watched.add(app_label)


def _key(app_label):
    return f"{PREFIX}:gen:{app_label}"


def generation(app_label):
    return cache.get_or_set(_key(app_label), 1, None)


def bump(app_label):
    """Drop every cached figure of ``app_label`` (by moving to the next generation)."""
    key = _key(app_label)
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or evicted): any new value differs from the old
        cache.set(key, generation(app_label) + 1, None)


def _all_watched():
    """Every app that may cache figures: the workstreams and whatever called ``watch`` (so
    a process that has not drawn a page yet still drops what another process cached)."""
    from .registry import registry

    return _watched | {workstream.key for workstream in registry}


def changed(app_label, model_name=""):
    """Data of ``app_label`` changed: bump now and again when the transaction commits."""
    watched = _all_watched()
    if app_label in SHARED_APPS and model_name in SHARED_APPS[app_label]:
        labels = watched
    elif app_label in watched:
        labels = {app_label}
    else:
        return
    for label in labels:
        bump(label)
    transaction.on_commit(lambda: [bump(label) for label in labels])


def _scope(user, personal):
    if user is None or not user.is_authenticated:
        return "anonymous"
    return "all" if user.reads_all and not personal else f"user{user.pk}"


def key_for(app_label, name, user, personal=False):
    """The cache key of ``name`` for ``user``'s scope under the current generation of
    ``app_label`` (or of each label in a tuple of them) and today's date."""
    labels = (app_label,) if isinstance(app_label, str) else tuple(app_label)
    for label in labels:
        watch(label)
    found = cache.get_many([_key(label) for label in labels])  # one round trip, not one each
    generations = [f"{label}.{found.get(_key(label)) or generation(label)}" for label in labels]
    return f"{PREFIX}:{'+'.join(generations)}:{name}:{today():%Y%m%d}:{_scope(user, personal)}"


def rows_key(request, *app_labels):
    """The key of a page's rendered rows (``{% cached_rows %}``): the generations of
    ``app_labels`` and ``county``, the day, the user and the page's full path."""
    digest = hashlib.sha1(request.get_full_path().encode()).hexdigest()
    return key_for(("county", *app_labels), f"rows:{digest}", request.user, personal=True)


def cached(app_label, name, user, compute, personal=False):
    """``compute()``, or its value cached under ``key_for(app_label, name, user, personal)``."""
    key = key_for(app_label, name, user, personal)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


# Rows written all day that no cached figure or row shows: a login (``last_login``), a
# notification, a reminder, an audit line must not drop everyone's cached pages.
QUIET = {"county": {"Notification", "EventNotice", "Digest", "Reminder", "AuditEvent"}}


def _on_change(sender, update_fields=None, **kwargs):
    meta = sender._meta
    if meta.object_name in QUIET.get(meta.app_label, ()):
        return
    if meta.object_name == "User" and update_fields and set(update_fields) <= {"last_login"}:
        return
    changed(meta.app_label, meta.object_name)


post_save.connect(_on_change, dispatch_uid="county.figures_cache.save")
post_delete.connect(_on_change, dispatch_uid="county.figures_cache.delete")
m2m_changed.connect(_on_change, dispatch_uid="county.figures_cache.m2m")

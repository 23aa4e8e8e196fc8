"""The registry through which workstreams plug into the county core.

``county/`` never imports a workstream. Each workstream app calls
``registry.register(Workstream(...))`` in its ``AppConfig.ready()`` to say:
here are my deadline-bearing records, my dashboard figures, my Excel ledger.
The to-do page, reminders and the cockpit iterate the registry, so a fifth
workstream plugs in without touching ``county/``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse


@dataclass(frozen=True)
class DatedWork:
    """One kind of open, dated work a workstream owns (e.g. reform sub-tasks)."""

    key: str  # "reforms.subtask"
    label: str  # "改革细分任务"
    model: Any  # a UnitOwnedModel subclass
    deadline_field: str
    title_field: str
    open_filter: Q
    url_name: str  # reversed with the record's pk
    leader_path: str | None = None  # lookup from the record to its lead Leader

    def open_items(self):
        """Open records that have a deadline (long-term work has none)."""
        return self.model._default_manager.filter(self.open_filter).filter(
            **{f"{self.deadline_field}__isnull": False}
        )

    def for_unit(self, unit_id):
        return self.open_items().owned_by(unit_id)

    def for_leader(self, leader_id):
        if not self.leader_path:
            return self.open_items().none()
        return self.open_items().filter(**{self.leader_path: leader_id})

    def url(self, pk):
        return reverse(self.url_name, args=[pk])


@dataclass(frozen=True)
class Figure:
    """One number on a dashboard, with the list it links to."""

    label: str
    value: Any
    url: str = ""
    tone: str = "secondary"  # a Bootstrap colour: danger, warning, success …


@dataclass
class Workstream:
    """What a workstream app tells the core about itself."""

    key: str  # "reforms"
    label: str  # "全面深化改革"
    url_name: str  # its landing page, for the navigation
    icon: str = "bi-folder"
    order: int = 100
    dated_work: list[DatedWork] = field(default_factory=list)
    figures: Callable[[Any], list[Figure]] | None = None  # figures(user) for the cockpit
    ledger: Any = None  # a county.ledger spec, for import_ledger / export_ledger
    load_demo: Callable[[Any], None] | None = None  # load_demo(stdout): the demo county's records
    urls: str = ""  # its URLconf module, mounted at /<key>/
    api_urls: str = ""  # its API URLconf module, mounted at /api/<key>/


class Registry:
    """The workstreams known to this process, in navigation order."""

    def __init__(self):
        self._items = {}

    def register(self, workstream):
        self._items[workstream.key] = workstream
        return workstream

    def __iter__(self):
        return iter(sorted(self._items.values(), key=lambda w: (w.order, w.key)))

    def __len__(self):
        return len(self._items)

    def get(self, key):
        return self._items.get(key)

    def label(self, key):
        workstream = self._items.get(key)
        return workstream.label if workstream else key

    def dated_work(self):
        return [(w, dw) for w in self for dw in w.dated_work]


registry = Registry()

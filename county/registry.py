"""The registry through which workstreams plug into the county core.

``county/`` never imports a workstream. Each workstream app calls
``registry.register(Workstream(...))`` in its ``AppConfig.ready()`` to say:
here are my deadline-bearing records, what waits for my supervisors' decisions,
my dashboard figures, my Excel ledger. The to-do page, the inbox (待我审核),
reminders and the cockpit iterate the registry, so a fifth workstream plugs in
without touching ``county/``.
"""

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import get_script_prefix, get_urlconf, reverse

from .scoping import restrict
from .status import StatusRules

_PK_MARK = 2147480001  # a pk no record has: replaced by ``{}`` in the reversed URL


@functools.lru_cache(maxsize=256)
def _url_pattern(url_name, prefix, urlconf):
    return reverse(url_name, args=[_PK_MARK], urlconf=urlconf).replace(str(_PK_MARK), "{}")


def record_url(url_name, pk):
    """``reverse(url_name, args=[pk])``, reversed once per URL name rather than once per row
    (a list of hundreds of records spent more on ``reverse`` than on its query)."""
    return _url_pattern(url_name, get_script_prefix(), get_urlconf()).format(pk)


@dataclass(frozen=True)
class DatedWork:
    """One kind of open, dated work a workstream owns (e.g. reform sub-tasks).

    ``status`` declares its state inputs once (``county.status.StatusRules``: the deadline
    field, closed and waiting statuses …); 我的待办, the leader page, the reminders and the
    cockpit read every light and every 逾期 from it. Without one, ``deadline_field`` and
    ``open_filter`` say it (every open record is the unit's work).
    """

    key: str  # "reforms.subtask"
    label: str  # "改革细分任务"
    model: Any  # a UnitOwnedModel subclass
    title_field: str
    url_name: str  # reversed with the record's pk
    status: StatusRules | None = None
    deadline_field: str = ""  # default: status.deadline
    open_filter: Q | None = None  # the unit's open work; default: status.work_q()
    leader_path: str | None = None  # lookup from the record to its lead Leader
    # 我的待办 names each row's parent: ``describe(record)`` → "改革任务：12. …" or
    # "城关镇白鹤村 · 3.2 亩". It reads only what ``select_related`` fetches with the
    # rows, so the page stays at one query per kind of work.
    describe: Callable[[Any], str] | None = None
    select_related: tuple = ()
    # The list page of these records (a ``county.filtersets.DatedWorkFilterSet`` list, whose
    # API twin takes the same query): ``list_url`` opens exactly the rows 我的待办 and the
    # leader page count, and ``list_overdue`` is the list's query for the 逾期 ones.
    list_url_name: str = ""  # "reforms:tasks"
    list_overdue: str = "light=overdue"

    def __post_init__(self):
        status = self.status or StatusRules(deadline=self.deadline_field, status="")
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "deadline_field", self.deadline_field or status.deadline)
        if self.open_filter is None:
            object.__setattr__(self, "open_filter", status.work_q())

    def open_q(self):
        """Of all records: the open ones that have a deadline (long-term work has none)."""
        return self.open_filter & self.status.dated_q()

    def open_items(self):
        """Open records that have a deadline (long-term work has none)."""
        return self.model._default_manager.filter(self.open_q())

    def light(self, record, on=None):
        """The light of one of ``open_items``."""
        return self.status.light_of(record, on)

    def overdue_q(self, on=None):
        """Of ``open_items``: the 逾期 ones."""
        return self.status.overdue_q(on)

    def due_by_q(self, on=None):
        """Of ``open_items``: the 逾期 and 临期 ones (what the reminders look at)."""
        return self.status.due_by_q(on)

    def for_unit(self, unit_id):
        """Open records of ``unit_id`` (or of any unit of a list: one query whatever its size)."""
        return self.open_items().owned_by(unit_id)

    def for_leader(self, leader_id):
        if not self.leader_path:
            return self.open_items().none()
        return self.open_items().filter(**{self.leader_path: leader_id})

    def leader_sources(self, leader_id, township_ids, rows=None):
        """A leader's own work of this kind, as ``[(why, rows)]``: what he leads ("牵头"),
        and what his liaison townships (``township_ids``) own (``why`` None). Work he "leads"
        through his liaison townships is read once, through the townships. ``rows`` is what
        to pick from (default ``open_items``): the leader page, his 我的待办 and the lists'
        ``?leader=`` all ask this."""
        rows = self.open_items() if rows is None else rows
        liaison = "liaison" in (self.leader_path or "")
        sources = []
        if self.leader_path and not (liaison and township_ids):
            sources.append(
                ("联系乡镇" if liaison else "牵头", rows.filter(**{self.leader_path: leader_id}))
            )
        if township_ids:
            sources.append((None, rows.owned_by(township_ids)))
        return sources or [("牵头", rows.none())]

    def of_leader(self, leader_id, township_ids, rows=None):
        """Every row of ``leader_sources`` once, as one queryset."""
        sources = [qs for _why, qs in self.leader_sources(leader_id, township_ids, rows)]
        return functools.reduce(operator.or_, sources)

    def list_url(self, unit_id=None, leader_id=None, overdue=False):
        """The list of exactly the rows ``for_unit(unit_id)`` (or the leader's ``of_leader``)
        holds, or of its 逾期 ones; "" when the kind declares no list."""
        if not self.list_url_name:
            return ""
        query = ["todo=1", f"owner={unit_id}" if unit_id else f"leader={leader_id}"]
        if overdue:
            query.append(self.list_overdue)
        return f"{reverse(self.list_url_name)}?{'&'.join(query)}"

    def url(self, pk):
        return record_url(self.url_name, pk)

    def parent(self, record):
        """The row's parent as 我的待办 shows it ("" when the kind declares none)."""
        return self.describe(record) if self.describe else ""


@dataclass(frozen=True)
class Decision:
    """One kind of request that waits for a supervisor's decision (e.g. 申请完成销号).

    The workstream's supervisors decide it, never the person who asked; the leaders who
    lead the work read it. ``county/`` builds the one inbox (待我审核) from these, and the
    unit's 我的待办 shows what was sent back to it (``sent_back``).

    Paths are ORM lookups from a row of ``model`` (the request); ``queryset`` may add
    annotations (a path can then name one). The callables get the row as the inbox fetched
    it (with ``related`` and ``prefetch`` loaded, so the inbox's query count is constant):
    ``describe(row)`` returns what the inbox shows, ``accept(row, user, note)`` and
    ``send_back(row, user, reason)`` run the workstream's rule (which locks and re-checks
    the state, and raises ``ValidationError`` with a Chinese message) and return the
    message for the person who decided.
    """

    key: str  # "reforms.completion"
    label: str  # "申请完成销号"
    model: Any  # the request's model (a UnitOwnedModel: its unit_paths scope the rows)
    waiting: Q  # the rows that wait for a decision
    asked_by: str  # path to the asking User ("requested_by")
    asked_at: str  # path to when it was asked ("requested_at"), oldest first
    describe: Callable[[Any], dict]  # row → {"title", "parent", "unit", "asker", "detail", …}
    url: Callable[[Any], str]  # row → the page of the thing decided on
    accept: Callable[[Any, Any, str], str]
    send_back: Callable[[Any, Any, str], str]
    leader_path: str | None = None  # path to the lead Leader, who reads it
    related: tuple = ()  # select_related for describe/url
    prefetch: tuple = ()  # prefetch_related for describe/url
    queryset: Callable[[], Any] | None = None  # base rows (annotations), default all
    # Row-lock the record the request is about before the request row itself, so every
    # path takes the locks in one order (record, then request) and none can deadlock.
    lock_parent: Callable[[Any], Any] | None = None
    accept_label: str = "同意"
    send_back_label: str = "退回"
    note_label: str = "审核意见"  # the optional note with an acceptance
    # The unit's "退回给你的": rows sent back and not yet asked again, and what they show.
    sent_back: Q | None = None
    sent_back_unit: str = ""  # path from a sent-back row to its units (default unit_paths)
    sent_back_at: str = ""  # path to when it was sent back, newest first (default -pk)
    sent_back_related: tuple = ()
    sent_back_prefetch: tuple = ()
    # row → {"title", "parent", "reason", "by", "at"} for 我的待办
    describe_sent_back: Callable[[Any], dict] | None = None

    def rows(self):
        base = self.queryset() if self.queryset else self.model._default_manager.all()
        return base.filter(self.waiting)

    def decidable_by(self, user, workstream):
        """Rows ``user`` may decide: a supervisor of the workstream, never his own request,
        never his own unit's work (``county.scoping.restrict(…, "decide")``)."""
        return restrict(self.rows(), user, "decide").filter(
            Q(**{f"{self.asked_by}__isnull": True}) | ~Q(**{self.asked_by: user.pk})
        )

    def led_by(self, leader_id):
        if not self.leader_path or not leader_id:
            return self.rows().none()
        return self.rows().filter(**{self.leader_path: leader_id})

    def sent_back_for(self, unit_id):
        """Rows sent back to ``unit_id`` that it has not asked again about."""
        if self.sent_back is None or not unit_id:
            return self.model._default_manager.none()
        rows = self.model._default_manager.filter(self.sent_back)
        if self.sent_back_unit:
            return rows.filter(
                pk__in=self.model._default_manager.filter(**{self.sent_back_unit: unit_id}).values(
                    "pk"
                )
            )
        return rows.owned_by(unit_id)


@dataclass(frozen=True)
class Threshold:
    """When a figure is good, middling or bad: its card's colour and the rule in its tooltip.

    ``good_when="high"`` (a rate): below ``red`` danger, below ``amber`` warning, else success.
    ``good_when="low"`` (a count of late things): above ``red`` danger, above ``amber`` warning,
    else success. ``Threshold(80, 60)`` is 整改率 below 80% amber, below 60% red.
    """

    amber: float
    red: float
    good_when: str = "high"
    unit: str = "%"

    def tone(self, number):
        if number is None:
            return "secondary"
        if self.good_when == "low":  # compare the negatives: fewer is better
            number, amber, red = -number, -self.amber, -self.red
        else:
            amber, red = self.amber, self.red
        return "danger" if number < red else "warning" if number < amber else "success"

    def rule(self, label):
        a, r, u = f"{self.amber:g}", f"{self.red:g}", self.unit
        if self.good_when == "high":
            return f"{label}达到{a}{u}为绿色，低于{a}{u}为黄色，低于{r}{u}为红色"
        if self.amber == self.red:
            return f"{label}为{a}{u}时绿色，多于{a}{u}为红色"
        return f"{label}不多于{a}{u}为绿色，多于{a}{u}为黄色，多于{r}{u}为红色"


RATE_THRESHOLD = Threshold(80, 60)  # 整改率, 编制完成率 …: below 80% amber, below 60% red
NONE_LATE = Threshold(0, 0, good_when="low", unit="")  # 逾期 counts: any is red, none is green


def _number(value):
    """The number in a figure's value ("59.1%", "1,234.5", 7); None for "—"."""
    try:
        return float(str(value).replace(",", "").rstrip("%亩个 "))
    except ValueError:
        return None


@dataclass(frozen=True)
class Figure:
    """One number on a dashboard, with the list it links to.

    With a ``threshold`` the colour is the figure's judgement (``Threshold.tone`` of its value)
    and ``rule`` states it; without one, ``tone`` is fixed.
    """

    label: str
    value: Any
    url: str = ""
    tone: str = "secondary"  # a Bootstrap colour: danger, warning, success …
    threshold: Threshold | None = None

    def __post_init__(self):
        if self.threshold is not None:
            object.__setattr__(self, "tone", self.threshold.tone(_number(self.value)))

    @property
    def rule(self):
        """The colour rule in words (the card's tooltip); "" for a fixed colour."""
        return self.threshold.rule(self.label) if self.threshold else ""


@dataclass(frozen=True)
class Chart:
    """One chart of a cockpit panel, drawn by ECharts (static/js/cockpit.js).

    ``kind``: "bar" (grouped), "stack" (stacked bars), "hbar" (horizontal bars) or "pie".
    ``series`` is a list of ``{"name", "data", "links", "color"}``, and where a value is not
    a number of rows (亩) ``"counts"`` too: ``links[i]`` is the filtered list behind
    ``data[i]``, whose row count equals ``data[i]`` (or ``counts[i]``). A pie has one series
    whose ``categories`` name the slices.
    """

    kind: str
    title: str
    categories: list
    series: list
    note: str = ""  # a line under the chart (the dates it is measured against)
    unit: str = ""  # "亩", "个" … for the tooltip
    empty: str = ""  # why it may be empty and what to do (static/js/charts.js); a default else


@dataclass(frozen=True)
class Panel:
    """One block of the 领导驾驶舱: a few figures and charts (``Workstream.cockpit``)."""

    title: str
    figures: list = field(default_factory=list)  # list[Figure]
    charts: list = field(default_factory=list)  # list[Chart]
    table: dict | None = None  # {"columns": [...], "rows": [[(text, url), ...]]}, optional
    note: str = ""


@dataclass(frozen=True)
class MapLayer:
    """One layer of the 领导驾驶舱's map: a workstream's map data endpoint and its page."""

    title: str  # "环境问题"
    data_url_name: str  # "environment:problem_map_data" (county/maps.py map_payload)
    page_url_name: str  # "environment:problem_map"


@dataclass
class Workstream:
    """What a workstream app tells the core about itself."""

    key: str  # "reforms"
    label: str  # "全面深化改革"
    url_name: str  # its landing page, for the navigation
    icon: str = "bi-folder"
    order: int = 100
    dated_work: list[DatedWork] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)  # what waits for its supervisors
    figures: Callable[[Any], list[Figure]] | None = None  # figures(user) for the cockpit
    # cockpit(user, period) → list[Panel] for the 领导驾驶舱; ``period`` is a county.cockpit.Period
    cockpit: Callable[[Any, Any], list] | None = None
    # instructions(record_keys) → 批示 on the leader's work: {key: [{"text", "by", "on"}]} where
    # key is (dated_work.key, pk) as the leader view collects them
    instructions: Callable[[Any], dict] | None = None
    ledger: Any = None  # a county.ledger spec, for import_ledger / export_ledger
    load_demo: Callable[[Any], None] | None = None  # load_demo(stdout): the demo county's records
    # seed_scale(county): its records for a county N times the demo (county.scale.ScaleCounty)
    seed_scale: Callable[[Any], None] | None = None
    # scale_pages() → [(label, path, username)]: its overview and lists, timed by bench/pages.py
    # and held to equal query counts at two sizes (tests/county/test_scale.py)
    scale_pages: Callable[[], list] | None = None
    # unit_measures(date_from, date_to, on) → {unit_id: {"due", "on_time", "overdue",
    # "overdue_days", "found", "closed", "recurrences", "sent_back"}}: the raw measures of
    # the unit rankings (考核, county/ranking.py); keys a workstream lacks are left out.
    unit_measures: Callable[[Any, Any, Any], dict] | None = None
    # unit_measure_links(date_from, date_to, on, unit_id) → {measure: url}: the list of
    # exactly the rows a measure of ``unit_measures`` counts for the unit, for the measures
    # a list can select (no database query: it only writes the links).
    unit_measure_links: Callable[[Any, Any, Any, Any], dict] | None = None
    # weekly(date_from, date_to) → [county.briefing.WeekFigure]: the 周报's figures.
    weekly: Callable[[Any, Any], list] | None = None
    maps: list = field(default_factory=list)  # list[MapLayer]: the cockpit's map layers
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

    def dated(self, key):
        """The registered ``DatedWork`` named ``key`` ("reforms.subtask")."""
        return next(dw for _w, dw in self.dated_work() if dw.key == key)

    def label(self, key):
        workstream = self._items.get(key)
        return workstream.label if workstream else key

    def dated_work(self):
        return [(w, dw) for w in self for dw in w.dated_work]

    def decisions(self):
        return [(w, d) for w in self for d in w.decisions]


registry = Registry()

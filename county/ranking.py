"""Unit rankings for the annual assessment (考核): measures per unit, the score, the ranks.

Each workstream gives its raw measures per unit through ``Workstream.unit_measures(date_from,
date_to, on)`` (``county/`` never imports a workstream); this module adds them up per unit,
applies the :class:`county.models.ScoreFormula` in force and ranks departments and townships
separately. The measures of a period (``on`` = today):

- 应完成 ``due``: dated work whose deadline falls in the period and has passed (before ``on``);
- 按期完成 ``on_time``: of those, the work done by its deadline;
- 逾期 ``overdue`` and 逾期天数 ``overdue_days``: of those, the work still open, and the sum
  of its days late up to ``on``;
- 发现问题 ``found`` and 已整改 ``closed``: the problems found in the period (environment),
  and how many of them are closed — 整改率 = closed ÷ found, as the 通报 counts it;
- 顽固问题 ``recurrences``: problems found in the period that are 顽固问题 or came back;
- 被退回 ``sent_back``: the unit's requests sent back (退回) in the period.

Score = 按期完成率 × 权重 + 整改率 × 权重 − 逾期扣分 × 项数 − 逾期天数扣分 × 天数
− 顽固问题扣分 × 个数 − 退回扣分 × 次数. A rate with nothing to measure counts in full (no
work due, nothing lost). Units with nothing to measure in the period are listed unranked.
docs/ranking.md says who sets the formula.
"""

import calendar
import datetime
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DurationField, ExpressionWrapper, F, Value
from django.db.models.fields import DateField

from . import figures_cache
from .choices import UnitKind
from .models import ScoreFormula, Unit
from .registry import registry
from .scoping import may
from .status import today
from .templatetags.dates import cn_date, cn_month

MEASURES = ("due", "on_time", "overdue", "overdue_days", "found", "closed", "recurrences",
            "sent_back")  # fmt: skip
# Weights of a county that has not set its own formula (shown as 默认公式 on the page).
DEFAULT_WEIGHTS = {
    "on_time_weight": Decimal("60"),
    "rectification_weight": Decimal("40"),
    "overdue_penalty": Decimal("1"),
    "overdue_day_penalty": Decimal("0.1"),
    "recurrence_penalty": Decimal("2"),
    "sent_back_penalty": Decimal("1"),
}
WEIGHT_FIELDS = tuple(DEFAULT_WEIGHTS)
CENT = Decimal("0.01")


# --- helpers for the workstreams' hooks ----------------------------------------------------


def days_late(on, deadline_field):
    """An expression: days from ``deadline_field`` to ``on`` (a Sum of it is the days late)."""
    return ExpressionWrapper(
        Value(on, output_field=DateField()) - F(deadline_field), output_field=DurationField()
    )


def by_unit(queryset, unit_path, **aggregates):
    """``{unit_id: {name: value}}`` of ``aggregates`` grouped by ``unit_path``: one query."""
    rows = queryset.order_by().values(unit_path).annotate(**aggregates)
    result = {}
    for row in rows:
        unit_id = row.pop(unit_path)
        if unit_id is not None:
            result[unit_id] = {k: _plain(v) for k, v in row.items()}
    return result


def _plain(value):
    if isinstance(value, datetime.timedelta):
        return value.days
    return value or 0


def add_into(total, measures):
    """Add ``{unit_id: {name: n}}`` into ``total`` (in place), and return it."""
    for unit_id, values in measures.items():
        mine = total.setdefault(unit_id, {})
        for name, value in values.items():
            mine[name] = mine.get(name, 0) + (value or 0)
    return total


def last_due_day(date_to, on):
    """The last deadline that has passed on ``on`` within a period ending ``date_to``."""
    return min(date_to, on - datetime.timedelta(days=1))


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A year (2026), a quarter (2026-Q4) or a month (2026-11)."""

    key: str
    label: str
    start: datetime.date
    end: datetime.date


def year_period(year):
    return Period(str(year), f"{year}年", datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def quarter_period(year, quarter):
    first = 3 * quarter - 2
    end = datetime.date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    return Period(f"{year}-Q{quarter}", f"{year}年第{quarter}季度",
                  datetime.date(year, first, 1), end)  # fmt: skip


def month_period(year, month):
    last = calendar.monthrange(year, month)[1]
    return Period(f"{year}-{month:02d}", cn_month(year, month), datetime.date(year, month, 1),
                  datetime.date(year, month, last))  # fmt: skip


def parse_period(text, on=None):
    """The period named by ``text`` (``?period=``); this year when missing or not a period."""
    on = on or today()
    text = (text or "").strip()
    try:
        if len(text) == 4:
            year = int(text)
            if 2000 <= year <= 2100:
                return year_period(year)
        elif len(text) == 7 and text[4:6] == "-Q":
            year, quarter = int(text[:4]), int(text[6])
            if 2000 <= year <= 2100 and 1 <= quarter <= 4:
                return quarter_period(year, quarter)
        elif len(text) == 7 and text[4] == "-":
            year, month = int(text[:4]), int(text[5:])
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return month_period(year, month)
    except ValueError:
        pass
    return year_period(on.year)


def period_choices(on=None):
    """The selector's options: this year and the two before, each with quarters and months."""
    on = on or today()
    groups = []
    for year in (on.year, on.year - 1, on.year - 2):
        options = [year_period(year)]
        options += [quarter_period(year, q) for q in range(1, 5)]
        options += [month_period(year, m) for m in range(1, 13)]
        groups.append((f"{year}年", [p for p in options if p.start <= on]))
    return groups


# --- the formula ---------------------------------------------------------------------------


def current_formula():
    """The formula in force: the newest row, or the default weights (unsaved)."""
    return ScoreFormula.objects.select_related("set_by").first() or ScoreFormula(**DEFAULT_WEIGHTS)


def may_set_formula(user):
    """The assessment office's supervisors set the formula, and the county admin: the unit
    whose 督查板块 in the 县情 data names 考核 (``county.scoping``'s ``set_formula``)."""
    return may(user, "set_formula")


def may_read_all(user):
    """Leaders, supervisors and the admin read every unit's line; staff their own unit's."""
    return may(user, "read_all")


def formula_text(formula):
    """The formula as the ranking page prints it."""

    def n(value):
        return format(Decimal(value).normalize(), "f")

    return (
        f"得分 = 按期完成率 × {n(formula.on_time_weight)} + 整改率 × "
        f"{n(formula.rectification_weight)} − 逾期项数 × {n(formula.overdue_penalty)} − "
        f"逾期天数 × {n(formula.overdue_day_penalty)} − 顽固问题数 × "
        f"{n(formula.recurrence_penalty)} − 被退回次数 × {n(formula.sent_back_penalty)}"
    )


# --- the ranking ---------------------------------------------------------------------------


@dataclass
class UnitRow:
    """One unit's line of the ranking."""

    unit: Unit
    due: int = 0
    on_time: int = 0
    overdue: int = 0
    overdue_days: int = 0
    found: int = 0
    closed: int = 0
    recurrences: int = 0
    sent_back: int = 0
    score: Decimal | None = None
    rank: int | None = None
    links: dict = field(default_factory=dict)  # measure → the list of exactly its rows

    @property
    def measured(self):
        return any((self.due, self.found, self.overdue, self.recurrences, self.sent_back))

    @property
    def on_time_rate(self):
        """按期完成率 in per cent (one decimal), None when nothing was due."""
        return _percent(self.on_time, self.due)

    @property
    def rectification_rate(self):
        return _percent(self.closed, self.found)


def _percent(part, whole):
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def score_of(row, formula):
    """The row's score under ``formula``, to two decimals."""
    on_time = Decimal(row.on_time) / row.due if row.due else Decimal(1)
    rectified = Decimal(row.closed) / row.found if row.found else Decimal(1)
    score = (
        on_time * formula.on_time_weight
        + rectified * formula.rectification_weight
        - row.overdue * formula.overdue_penalty
        - row.overdue_days * formula.overdue_day_penalty
        - row.recurrences * formula.recurrence_penalty
        - row.sent_back * formula.sent_back_penalty
    )
    return score.quantize(CENT, ROUND_HALF_UP)


def collect(date_from, date_to, on, sources=None):
    """Every workstream's measures, added up per unit: ``{unit_id: {measure: n}}``.

    ``sources`` (a dict), when given, is filled with ``{unit_id: {measure: [workstream]}}``:
    the workstreams whose count of the measure is not 0."""
    total = {}
    for workstream in registry:
        if workstream.unit_measures:
            # Kept (Redis, when CACHE_URL is set) until the workstream's data changes.
            name = f"unit_measures:{date_from:%Y%m%d}:{date_to:%Y%m%d}:{on:%Y%m%d}"
            measures = figures_cache.cached(
                workstream.key,
                name,
                None,
                lambda w=workstream: w.unit_measures(date_from, date_to, on),
            )
            add_into(total, measures)
            if sources is not None:
                for unit_id, values in measures.items():
                    mine = sources.setdefault(unit_id, {})
                    for name, value in values.items():
                        if value:
                            mine.setdefault(name, []).append(workstream)
    return total


def links_of(sources, period, on, unit_id):
    """``{measure: url}``: where one workstream makes a unit's measure, the list of exactly
    its rows that the workstream declares (``Workstream.unit_measure_links``); a sum over
    several workstreams has no one list and stays unlinked."""
    links, declared = {}, {}
    for name, workstreams in sources.get(unit_id, {}).items():
        if len(workstreams) != 1 or not workstreams[0].unit_measure_links:
            continue
        workstream = workstreams[0]
        if workstream.key not in declared:
            declared[workstream.key] = workstream.unit_measure_links(
                period.start, period.end, on, unit_id
            )
        if declared[workstream.key].get(name):
            links[name] = declared[workstream.key][name]
    return links


@dataclass
class Ranking:
    """The ranking of a period: departments and townships, each ranked on its own."""

    period: Period
    on: datetime.date
    formula: ScoreFormula
    departments: list = field(default_factory=list)
    townships: list = field(default_factory=list)

    @property
    def groups(self):
        return [("县级部门", self.departments), ("乡镇（街道）", self.townships)]

    def only(self, unit_id):
        """The ranking as a unit's staff see it: their own unit's line only."""
        return Ranking(
            self.period,
            self.on,
            self.formula,
            [r for r in self.departments if r.unit.pk == unit_id],
            [r for r in self.townships if r.unit.pk == unit_id],
        )


def rank(rows):
    """Rank measured rows by score (high first), then fewer overdue days; ties share a rank.
    Unmeasured rows come last, unranked."""

    def key(row):
        return (-row.score, row.overdue_days)

    ranked = sorted((r for r in rows if r.measured), key=key)
    previous, current = None, 0
    for position, row in enumerate(ranked, start=1):
        if key(row) != previous:
            current, previous = position, key(row)
        row.rank = current
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit.order, r.unit.name))
    return rows


def ranking(period, formula=None, on=None):
    """The ranking of ``period`` under ``formula`` (the one in force by default)."""
    on = on or today()
    formula = formula or current_formula()
    sources = {}
    measures = collect(period.start, period.end, on, sources)
    result = Ranking(period, on, formula)
    for unit in Unit.objects.filter(is_active=True).order_by("order", "name"):
        row = UnitRow(unit, **{k: measures.get(unit.pk, {}).get(k, 0) for k in MEASURES})
        row.links = links_of(sources, period, on, unit.pk)
        row.score = score_of(row, formula)
        target = result.townships if unit.kind == UnitKind.TOWNSHIP else result.departments
        target.append(row)
    rank(result.departments)
    rank(result.townships)
    return result


# --- Excel ---------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    ("rank", "排名", 6),
    ("unit", "单位", 24),
    ("due", "应完成", 8),
    ("on_time", "按期完成", 9),
    ("on_time_rate", "按期完成率（%）", 11),
    ("overdue", "逾期项数", 9),
    ("overdue_days", "逾期天数", 9),
    ("found", "发现问题", 9),
    ("closed", "已整改", 8),
    ("rectification_rate", "整改率（%）", 10),
    ("recurrences", "顽固问题", 9),
    ("sent_back", "被退回", 8),
    ("score", "得分", 9),
)


def export_values(row):
    """A row's cells as the Excel export (and the test) read them."""
    values = {name: getattr(row, name) for name, _, _ in EXPORT_COLUMNS if name != "unit"}
    values["unit"] = row.unit.name
    values["rank"] = row.rank if row.rank is not None else "—"
    for name in ("on_time_rate", "rectification_rate"):
        values[name] = "—" if values[name] is None else float(values[name])
    values["score"] = float(row.score) if row.rank is not None else "—"
    return values


def export_xlsx(result):
    """The ranking as a formatted workbook (the ledger engine's writer): one sheet per kind."""
    from .ledger.columns import Column
    from .ledger.spec import ExportSheet
    from .ledger.writer import write_ledger

    columns = [Column(name, header, width=width) for name, header, width in EXPORT_COLUMNS]
    title = f"{result.period.label}单位考核排名"
    sheets = [
        ExportSheet(name, f"{title}（{name}）", [export_values(row) for row in rows])
        for name, rows in result.groups
    ]
    subtitle = f"统计截至{cn_date(result.on)}；{formula_text(result.formula)}"
    buffer = io.BytesIO()
    write_ledger(columns, sheets, subtitle=subtitle, target=buffer)
    return buffer.getvalue()

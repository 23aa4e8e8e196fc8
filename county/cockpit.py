"""领导驾驶舱 and the leader's own view, gathered from the registry.

The cockpit asks each registered workstream for its panels (``Workstream.cockpit(user,
period)`` → ``[Panel]``, figures and charts whose every number links to the filtered list
with exactly that many rows); a workstream without the hook shows its ``figures``. The
leader view lists the open dated work a leader leads or whose township he liaises with
(联系乡镇), late first, with the 批示 on it (``Workstream.instructions``) and the requests
waiting on it (``Decision.led_by``). ``county/`` imports no workstream.
"""

import datetime
import functools
from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse

from . import figures_cache
from .registry import Panel, registry
from .status import LIGHT_TONES, light_order, today

LEADER_LIMIT_PER_KIND = 50  # rows listed per kind (earliest deadline first); counts are exact
REQUESTS_SHOWN = 10  # waiting requests listed per kind beside them (the rest in 待审核)


@dataclass(frozen=True)
class Period:
    """本周 / 本月 / 本年: from ``start`` to ``end`` (today), both included."""

    key: str
    label: str
    start: datetime.date
    end: datetime.date

    def query(self, start_name, end_name):
        """``from=…&to=…`` for a list's date filters."""
        return f"{start_name}={self.start.isoformat()}&{end_name}={self.end.isoformat()}"


PERIODS = {"week": "本周", "month": "本月", "year": "本年"}
DEFAULT_PERIOD = "year"


def period_for(key, on=None):
    """The period named ``key`` (week, month, year; anything else: the default) up to today."""
    on = on or today()
    key = key if key in PERIODS else DEFAULT_PERIOD
    if key == "week":
        start = on - datetime.timedelta(days=on.weekday())
    elif key == "month":
        start = on.replace(day=1)
    else:
        start = on.replace(month=1, day=1)
    return Period(key, PERIODS[key], start, on)


def panels(user, period):
    """Every workstream's cockpit panels, in registry order: ``[(workstream, [Panel])]``,
    each kept in the figures cache until a record of its workstream (or of ``county``)
    changes (a panel reads its own workstream only, through what ``user`` may see)."""
    result = []
    for workstream in registry:
        if workstream.cockpit:
            draw = functools.partial(workstream.cockpit, user, period)
        elif workstream.figures:
            draw = functools.partial(_figures_panel, workstream, user)
        else:
            continue
        name = f"cockpit_panels:{period.key}"
        result.append((workstream, figures_cache.cached(workstream.key, name, user, draw)))
    return result


def _figures_panel(workstream, user):
    return [Panel(workstream.label, workstream.figures(user))]


def map_layers():
    """The map layers the workstreams offer (``Workstream.maps``), for the cockpit's map."""
    return [
        {
            "title": layer.title,
            "url": reverse(layer.data_url_name),
            "page": reverse(layer.page_url_name),
        }
        for workstream in registry
        for layer in workstream.maps
    ]


def layout(workstream_panels):
    """Flatten to ``[{"workstream", "panel", "index", "width"}]`` on a 12-column grid: a
    panel with three charts or more takes half the width, others a quarter; a panel with a
    table the whole width; the last panel of a row widens to fill it (one laptop screen)."""
    cells, row = [], 0
    for workstream, panel_list in workstream_panels:
        for index, panel in enumerate(panel_list):
            width = 12 if panel.table else 6 if len(panel.charts) >= 3 else 3
            if row + width > 12:
                cells[-1]["width"] += 12 - row
                row = 0
            cells.append({"workstream": workstream, "panel": panel, "index": index, "width": width})
            row = (row + width) % 12
    if cells and row:
        cells[-1]["width"] += 12 - row
    return cells


def chart_payload(workstream_panels):
    """The charts as JSON for static/js/cockpit.js, keyed by the element id they draw in."""
    charts = {}
    for workstream, panel_list in workstream_panels:
        for p, panel in enumerate(panel_list):
            for c, chart in enumerate(panel.charts):
                charts[f"chart-{workstream.key}-{p}-{c}"] = {
                    "kind": chart.kind,
                    "title": chart.title,
                    "categories": [str(x) for x in chart.categories],
                    "series": chart.series,
                    "unit": chart.unit,
                    "empty": chart.empty,
                }
    return charts


# --- the leader's own view ------------------------------------------------------------------


def leader_work(leader, on=None):
    """The open dated work ``leader`` leads or liaises with, across the workstreams.

    Returns ``(rows, townships)``; each row is ``{"kind", "label", "icon", "title", "parent",
    "url", "deadline", "light", "tone", "why", "instructions"}``, late first, then by
    deadline. A few queries per kind of work (what he leads; what his liaison townships own,
    and which township that is), one per workstream for the 批示, whatever the number of
    records or of liaison townships.
    """
    on = on or today()
    townships = list(leader.liaison_townships.order_by("order", "name"))
    township_ids = [t.pk for t in townships]
    rows = []
    for workstream, dated in registry.dated_work():
        seen = {}
        for why, qs in dated.leader_sources(leader.pk, township_ids):
            if dated.select_related:
                qs = qs.select_related(*dated.select_related)
            records = list(qs.order_by(dated.deadline_field, "pk")[:LEADER_LIMIT_PER_KIND])
            owner = {} if why else _liaison_owner(dated.model, records, townships)
            for record in records:
                if record.pk in seen:
                    continue
                seen[record.pk] = record
                deadline = getattr(record, dated.deadline_field)
                light = dated.light(record, on)  # the declared rule (county.status)
                rows.append(
                    {
                        "kind": dated.key,
                        "workstream": workstream.key,
                        "label": f"{workstream.label} · {dated.label}",
                        "icon": workstream.icon,
                        "pk": record.pk,
                        "record": record,
                        "title": getattr(record, dated.title_field),
                        "parent": dated.parent(record),
                        "url": dated.url(record.pk),
                        "deadline": deadline,
                        "light": light,
                        "tone": LIGHT_TONES[light],
                        "why": why or f"联系乡镇：{owner.get(record.pk, '')}",
                        "instructions": [],
                    }
                )
    for workstream in registry:
        if not workstream.instructions:
            continue
        mine = [(row["kind"], row["record"]) for row in rows if row["workstream"] == workstream.key]
        if not mine:
            continue
        found = workstream.instructions(mine)
        for row in rows:
            row["instructions"] = found.get((row["kind"], row["pk"]), row["instructions"])
    rows.sort(key=lambda row: (light_order(row["light"]), row["deadline"], row["title"]))
    return rows, townships


def _liaison_owner(model, records, townships):
    """{record pk: the name of the first liaison township (in their order) that owns it}."""
    pks = [record.pk for record in records]
    order = {t.pk: (i, t.name) for i, t in enumerate(townships)}
    found = {}
    for path in model.unit_paths:
        pairs = model._base_manager.filter(pk__in=pks, **{f"{path}__in": list(order)})
        for pk, unit_id in pairs.values_list("pk", path):
            if pk not in found or order[unit_id][0] < order[found[pk]][0]:
                found[pk] = unit_id
    return {pk: order[unit_id][1] for pk, unit_id in found.items()}


def leader_summary(leader, on=None):
    """Per kind of work he leads or liaises with: how many open and how many late, counted
    in the database (one query per kind, each record once), in registry order, with the
    lists of exactly those rows (``url``, ``late_url``; "" where the kind declares none)."""
    on = on or today()
    township_ids = list(leader.liaison_townships.values_list("pk", flat=True))
    summary = []
    for workstream, dated in registry.dated_work():
        rows = dated.of_leader(leader.pk, township_ids)
        late = dated.overdue_q(on)
        counts = rows.aggregate(
            total=Count("pk", distinct=True), late=Count("pk", filter=late, distinct=True)
        )
        if counts["total"]:
            label = f"{workstream.label} · {dated.label}"
            summary.append(
                {
                    "label": label,
                    "icon": workstream.icon,
                    **counts,
                    "url": dated.list_url(leader_id=leader.pk),
                    "late_url": dated.list_url(leader_id=leader.pk, overdue=True),
                }
            )
    return summary


def leader_page(leader, user):
    """Everything the leader's page shows, from the figures cache until a record of any
    workstream or of ``county`` changes (one entry per user): ``{"rows", "townships",
    "summary", "requests"}``, rows without their model instances."""

    def compute():
        rows, townships = leader_work(leader)
        for row in rows:
            del row["record"]
            row["parent"] = str(row["parent"]) if row["parent"] else ""
        return {
            "rows": rows,
            "townships": [{"pk": t.pk, "name": t.name} for t in townships],
            "summary": leader_summary(leader),
            "requests": leader_requests(leader, user),
        }

    labels = ("county", *(workstream.key for workstream in registry))
    return figures_cache.cached(labels, f"leader_page:{leader.pk}", user, compute, personal=True)


def leader_requests(leader, user):
    """Requests waiting for a decision on the work ``leader`` leads or liaises with: per kind
    how many (one query for all kinds), the ``REQUESTS_SHOWN`` longest waiting, and the
    link to all of them in 待审核."""
    from .inbox import counts

    kinds = [(w, d, d.led_by(leader.pk)) for w, d in registry.decisions()]
    waiting = counts(user, **{d.key.replace(".", "__"): qs for _w, d, qs in kinds})
    result = []
    for workstream, decision, qs in kinds:
        total = waiting[decision.key.replace(".", "__")]
        if not total:
            continue
        if decision.related:
            qs = qs.select_related(*decision.related)
        if decision.prefetch:
            qs = qs.prefetch_related(*decision.prefetch)
        rows = list(qs.order_by(decision.asked_at, "pk")[:REQUESTS_SHOWN])
        result.append(
            {
                "label": f"{workstream.label} · {decision.label}",
                "icon": workstream.icon,
                "total": total,
                "all_url": f"{reverse('county:inbox')}?kind={decision.key}",
                "rows": [{**decision.describe(row), "url": decision.url(row)} for row in rows],
            }
        )
    return result

"""The periodic scan: fetch every registered kind of open dated work, in few queries.

For each ``DatedWork`` of ``registry.dated_work()``: one ``values_list`` query for the
items whose deadline falls within the reminder window (overdue ones included), plus one
per owning-unit path (``unit_paths``). The number of queries depends on the registered
kinds, never on the number of items. Then a constant handful of queries for the
recipients (:func:`directory`).
"""

import datetime
from collections import defaultdict

from county.choices import Role
from county.models import Leader, Supervision, Unit, User
from county.registry import registry

from .rules import Item

WINDOW_DAYS = 7
_PK_SENTINEL = 987654321


def _url_template(dated):
    """The item URL with ``{pk}`` in place of the primary key (one reverse per kind)."""
    try:
        return dated.url(_PK_SENTINEL).replace(str(_PK_SENTINEL), "{pk}")
    except Exception:  # a kind whose detail page is not mounted: no link
        return ""


def scan_items(on, calendar=None):
    """Open items of every registered kind with a deadline up to ``on`` + 7 days.

    With a working-day ``calendar``, the days off after ``on`` stretch the window: a 7-day
    reminder whose day falls on them is sent on ``on`` (see :func:`.rules.unit_rule`).
    """
    last = calendar.next_working_day(on) - datetime.timedelta(days=1) if calendar else on
    until = last + datetime.timedelta(days=WINDOW_DAYS)
    items = []
    for workstream, dated in registry.dated_work():
        qs = dated.open_items().filter(**{f"{dated.deadline_field}__lte": until}).order_by()
        fields = ["pk", dated.title_field, dated.deadline_field]
        if dated.leader_path:
            fields.append(dated.leader_path)
        rows = {row[0]: row for row in qs.values_list(*fields)}
        units = defaultdict(list)
        for path in dated.model.unit_paths:
            pairs = qs.filter(**{f"{path}__isnull": False}).values_list("pk", path)
            for pk, unit_id in sorted(pairs):
                if unit_id not in units[pk]:
                    units[pk].append(unit_id)
        template = _url_template(dated)
        for pk, row in rows.items():
            items.append(
                Item(
                    kind=dated.key,
                    workstream=workstream.key,
                    pk=pk,
                    title=str(row[1])[:500],
                    deadline=row[2],
                    leader_id=row[3] if dated.leader_path else None,
                    unit_ids=tuple(units.get(pk, ())),
                    url=template.format(pk=pk) if template else "",
                )
            )
    items.sort(key=lambda i: (i.deadline, i.kind, i.pk))
    return items


def directory():
    """The active accounts behind units, supervised workstreams and leaders (5 queries)."""
    from .rules import Directory

    result = Directory()
    active = User.objects.filter(is_active=True).order_by("pk")
    for user_id, unit_id in active.filter(role=Role.STAFF, unit__isnull=False).values_list(
        "pk", "unit_id"
    ):
        result.staff_by_unit.setdefault(unit_id, []).append(user_id)
    supervised = Supervision.objects.values_list("unit_id", "workstream")
    by_unit = defaultdict(list)
    for unit_id, workstream in supervised:
        by_unit[unit_id].append(workstream)
    for user_id, unit_id in active.filter(
        role=Role.SUPERVISOR, unit_id__in=list(by_unit)
    ).values_list("pk", "unit_id"):
        for workstream in by_unit[unit_id]:
            result.supervisors_by_workstream.setdefault(workstream, []).append(user_id)
    for user_id, leader_id in active.filter(leader__isnull=False).values_list("pk", "leader_id"):
        result.users_by_leader.setdefault(leader_id, []).append(user_id)
    for leader_id, unit_id in Leader.liaison_townships.through.objects.values_list(
        "leader_id", "unit_id"
    ):
        result.liaison_leaders_by_township.setdefault(unit_id, []).append(leader_id)
    result.unit_names = dict(Unit.objects.values_list("pk", "name"))
    result.leader_names = dict(Leader.objects.values_list("pk", "name"))
    return result

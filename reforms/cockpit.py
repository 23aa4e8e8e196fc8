"""The reform ledger's panel of the 领导驾驶舱 (``Workstream.cockpit``) and its 批示 hook.

Items by light per special group and per track (one grouped query), overdue sub-tasks
by unit (top 10, one query), experiences published in the period by level (one query).
Every bar and slice carries the URL of the list filtered to exactly its rows: the item
list by ``group``/``track`` and ``light``, the sub-task list by ``unit`` and
``light=overdue``, the experience list by ``level`` and the period's dates.
"""

from collections import Counter

from django.db.models import Count, Q
from django.urls import reverse

from county.models import SpecialGroup, Unit
from county.registry import Chart, Figure, Panel
from county.status import LIGHT_TONES, LIGHTS_WORST_FIRST, Light, today

from .choices import ExperienceLevel, Track
from .filtersets import task_light_q
from .models import Experience, Instruction, ReformItem, SubTask
from .registration import ITEM_ROLLUP

# The lights an item can roll up to (ReformItem.rollup), worst first.
ITEM_LIGHTS = LIGHTS_WORST_FIRST
TOP_UNITS = 10


def item_light_expression(on):
    """The item's rolled-up light as SQL: the declared roll-up (an item without sub-tasks
    is 正常, as on the model, the list filter and the overview)."""
    return ITEM_ROLLUP.annotation(ReformItem, on)


def items_by_light(user, on):
    """``{(group_id, track, light): n}`` over the visible items, one grouped query."""
    rows = (
        ReformItem.objects.visible_to(user)
        .order_by()
        .annotate(light=item_light_expression(on))
        .values("group", "track", "light")
        .annotate(n=Count("pk"))
    )
    return {(r["group"], r["track"], r["light"]): r["n"] for r in rows}


def overdue_units(user, on):
    """The units with the most overdue sub-tasks: ``[{"pk", "name", "n"}]``, most first."""
    overdue_tasks = SubTask.objects.visible_to(user).filter(task_light_q(Light.OVERDUE, on))
    return list(
        Unit.objects.annotate(
            n=Count("reform_subtasks", filter=Q(reform_subtasks__in=overdue_tasks.values("pk")))
        )
        .filter(n__gt=0)
        .order_by("-n", "order", "name")
        .values("pk", "name", "n")[:TOP_UNITS]
    )


def _light_series(categories, count_of, link_of):
    return [
        {
            "name": light.label,
            "color": LIGHT_TONES[light].hex,
            "data": [count_of(c, light) for c in categories],
            "links": [link_of(c, light) for c in categories],
        }
        for light in ITEM_LIGHTS
    ]


def cockpit(user, period):
    from .registration import figures

    on = today()
    group_counts, track_counts = Counter(), Counter()
    by_light = items_by_light(user, on)
    for (group, track, light), n in by_light.items():
        group_counts[(group, light)] += n
        track_counts[(track, light)] += n
    item_list = reverse("reforms:list")
    task_list = reverse("reforms:tasks")

    groups = list(SpecialGroup.objects.order_by("order", "name"))
    by_group = Chart(
        "stack",
        "改革任务状态 · 按专项小组",
        [g.short_name for g in groups],
        _light_series(
            groups,
            lambda g, light: group_counts[(g.pk, light)],
            lambda g, light: f"{item_list}?group={g.pk}&light={light.value}",
        ),
        unit="项",
    )
    tracks = list(Track)
    by_track = Chart(
        "stack",
        "改革任务状态 · 按类别",
        [t.label for t in tracks],
        _light_series(
            tracks,
            lambda t, light: track_counts[(t.value, light)],
            lambda t, light: f"{item_list}?track={t.value}&light={light.value}",
        ),
        unit="项",
    )

    overdue = overdue_units(user, on)
    overdue.reverse()  # the longest bar on top of a horizontal chart
    by_unit = Chart(
        "hbar",
        f"逾期细分任务 · 责任单位前{TOP_UNITS}",
        [r["name"] for r in overdue],
        [
            {
                "name": "逾期细分任务",
                "color": LIGHT_TONES[Light.OVERDUE].hex,
                "data": [r["n"] for r in overdue],
                "links": [f"{task_list}?unit={r['pk']}&light=overdue" for r in overdue],
            }
        ],
        unit="项",
        empty="目前没有逾期的细分任务，各责任单位都在时限内。",
    )

    published = {
        r["level"]: r["n"]
        for r in Experience.objects.visible_to(user)
        .filter(published_on__gte=period.start, published_on__lte=period.end)
        .order_by()
        .values("level")
        .annotate(n=Count("pk"))
    }
    experiences = reverse("reforms:experiences")
    dates = period.query("published_from", "published_to")
    levels = list(ExperienceLevel)
    by_level = Chart(
        "pie",
        f"典型经验刊载 · {period.label} · 按层级",
        [level.label for level in levels],
        [
            {
                "name": "典型经验",
                "data": [published.get(level.value, 0) for level in levels],
                "links": [f"{experiences}?level={level.value}&{dates}" for level in levels],
            }
        ],
        unit="篇",
        empty=f"{period.label}还没有刊载的典型经验；换一个期间，或在「典型经验」中登记刊载情况。",
    )
    url, label = f"{experiences}?{dates}", f"{period.label}刊载经验"
    closed = (
        SubTask.objects.visible_to(user)
        .filter(status="done", completed_on__gte=period.start, completed_on__lte=period.end)
        .count()
    )
    closed_url = f"{task_list}?status=done&{period.query('completed_from', 'completed_to')}"
    kept = [f for f in figures(user) if f.label != "典型经验刊载"]  # 本期刊载 replaces it
    closure = Figure(f"{period.label}完成细分任务", closed, closed_url, "success")
    return [
        Panel(
            "全面深化改革",
            [*kept, closure, Figure(label, sum(published.values()), url, "info")],
            [by_group, by_track, by_unit, by_level],
        )
    ]


def instructions(records):
    """批示 on the reform items behind the leader view's sub-tasks: one query."""
    items = {record.item_id for _, record in records if hasattr(record, "item_id")}
    by_item = {}
    for note in (
        Instruction.objects.filter(item__in=items)
        .select_related("leader")
        .order_by("-given_on", "-pk")
    ):
        by_item.setdefault(note.item_id, []).append(
            {"text": note.text, "by": str(note.leader.name), "on": note.given_on}
        )
    return {
        (key, record.pk): by_item[record.item_id]
        for key, record in records
        if getattr(record, "item_id", None) in by_item
    }

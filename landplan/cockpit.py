"""The planning workstream's panel of the 领导驾驶舱 (``Workstream.cockpit``).

Areas per stage per level and batch (one grouped query), measured against the speech's
three dates — 10月底 乡镇级片区报市级审查, 12月底 乡镇级完成, 次年6月底 村级应编尽编 — of the
county's plan year (``PlanYear``, the same row the overview reads). Each bar links to the
area list filtered by ``level``, ``batch`` and ``stage``; each date's figure to the areas
that have not reached it.
"""

from collections import Counter

from django.db.models import Count, Q
from django.urls import reverse

from county.registry import Chart, Figure, Panel
from county.status import is_overdue, today
from county.templatetags.dates import cn_date

from .choices import STAGE_TONES, Batch, Level, Stage
from .models import PlanArea, PlanYear

GROUPS = [
    (Level.TOWNSHIP, Batch.FIRST),
    (Level.TOWNSHIP, Batch.SECOND),
    (Level.VILLAGE, Batch.ON_DEMAND),
]


def _when(date):
    """A milestone's date as the overview writes it, or 未设置 before the plan year is set."""
    return cn_date(date) if date else "未设置"


def cockpit(user, period):
    from .registration import figures

    areas = PlanArea.objects.visible_to(user).order_by()
    counts = Counter()
    for row in areas.values("level", "batch", "stage").annotate(n=Count("pk")):
        counts[(row["level"], row["batch"], row["stage"])] = row["n"]
    township, village = Q(level=Level.TOWNSHIP), Q(level=Level.VILLAGE)
    m = areas.aggregate(
        not_reviewed=Count("pk", filter=township & Q(stage__lt=Stage.CITY_REVIEW)),
        township_open=Count("pk", filter=township & ~Q(stage=Stage.DONE)),
        village_open=Count("pk", filter=village & ~Q(stage=Stage.DONE)),
    )
    plan_year = PlanYear.current()
    review_by, township_by, village_by = (
        [day for _name, day, _what in plan_year.milestones()] if plan_year else [None] * 3
    )
    url = reverse("landplan:area_list")
    on = today()
    groups = [g for g in GROUPS if any(counts[(*g, s)] for s in Stage)] or GROUPS
    chart = Chart(
        "stack",
        "规划片区 · 各批次所处阶段",
        [f"{Level(lv).label}·{Batch(b).label}" for lv, b in groups],
        [
            {
                "name": stage.label,
                "color": STAGE_TONES[stage].hex,
                "data": [counts[(lv, b, stage.value)] for lv, b in groups],
                "links": [f"{url}?level={lv}&batch={b}&stage={stage.value}" for lv, b in groups],
            }
            for stage in Stage
        ],
        note=(
            f"节点：{_when(review_by)} 乡镇级片区报市级审查 · "
            f"{_when(township_by)} 乡镇级完成 · "
            f"{_when(village_by)} 村级应编尽编"
        ),
        empty="您可见的范围内还没有规划片区；导入国土空间规划台账后，这里显示各批次所处阶段。",
        unit="个",
    )

    def tone(deadline, n):
        if not n:
            return "success"
        return "danger" if deadline and is_overdue(deadline, on) else "warning"

    milestones = [
        Figure(
            f"未报市审（{_when(review_by)}）",
            m["not_reviewed"],
            f"{url}?level=township&not_reached={Stage.CITY_REVIEW.value}",
            tone(review_by, m["not_reviewed"]),
        ),
        Figure(
            f"乡镇级未完成（{_when(township_by)}）",
            m["township_open"],
            f"{url}?level=township&stage=open",
            tone(township_by, m["township_open"]),
        ),
        Figure(
            f"村级未完成（{_when(village_by)}）",
            m["village_open"],
            f"{url}?level=village&stage=open",
            tone(village_by, m["village_open"]),
        ),
    ]
    kept = [f for f in figures(user) if f.label != "乡镇级未完成"]  # a milestone below says it
    return [Panel("国土空间规划", [*kept, *milestones], [chart])]

"""The planning workstream's panel of the 领导驾驶舱 (``Workstream.cockpit``).

Areas per stage per level and batch (one grouped query), measured against the speech's
three dates — 10月底 乡镇级片区报市级审查, 12月底 乡镇级完成, 次年6月底 村级应编尽编 — taken
from the areas' own deadlines (one aggregate). Each bar links to the area list filtered by
``level``, ``batch`` and ``stage``; each date's figure to the areas that have not reached it.
"""

import datetime
from collections import Counter

from django.db.models import Count, Max, Q
from django.urls import reverse

from county.registry import Chart, Figure, Panel
from county.status import today

from .choices import STAGE_TONES, Batch, Level, Stage
from .models import PlanArea

GROUPS = [
    (Level.TOWNSHIP, Batch.FIRST),
    (Level.TOWNSHIP, Batch.SECOND),
    (Level.VILLAGE, Batch.ON_DEMAND),
]


def _when(date, fallback):
    """A milestone date: 2026年10月底 when it is a month's last day, else 2026年10月25日."""
    if not date:
        return fallback
    if (date + datetime.timedelta(days=1)).day == 1:
        return f"{date:%Y年%-m月}底"
    return f"{date:%Y年%-m月%-d日}"


def cockpit(user, period):
    from .registration import figures

    areas = PlanArea.objects.visible_to(user).order_by()
    counts = Counter()
    for row in areas.values("level", "batch", "stage").annotate(n=Count("pk")):
        counts[(row["level"], row["batch"], row["stage"])] = row["n"]
    township, village = Q(level=Level.TOWNSHIP), Q(level=Level.VILLAGE)
    m = areas.aggregate(
        review_by=Max("city_review_deadline", filter=township),
        township_by=Max("completion_deadline", filter=township),
        village_by=Max("completion_deadline", filter=village),
        not_reviewed=Count("pk", filter=township & Q(stage__lt=Stage.CITY_REVIEW)),
        township_open=Count("pk", filter=township & ~Q(stage=Stage.DONE)),
        village_open=Count("pk", filter=village & ~Q(stage=Stage.DONE)),
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
            f"节点：{_when(m['review_by'], '10月底')} 乡镇级片区报市级审查 · "
            f"{_when(m['township_by'], '12月底')} 乡镇级完成 · "
            f"{_when(m['village_by'], '次年6月底')} 村级应编尽编"
        ),
        empty="您可见的范围内还没有规划片区；导入国土空间规划台账后，这里显示各批次所处阶段。",
        unit="个",
    )

    def tone(deadline, n):
        if not n:
            return "success"
        return "danger" if deadline and deadline < on else "warning"

    milestones = [
        Figure(
            f"未报市审（{_when(m['review_by'], '10月底')}）",
            m["not_reviewed"],
            f"{url}?level=township&not_reached={Stage.CITY_REVIEW.value}",
            tone(m["review_by"], m["not_reviewed"]),
        ),
        Figure(
            f"乡镇级未完成（{_when(m['township_by'], '12月底')}）",
            m["township_open"],
            f"{url}?level=township&stage=open",
            tone(m["township_by"], m["township_open"]),
        ),
        Figure(
            f"村级未完成（{_when(m['village_by'], '6月底')}）",
            m["village_open"],
            f"{url}?level=village&stage=open",
            tone(m["village_by"], m["village_open"]),
        ),
    ]
    kept = [f for f in figures(user) if f.label != "乡镇级未完成"]  # a milestone below says it
    return [Panel("国土空间规划", [*kept, *milestones], [chart])]

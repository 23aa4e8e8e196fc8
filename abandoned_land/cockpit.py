"""撂荒地整治's panel of the 领导驾驶舱 (``Workstream.cockpit``).

One grouped query over the visible parcels, per township: 亩 and parcels by status,
整治后无种植计划 and 逾期未种植. The county target is to remediate and use all the abandoned
land found (减存量): each township's bar stacks 已整治 / 已种植 / 已巩固 / 复撂荒 / 未整治 up to
the land found there. Every bar carries the parcel list filtered by ``township`` and
``status`` (or ``at_risk``), and the number of parcels behind its 亩.
"""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse

from county.aggregates import per_township
from county.registry import NONE_LATE, RATE_THRESHOLD, Chart, Figure, Panel
from county.status import today

from . import rules
from .choices import AT_RISK_TONE, REMEDIATED_EVER, STATUS_TONES, ParcelStatus
from .models import Parcel

ZERO = Decimal("0")
STACK = [
    ParcelStatus.REMEDIATED,
    ParcelStatus.PLANTED,
    ParcelStatus.CONSOLIDATED,
    ParcelStatus.REABANDONED,
    ParcelStatus.SURVEYED,
]
STACK_LABELS = {ParcelStatus.SURVEYED: "未整治（已排查）"}


def _mu(value):
    return float(Decimal(value or 0).quantize(Decimal("0.1")))


def by_township(user):
    """One row per township with parcels: 亩 and counts per status, at-risk, overdue."""
    aggregates = {}
    for status in ParcelStatus.values:
        aggregates[f"mu_{status}"] = Sum("area", filter=Q(status=status), default=ZERO)
        aggregates[f"n_{status}"] = Count("pk", filter=Q(status=status))
    return per_township(
        Parcel.objects.visible_to(user),
        at_risk=Count("pk", filter=rules.AT_RISK),
        overdue=Count("pk", filter=rules.planting_overdue(today())),
        **aggregates,
    )


def cockpit(user, period):
    rows = by_township(user)
    url = reverse("abandoned_land:parcel_list")
    names = [r["township__name"] for r in rows]

    def link(row, query):
        return f"{url}?township={row['township']}&{query}"

    area = Chart(
        "stack",
        "整治进度（亩）· 按乡镇，对照排查目标",
        names,
        [
            {
                "name": STACK_LABELS.get(status, status.label),
                "color": STATUS_TONES[status].hex,
                "data": [_mu(r[f"mu_{status.value}"]) for r in rows],
                "counts": [r[f"n_{status.value}"] for r in rows],
                "links": [link(r, f"status={status.value}") for r in rows],
            }
            for status in STACK
        ],
        note="柱高＝该乡镇排查面积，目标是全部整治、种上、巩固",
        unit="亩",
        empty="您可见的范围内还没有撂荒地块；导入撂荒地台账后，这里按乡镇显示整治进度。",
    )
    risks = Chart(
        "bar",
        "整治后无种植计划 · 复撂荒（块）",
        names,
        [
            {
                "name": "整治后无种植计划",
                "color": AT_RISK_TONE.hex,
                "data": [r["at_risk"] for r in rows],
                "links": [link(r, "at_risk=1") for r in rows],
            },
            {
                "name": "复撂荒",
                "color": STATUS_TONES[ParcelStatus.REABANDONED].hex,
                "data": [r[f"n_{ParcelStatus.REABANDONED}"] for r in rows],
                "links": [link(r, f"status={ParcelStatus.REABANDONED}") for r in rows],
            },
        ],
        unit="块",
        empty="您可见的范围内没有整治后无种植计划或复撂荒的地块；出现时这里按乡镇列出。",
    )

    def total(key):
        return sum((r[key] for r in rows), 0)

    target = sum((r[f"mu_{s}"] for r in rows for s in ParcelStatus.values), ZERO)
    done = sum((r[f"mu_{s}"] for r in rows for s in REMEDIATED_EVER), ZERO)
    rate = round(done * 100 / target, 1) if target else 0
    figures = [
        Figure("排查亩数·目标", f"{_mu(target):,.1f}", url, "secondary"),
        Figure("已整治（亩）", f"{_mu(done):,.1f}", f"{url}?status=remediated_ever", "primary"),
        Figure(
            "整治进度",
            f"{rate}%" if target else "—",  # no parcel surveyed: nothing to judge
            f"{url}?status=remediated_ever",
            threshold=RATE_THRESHOLD,
        ),
        Figure("整治后无种植计划", total("at_risk"), f"{url}?at_risk=1", "warning"),
        Figure("逾期未种植", total("overdue"), f"{url}?overdue=1", threshold=NONE_LATE),
        Figure(
            "复撂荒地块",
            total(f"n_{ParcelStatus.REABANDONED}"),
            f"{url}?status={ParcelStatus.REABANDONED}",
            "danger",
        ),
    ]
    return [Panel("撂荒地整治", figures, [area, risks])]

"""Parcels and their inspections for a county N times the demo (``seed_scale``).

Per factor 3,000 parcels spread over every township's villages, in the demo's proportions
of statuses (most planted or consolidated, some remediated and waiting to be planted, a few
abandoned again); the remediated ones have planting deadlines, a tenth already past.
"""

import datetime
from decimal import Decimal

from county.scale import staff_of

from ..choices import CAUSES, CROPS, METHODS, OperatorType, ParcelStatus, Season

S = ParcelStatus
WEIGHTS = {S.SURVEYED: 7, S.REMEDIATED: 15, S.PLANTED: 46, S.CONSOLIDATED: 29, S.REABANDONED: 3}


def build(county):
    from ..models import Inspection, Parcel

    rng = county.rng("abandoned_land")
    on = county.today
    townships = county.townships
    statuses, weights = list(WEIGHTS), list(WEIGHTS.values())
    parcels, numbers = [], {}
    for _ in range(county.count(3000)):
        township = rng.choice(townships)
        village = rng.choice(county.villages_of[township.pk])
        numbers[township.pk] = number = numbers.get(township.pk, 0) + 1
        status = rng.choices(statuses, weights)[0]
        worked = status != S.SURVEYED
        farmed = status in (S.PLANTED, S.CONSOLIDATED) or (
            status == S.REMEDIATED and rng.random() < 0.6
        )
        deadline = None
        if status == S.REMEDIATED:
            deadline = on + datetime.timedelta(days=rng.randint(-20, 150))
        parcels.append(
            {
                "township": township.pk,
                "village": village.pk,
                "code": f"{township.code}-{number:05d}",
                "area": Decimal(rng.randint(30, 2500)) / 100,
                "year_abandoned": rng.randint(2015, on.year - 1),
                "cause": rng.choice(CAUSES),
                "remediated_on": county.day(rng, -700, -10) if worked else None,
                "method": rng.choice(METHODS) if worked else "",
                "crop": rng.choice(CROPS) if farmed else "",
                "season": rng.choice(list(Season.values)) if farmed else "",
                "operator": f"{village.name}种植户{number}" if farmed else "",
                "operator_type": rng.choice(list(OperatorType.values)) if farmed else "",
                "status": status,
                "planting_deadline": deadline,
            }
        )
    pks = county.bulk(Parcel, parcels)
    inspections = []
    for pk, parcel in zip(pks, parcels, strict=True):
        if parcel["status"] == S.REABANDONED or rng.random() < 0.2:
            before = S.PLANTED if parcel["status"] == S.REABANDONED else S.SURVEYED
            inspections.append(
                {
                    "parcel": pk,
                    "inspected_on": county.day(rng, -300, 0),
                    "finding": "现场巡查。",
                    "status_before": before,
                    "status_after": parcel["status"],
                    "user": staff_of(county, parcel["township"]).pk,
                }
            )
    county.bulk(Inspection, inspections)
    county.say(f"撂荒地：{len(parcels)} 块地块，{len(inspections)} 条巡查记录。")


def pages():
    """The overview and the parcel list, whole and by township (leader01 reads all)."""
    from django.urls import reverse

    from county.models import Unit

    township = Unit.objects.townships().order_by("order", "pk").first()
    parcels = reverse("abandoned_land:parcel_list")
    return [
        ("撂荒地总览", reverse("abandoned_land:overview"), "leader01"),
        ("地块台账", parcels, "leader01"),
        ("地块台账·按乡镇", f"{parcels}?township={township.pk}", "leader01"),
        ("地块台账·逾期", f"{parcels}?overdue=1", "leader01"),
    ]

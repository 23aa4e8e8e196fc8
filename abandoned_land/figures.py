"""The workstream's figures, computed once for the overview, the cockpit and the API.

One aggregate query over the visible parcels gives parcels and 亩 by status and the
at-risk count; everything else is arithmetic on it.
"""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse

from county.aggregates import per_township
from county.figures_cache import cached
from county.registry import NONE_LATE, RATE_THRESHOLD, Figure
from county.status import today

from . import rules
from .choices import IN_USE, REMEDIATED_EVER, STILL_ABANDONED, ParcelStatus, Season
from .models import Parcel

ZERO = Decimal("0")


def _mu(value):
    """亩 to two decimals (SQLite sums decimals as floats)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def summary(user, queryset=None):
    """Counts and 亩 by status, the targets (减存量 …) and the at-risk count (of the parcels
    ``user`` sees: cached until a parcel changes, county.figures_cache)."""
    if queryset is None:
        return cached("abandoned_land", "summary", user, lambda: _summary(user))
    return _summary(user, queryset)


def _summary(user, queryset=None):
    parcels = Parcel.objects.visible_to(user) if queryset is None else queryset
    parcels = parcels.order_by()  # an ordering would split the groups
    # The sum is not called "area": an annotation named like a field breaks later aggregates.
    rows = parcels.values("status").annotate(n=Count("pk"), mu=Sum("area"))
    by_status = {s: {"count": 0, "area": ZERO} for s in ParcelStatus.values}
    for row in rows:
        by_status[row["status"]] = {"count": row["n"], "area": _mu(row["mu"])}
    at_risk = parcels.aggregate(
        n=Count("pk", filter=rules.AT_RISK),
        at_risk_area=Sum("area", filter=rules.AT_RISK),
        overdue=Count("pk", filter=rules.planting_overdue(today())),
        winter=Sum("area", filter=Q(status__in=IN_USE, season=Season.WINTER)),
    )

    def total(statuses, key):
        return sum((by_status[s][key] for s in statuses), 0 if key == "count" else ZERO)

    remediated_area = total(REMEDIATED_EVER, "area")
    in_use_area = total(IN_USE, "area")
    return {
        "by_status": by_status,
        "count": total(ParcelStatus.values, "count"),
        "area": total(ParcelStatus.values, "area"),
        "remediated_count": total(REMEDIATED_EVER, "count"),
        "remediated_area": remediated_area,
        "still_abandoned_count": total(STILL_ABANDONED, "count"),
        "still_abandoned_area": total(STILL_ABANDONED, "area"),
        "in_use_area": in_use_area,
        "use_rate": round(in_use_area * 100 / remediated_area, 1) if remediated_area else 0,
        "at_risk_count": at_risk["n"],
        "at_risk_area": _mu(at_risk["at_risk_area"]),
        "overdue_count": at_risk["overdue"],
        "winter_area": _mu(at_risk["winter"]),
        "reabandoned_count": by_status[ParcelStatus.REABANDONED]["count"],
        "reabandoned_area": by_status[ParcelStatus.REABANDONED]["area"],
    }


def by_township(user):
    """Per township, in the townships' order: 亩 by status (the stacked chart), parcels,
    the 用好 rate, at-risk and 复撂荒 counts (the table); cached like :func:`summary`."""
    return cached("abandoned_land", "by_township", user, lambda: _by_township(user))


def _by_township(user):
    rows = per_township(
        Parcel.objects.visible_to(user),
        count=Count("pk"),
        total_area=Sum("area"),
        at_risk=Count("pk", filter=rules.AT_RISK),
        reabandoned_count=Count("pk", filter=Q(status=ParcelStatus.REABANDONED)),
        **{
            status: Sum("area", filter=Q(status=status), default=ZERO)
            for status in ParcelStatus.values
        },
    )
    for row in rows:
        remediated = sum((_mu(row[s]) for s in REMEDIATED_EVER), ZERO)
        in_use = sum((_mu(row[s]) for s in IN_USE), ZERO)
        row["total_area"] = _mu(row["total_area"])
        row["still_abandoned"] = sum((_mu(row[s]) for s in STILL_ABANDONED), ZERO)
        row["use_rate"] = round(in_use * 100 / remediated, 1) if remediated else 0
    return rows


def cockpit_figures(user):
    """Figures for 工作总览 (county cockpit)."""
    data = summary(user)
    url = reverse("abandoned_land:parcel_list")
    return [
        Figure(
            "已整治（亩）",
            f"{data['remediated_area']:,.1f}",
            f"{url}?status=remediated_ever",
            "primary",
        ),
        Figure("用好率", f"{data['use_rate']}%", f"{url}?status=in_use", threshold=RATE_THRESHOLD),
        Figure("整治后无种植计划", data["at_risk_count"], f"{url}?at_risk=1", "warning"),
        Figure("逾期未种植", data["overdue_count"], f"{url}?overdue=1", threshold=NONE_LATE),
        Figure("复撂荒地块", data["reabandoned_count"], f"{url}?status=reabandoned", "danger"),
    ]

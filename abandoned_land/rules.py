"""The workstream's rules in one place, shared by pages, API, ledger, figures and reminders.

- 整治后无种植计划 (at risk): a parcel 已整治 without a crop or without an operator —
  remediated "for the sake of it", likely to be abandoned again;
- 复撂荒: a remediated parcel abandoned again, counted and listed apart;
- 待种植: a 已整治 parcel must be planted by its 种植时限 (planting deadline); those with
  a deadline are dated work (我的待办, reminders, cockpit);
- the loop moves forward (已排查 → 已整治 → 已种植 → 已巩固, 复撂荒 → 已整治 again) or
  falls to 复撂荒 with an inspection finding; only supervisors may move a parcel back.
"""

import datetime

from django.db.models import Q

from .choices import ParcelStatus
from .registration import PARCEL_STATUS

S = ParcelStatus

AT_RISK = Q(status=S.REMEDIATED) & (Q(crop="") | Q(operator=""))
AWAITING_PLANTING = Q(status=S.REMEDIATED)


def planting_overdue(on):
    """已整治 parcels whose 种植时限 has passed without planting (the declared rule)."""
    return PARCEL_STATUS.overdue_q(on)


# Where township staff may move a parcel from each status.
FORWARD = {
    S.SURVEYED: (S.REMEDIATED,),
    S.REMEDIATED: (S.PLANTED, S.REABANDONED),
    S.PLANTED: (S.CONSOLIDATED, S.REABANDONED),
    S.CONSOLIDATED: (S.REABANDONED,),
    S.REABANDONED: (S.REMEDIATED,),
}

# Sowing deadlines of the two seasons: 大春 by 31 May, 小春 (秋冬种) by 30 November.
SOWING_DEADLINES = ((5, 31), (11, 30))
MIN_LEAD_DAYS = 30


def is_at_risk(status, crop, operator):
    return status == S.REMEDIATED and not (crop and operator)


def allowed_statuses(current, supervisor=False):
    """The statuses a user may set from ``current`` (the current one included)."""
    if supervisor:
        return list(S.values)
    return [current, *FORWARD.get(current, ())]


def next_planting_deadline(on):
    """The next season's sowing deadline at least 30 days after ``on``."""
    earliest = on + datetime.timedelta(days=MIN_LEAD_DAYS)
    for year in (on.year, on.year + 1):
        for month, day in SOWING_DEADLINES:
            deadline = datetime.date(year, month, day)
            if deadline >= earliest:
                return deadline
    return datetime.date(on.year + 2, 5, 31)  # not reached


def missing_for(status, values):
    """Field errors for a parcel with ``values`` to be in ``status`` (Chinese messages)."""
    errors = {}
    if status in (S.REMEDIATED, S.PLANTED, S.CONSOLIDATED):
        if not values.get("remediated_on"):
            errors["remediated_on"] = "已整治的地块须填写整治时间。"
        if not values.get("method"):
            errors["method"] = "已整治的地块须填写整治方式。"
    if status in (S.PLANTED, S.CONSOLIDATED):
        for key, label in (
            ("crop", "种植作物"),
            ("season", "种植季节"),
            ("operator", "经营主体"),
            ("operator_type", "经营主体类型"),
        ):
            if not values.get(key):
                errors[key] = f"已种植的地块须填写{label}（种什么、谁来种）。"
    return errors

"""The one rule module for every state a reader sees: 已完成 / 逾期 / 临期 / 正常 / 长期.

- ``rules.py``: the rules in Python (``light_for``, ``roll_up``, ``today`` …);
- ``expressions.py``: the same rules as query expressions (``Q``, annotations);
- ``declare.py``: ``StatusRules`` / ``RollUp``, the inputs a workstream declares once on its
  registration (deadline field, closed and waiting statuses, roll-up), with both halves bound
  to them.

Import from ``county.status``; nothing else compares a deadline with today or picks a light.
"""

from .declare import RollUp, StatusRules
from .palette import LIGHT_TONES
from .rules import (
    DUE_SOON_WORKING_DAYS,
    EMPTY_ROLLUP,
    LIGHTS_WORST_FIRST,
    Light,
    days_overdue,
    due_soon_until,
    forget_windows,
    is_due_soon,
    is_overdue,
    light_for,
    light_order,
    roll_up,
    today,
)

__all__ = [
    "DUE_SOON_WORKING_DAYS",
    "EMPTY_ROLLUP",
    "LIGHTS_WORST_FIRST",
    "LIGHT_TONES",
    "Light",
    "RollUp",
    "StatusRules",
    "days_overdue",
    "due_soon_until",
    "forget_windows",
    "is_due_soon",
    "is_overdue",
    "light_for",
    "light_order",
    "roll_up",
    "today",
]

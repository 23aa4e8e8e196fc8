"""China's working-day calendar: public holidays (法定节假日) and make-up working days (调休).

One table, :class:`.models.CalendarDay`, lists the days that differ from the Monday–Friday
rule; everything that counts working days asks this room:

- :func:`is_working_day`, :func:`working_days_between`, :func:`add_working_days`,
  :func:`previous_working_day` — one small query each to check the cached table is current;
- :func:`calendar` — a snapshot (:class:`.calendar.Calendar`) for loops: take it once, ask
  it many times without queries (the inbox, the reminder run).

The table is seeded from the ``chinese-calendar`` package (:mod:`.seed`, by a data
migration and by ``load_demo``); the administrator adds each new year in the admin, by
hand or by uploading the State Council notice as an Excel sheet (:mod:`.importer`).

May import Django, ``chinese_calendar`` (only in :mod:`.seed`) and ``county.ledger``'s
reading and cell parsers (only in :mod:`.importer`); never a workstream, and nothing of
``county`` imports it back except the features that count working days.
"""

from .calendar import (
    add_working_days,
    calendar,
    is_working_day,
    previous_working_day,
    working_days_between,
)

__all__ = [
    "add_working_days",
    "calendar",
    "is_working_day",
    "previous_working_day",
    "working_days_between",
]

"""The demo's clock: each sample ledger moves so that its own day falls on the day it is loaded.

A sample is a county's ledger as it stood on one day (``sample_day``): some work done, some
late, some due within the week. Moving every date of the sample by the same number of days
(``today() - sample_day``) keeps that picture whatever day the demo is loaded, so every light
(临期, 逾期, 已完成 …) shows on the demo day. The move is the system's: each row's history
says 系统（演示数据）, never a clerk's edit.
"""

import datetime

from . import history
from .status import today


def offset(sample_day):
    """How far the sample moves: from its own day to today."""
    return today() - sample_day


def moved(value, sample_day):
    """A date of the sample, moved to the demo's day (None stays None)."""
    return value + offset(sample_day) if value is not None else None


def move_dates(queryset, fields, sample_day, reason="时间随演示日期平移"):
    """Move ``fields`` (dates) of every row of ``queryset``; one history row each, the system's."""
    delta = offset(sample_day)
    if delta == datetime.timedelta(0):
        return 0
    rows = list(queryset)
    for row in rows:
        for field in fields:
            value = getattr(row, field)
            if value is not None:
                setattr(row, field, value + delta)
    history.bulk_update_with_history(
        queryset.model, rows, list(fields), history.marked(history.DEMO, reason)
    )
    return len(rows)

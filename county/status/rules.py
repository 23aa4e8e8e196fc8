"""The state rules in plain Python: a record's light, overdue, due soon, done, and an item's
roll-up from its parts. ``expressions.py`` says the same in SQL; ``declare.py`` binds both to
the fields a workstream declares. Nothing outside ``county/status/`` compares a deadline with
today or picks a light (tests/county/test_status_rules.py scans for it).

The rules, decided once:

- 已完成 (done): the record is in one of its closed statuses.
- 长期 (long-term): open, and no deadline (or declared long-term work).
- 等待验收 (waiting): the unit reported its part (e.g. an environment problem 待验收); the
  clock is now the supervisor's, so the record is never 逾期 nor 临期: its light is 正常.
  Sent back (整改中 again) past its deadline, it is 逾期 again.
- 逾期 (overdue): still the unit's work and its deadline is before today.
- 临期 (due soon): still the unit's work, due today or within ``DUE_SOON_WORKING_DAYS``
  working days (China's calendar, ``county.workdays``: a holiday lengthens the window).
- 正常 (normal): still the unit's work, due later.
- A whole rolled up from its parts (a reform item from its sub-tasks) takes its worst part's
  light (逾期, 临期, 正常, 长期 in that order), 已完成 when every part is done, and 正常 when
  it has no parts yet: nothing of it is late or due.
"""

import threading

from django.db import models
from django.utils import timezone

DUE_SOON_WORKING_DAYS = 5
_window = threading.local()  # {day: its 临期 boundary}, emptied by forget_windows


class Light(models.TextChoices):
    DONE = "done", "已完成"
    OVERDUE = "overdue", "逾期"
    DUE_SOON = "due_soon", "临期"
    NORMAL = "normal", "正常"
    LONG_TERM = "long_term", "长期"


# Worst first: the order of lists, roll-ups and charts.
LIGHTS_WORST_FIRST = (Light.OVERDUE, Light.DUE_SOON, Light.NORMAL, Light.LONG_TERM, Light.DONE)
# The light of a whole that has no parts yet.
EMPTY_ROLLUP = Light.NORMAL


def today():
    """Today's date in the county's time zone."""
    return timezone.localdate()


def due_soon_until(on):
    """The last deadline that is 临期 on ``on``: the 5th working day after it. Kept per day
    until the next request or task (``forget_windows``): a list lights every row with it."""
    known = getattr(_window, "days", None)
    if known is None:
        known = _window.days = {}
    if on not in known:
        from county.workdays import add_working_days

        known[on] = add_working_days(on, DUE_SOON_WORKING_DAYS)
    return known[on]


def forget_windows(**kwargs):
    """Read the calendar again for the next window (a new request or task, a calendar edit)."""
    _window.days = {}


def light_for(deadline, done=False, on=None, waiting=False):
    """The light of a record with ``deadline`` (None means long-term); ``waiting`` is a
    record awaiting acceptance (its unit's part is done)."""
    if done:
        return Light.DONE
    if deadline is None:
        return Light.LONG_TERM
    if waiting:
        return Light.NORMAL
    on = on or today()
    if deadline < on:
        return Light.OVERDUE
    if deadline <= due_soon_until(on):
        return Light.DUE_SOON
    return Light.NORMAL


def is_overdue(deadline, on=None, done=False, waiting=False):
    return light_for(deadline, done, on, waiting) == Light.OVERDUE


def is_due_soon(deadline, on=None, done=False, waiting=False):
    return light_for(deadline, done, on, waiting) == Light.DUE_SOON


def days_overdue(deadline, on=None):
    """Days past ``deadline`` on ``on`` (0 when not past)."""
    on = on or today()
    return max((on - deadline).days, 0) if deadline else 0


def light_order(light):
    """A sort key: overdue first … done last; no light after all."""
    return (
        LIGHTS_WORST_FIRST.index(light) if light in LIGHTS_WORST_FIRST else len(LIGHTS_WORST_FIRST)
    )


def roll_up(lights, empty=EMPTY_ROLLUP):
    """The light of a whole from its parts' lights (see the module's rules)."""
    lights = [light for light in lights if light is not None]
    if not lights:
        return empty
    return min(lights, key=light_order)

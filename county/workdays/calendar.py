"""Working-day arithmetic over the calendar table, with the table cached per process.

:func:`calendar` returns a :class:`Calendar` snapshot. The table is read once per process
and kept; each call runs one small aggregate (row count, last id, last change) and reads
the table again only when that differs — so an administrator's edit, or a row added in
another process, counts at once, and a rolled-back test transaction does not linger.
"""

import bisect
import datetime
from dataclasses import dataclass, field

DAY = datetime.timedelta(days=1)

_cached = None  # the last Calendar read, with the table version it was read at


def _weekday_rule(day):
    return day.weekday() < 5


def _mon_fri_between(start, end):
    """Monday–Friday days after ``start`` up to and including ``end``."""
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    first = start + weeks * 7 * DAY
    for offset in range(1, rest + 1):
        if _weekday_rule(first + offset * DAY):
            count += 1
    return count


@dataclass
class Calendar:
    """The working days as the table says on one read; queries nothing.

    ``holidays`` and ``workdays`` map a date to its name (春节 …).
    """

    holidays: dict = field(default_factory=dict)
    workdays: dict = field(default_factory=dict)
    version: tuple = ()

    def __post_init__(self):
        # The days that change a Monday–Friday count, sorted for bisect.
        self._off = sorted(d for d in self.holidays if _weekday_rule(d) and d not in self.workdays)
        self._on = sorted(d for d in self.workdays if not _weekday_rule(d))

    def is_working_day(self, day):
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return _weekday_rule(day)

    def name_of(self, day):
        """The holiday or make-up day's name (“国庆节”), or "" for an ordinary day."""
        return self.workdays.get(day) or self.holidays.get(day) or ""

    def working_days_between(self, start, end):
        """Working days after ``start`` up to and including ``end``; 0 if ``end`` is not later."""
        if end <= start:
            return 0

        def within(days):
            return bisect.bisect_right(days, end) - bisect.bisect_right(days, start)

        return _mon_fri_between(start, end) - within(self._off) + within(self._on)

    def add_working_days(self, day, n):
        """The ``n``-th working day after ``day`` (before it when ``n`` is negative)."""
        step = DAY if n >= 0 else -DAY
        left = abs(n)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def previous_working_day(self, day):
        """The last working day before ``day``."""
        return self.add_working_days(day, -1)

    def next_working_day(self, day):
        """The first working day after ``day``."""
        return self.add_working_days(day, 1)

    def on_or_before(self, day):
        """``day`` itself when it is a working day, else the working day before it."""
        return day if self.is_working_day(day) else self.previous_working_day(day)


def _version():
    from django.db.models import Count, Max

    from .models import CalendarDay

    found = CalendarDay.objects.aggregate(n=Count("pk"), last=Max("pk"), at=Max("updated_at"))
    return (found["n"], found["last"], found["at"])


def calendar():
    """The current calendar: one aggregate query, and a read of the table only if it changed."""
    global _cached
    version = _version()
    if _cached is not None and _cached.version == version:
        return _cached
    from .models import CalendarDay, DayKind

    holidays, workdays = {}, {}
    for date, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        (workdays if kind == DayKind.WORKDAY else holidays)[date] = name
    _cached = Calendar(holidays=holidays, workdays=workdays, version=version)
    return _cached


def is_working_day(day):
    """Whether ``day`` is a working day in China (holidays and 调休 included)."""
    return calendar().is_working_day(day)


def working_days_between(start, end):
    """Working days after ``start`` up to and including ``end`` (0 if ``end`` is not later)."""
    return calendar().working_days_between(start, end)


def add_working_days(day, n):
    """The ``n``-th working day after ``day`` (``n`` < 0: before it; 0: ``day`` itself)."""
    return calendar().add_working_days(day, n)


def previous_working_day(day):
    """The last working day before ``day`` (``day`` itself never counts)."""
    return calendar().previous_working_day(day)

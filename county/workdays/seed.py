"""Filling the calendar table from the ``chinese-calendar`` package (2004 up to its release).

:func:`seed` adds the days the package knows and the table lacks; it never changes a row
that is there, so an administrator's correction stays. Run by the data migration that
creates the table and by ``load_demo`` (a test database flushed by a transactional test is
filled again with the demo county).
"""

CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_days():
    """``[(date, kind, name)]`` of every holiday and make-up working day the package knows."""
    from chinese_calendar.constants import holidays, workdays

    days = [(d, "holiday", CHINESE_NAMES.get(n, n)) for d, n in holidays.items()]
    days += [(d, "workday", CHINESE_NAMES.get(n, n)) for d, n in workdays.items()]
    return sorted(days)


def seed(model=None):
    """Add the package's days missing from the table; returns how many were added.

    ``model`` is the migration's historical model; the current one by default.
    """
    if model is None:
        from .models import CalendarDay as model
    known = set(model.objects.values_list("date", flat=True))
    rows = [
        model(date=date, kind=kind, name=name)
        for date, kind, name in package_days()
        if date not in known
    ]
    model.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)

"""The reminder rules as pure date arithmetic: which rule fires on which day."""

import datetime

import pytest

from county.reminders.models import Rule
from county.reminders.rules import unit_rule, week_start

D = datetime.date(2026, 3, 20)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (8, None),
        (7, (Rule.DAYS_7, D - 7 * DAY)),
        (5, (Rule.DAYS_7, D - 7 * DAY)),  # a missed 7-day run is caught up, same key
        (3, (Rule.DAYS_3, D - 3 * DAY)),
        (2, (Rule.DAYS_3, D - 3 * DAY)),
        (1, (Rule.DAYS_1, D - DAY)),
        (0, (Rule.DUE, D)),
        (-1, (Rule.OVERDUE, D + DAY)),
        (-7, (Rule.OVERDUE, D + DAY)),  # overdue: once a week, not every day
        (-8, (Rule.OVERDUE, D + 8 * DAY)),
        (-15, (Rule.OVERDUE, D + 15 * DAY)),
    ],
)
def test_unit_rule_and_its_own_day(days_left, expected):
    assert unit_rule(D, D - days_left * DAY) == expected


def test_week_start_is_the_last_digest_weekday():
    monday = datetime.date(2026, 3, 2)
    assert week_start(monday) == monday
    assert week_start(monday + 3 * DAY) == monday
    assert week_start(monday - DAY) == monday - 7 * DAY
    assert week_start(monday + 3 * DAY, weekday=4) == monday + 3 * DAY

"""临期 counts China's working days (county.workdays): five working days ahead, so a holiday
lengthens the window, and the same window serves the light, the query and every count."""

import datetime

import pytest

from county.status import Light, forget_windows, light_for
from county.status.expressions import due_soon_q

D = datetime.date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_windows():
    forget_windows()
    yield
    forget_windows()


def test_an_ordinary_week_gives_five_working_days():
    monday = D(2026, 12, 7)
    assert light_for(D(2026, 12, 14), on=monday) == Light.DUE_SOON  # the 5th working day
    assert light_for(D(2026, 12, 15), on=monday) == Light.NORMAL
    assert light_for(D(2026, 12, 6), on=monday) == Light.OVERDUE


def test_the_national_day_holiday_lengthens_the_window():
    eve = D(2025, 9, 30)  # 1–8 October 2025 are holidays; 11 October (Saturday) is worked
    assert light_for(D(2025, 10, 9), on=eve) == Light.DUE_SOON
    assert light_for(D(2025, 10, 14), on=eve) == Light.DUE_SOON  # 9, 10, 11, 13, 14
    assert light_for(D(2025, 10, 15), on=eve) == Light.NORMAL


def test_the_query_and_the_python_rule_agree_across_the_holiday():
    from reforms.models import SubTask

    eve = D(2025, 9, 30)
    tasks = SubTask.objects.filter(deadline__isnull=False)
    by_sql = set(tasks.filter(due_soon_q("deadline", eve)).values_list("pk", flat=True))
    by_python = {
        pk
        for pk, deadline in tasks.values_list("pk", "deadline")
        if eve <= deadline and light_for(deadline, on=eve) == Light.DUE_SOON
    }
    assert by_sql == by_python


def test_a_calendar_row_added_by_the_administrator_counts_at_once():
    from county.workdays.models import CalendarDay, DayKind

    monday = D(2026, 12, 7)
    assert light_for(D(2026, 12, 15), on=monday) == Light.NORMAL
    CalendarDay.objects.create(date=D(2026, 12, 10), kind=DayKind.HOLIDAY, name="测试假日")
    assert light_for(D(2026, 12, 15), on=monday) == Light.DUE_SOON

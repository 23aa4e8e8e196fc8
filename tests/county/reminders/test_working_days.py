"""Reminders follow China's working days: nothing goes out on a day off, and a deadline on a
holiday is reminded of on the working day before it — once."""

import datetime

from county.reminders.models import Digest, Reminder, Rule
from county.reminders.service import run
from county.workdays.models import CalendarDay, DayKind

from .conftest import DAY

NATIONAL_DAY = datetime.date(2026, 10, 1)
BEFORE_HOLIDAY = datetime.date(2026, 9, 30)  # Wednesday, the last working day before it
AFTER_HOLIDAY = datetime.date(2026, 10, 8)


def test_nothing_is_sent_on_a_public_holiday(world, dossier):
    dossier("昨天逾期", NATIONAL_DAY - DAY)
    dossier("今天到期", NATIONAL_DAY)
    report = run(NATIONAL_DAY)
    assert report.day_off == "国庆节"
    assert report.as_json()["day_off"] == "国庆节"
    assert not Reminder.objects.exists() and not Digest.objects.exists()


def test_nothing_is_sent_on_a_weekend_but_a_make_up_saturday_is_worked(world, dossier):
    dossier("今天到期", datetime.date(2026, 10, 10))
    assert run(datetime.date(2026, 10, 11)).day_off == "休息日"  # an ordinary Sunday
    assert not Reminder.objects.exists()
    saturday = run(datetime.date(2026, 10, 10))  # 调休上班
    assert not saturday.day_off and saturday.recorded > 0


def test_a_deadline_on_a_holiday_is_reminded_the_working_day_before_and_only_once(
    world, dossier, user_named
):
    deadline = datetime.date(2026, 10, 3)
    dossier("国庆期间到期", deadline)
    first = run(BEFORE_HOLIDAY)
    mine = Reminder.objects.get(user=user_named("d21"))
    assert (mine.rule, mine.day, mine.deadline) == (Rule.DUE, deadline, deadline)
    assert "10月3日为国庆节，提前到今天提醒" in mine.note
    assert first.recorded == first.planned > 0
    again = run(BEFORE_HOLIDAY)
    assert again.recorded == 0 and again.already_sent == again.planned
    for offset in range(1, 8):  # the holiday itself: nothing
        assert run(BEFORE_HOLIDAY + offset * DAY).day_off
    run(AFTER_HOLIDAY)
    rules = list(
        Reminder.objects.filter(user__username="d21").order_by("day").values_list("rule", flat=True)
    )
    assert rules == [Rule.DUE, Rule.OVERDUE]


def test_an_admin_added_holiday_moves_the_reminder_forward(world, dossier):
    deadline = datetime.date(2027, 1, 4)  # a Monday, beyond the package's data
    dossier("元旦后到期", deadline)
    thursday = datetime.date(2026, 12, 31)  # the 1- and 3-day rules fall on Friday and Sunday
    run(thursday)
    assert set(Reminder.objects.values_list("rule", flat=True)) == {Rule.DAYS_7}
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    run(thursday)  # Thursday is now the last working day before the deadline
    assert set(Reminder.objects.values_list("rule", flat=True)) == {Rule.DAYS_7, Rule.DAYS_1}

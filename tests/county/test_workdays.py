"""China's working days (county/workdays/): the seeded table, the arithmetic, the cache, the
admin (rows and the Excel upload), and the features that count working days."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from county import workdays
from county.inbox import inbox_rows
from county.reminders.models import Rule
from county.reminders.rules import unit_rule
from county.workdays.calendar import Calendar
from county.workdays.models import CalendarDay, DayKind
from county.workdays.seed import package_days, seed
from tests.county.test_inbox import ask, item, no_queue  # noqa: F401  (fixtures)

D = datetime.date
DAY = datetime.timedelta(days=1)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NEW_YEAR_2027 = D(2027, 1, 1)  # a Friday, after the package's data ends


@pytest.fixture
def admin_client(client, user_named):
    client.force_login(user_named("admin"))
    return client


def test_national_day_2025_is_off_and_its_weekend_make_up_days_are_worked(demo):
    for offset in range(8):
        assert not workdays.is_working_day(D(2025, 10, 1) + offset * DAY)
    assert workdays.is_working_day(D(2025, 9, 28))  # Sunday, 调休上班
    assert workdays.is_working_day(D(2025, 10, 11))  # Saturday, 调休上班
    assert workdays.is_working_day(D(2025, 10, 9))
    assert not workdays.is_working_day(D(2025, 10, 12))  # an ordinary Sunday
    assert workdays.calendar().name_of(D(2025, 10, 6)) in {"国庆节", "中秋节"}


def test_counting_and_stepping_over_the_national_day_holiday(demo):
    assert workdays.working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert workdays.working_days_between(D(2025, 9, 26), D(2025, 10, 11)) == 6
    assert workdays.working_days_between(D(2025, 10, 9), D(2025, 10, 9)) == 0
    assert workdays.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert workdays.add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert workdays.add_working_days(D(2025, 9, 30), 0) == D(2025, 9, 30)
    assert workdays.previous_working_day(D(2025, 10, 9)) == D(2025, 9, 30)
    assert workdays.previous_working_day(D(2025, 9, 29)) == D(2025, 9, 28)  # Sunday worked


def test_counting_agrees_with_stepping_day_by_day_across_years(demo):
    calendar = workdays.calendar()
    start = D(2024, 12, 20)
    for days in range(0, 500, 7):
        end = start + days * DAY
        slow = sum(calendar.is_working_day(start + n * DAY) for n in range(1, days + 1))
        assert calendar.working_days_between(start, end) == slow
        if slow:
            assert calendar.working_days_between(start, calendar.add_working_days(start, slow)) == (
                slow
            )


def test_every_year_of_the_package_is_seeded_and_seeding_again_adds_nothing(demo):
    for year in range(2004, 2027):
        assert CalendarDay.objects.filter(date__year=year, kind=DayKind.HOLIDAY).exists(), year
    assert CalendarDay.objects.get(date=D(2026, 2, 17)).name == "春节"
    assert seed() == 0


def test_seeding_an_empty_table_fills_it_and_keeps_an_administrators_correction(demo):
    CalendarDay.objects.all().delete()
    CalendarDay.objects.create(date=D(2026, 10, 7), kind=DayKind.WORKDAY, name="国庆节")
    assert seed() == len(package_days()) - 1
    assert CalendarDay.objects.get(date=D(2026, 10, 7)).kind == DayKind.WORKDAY
    assert workdays.is_working_day(D(2026, 10, 7))
    assert not workdays.is_working_day(D(2026, 10, 6))


def test_the_calendar_is_read_once_and_an_unchanged_table_costs_one_small_query(
    demo, django_assert_num_queries
):
    workdays.calendar()
    with django_assert_num_queries(1):
        calendar = workdays.calendar()
    with django_assert_num_queries(1):
        assert workdays.calendar() is calendar


def test_an_added_edited_or_deleted_row_changes_the_answer_at_once(demo):
    assert workdays.is_working_day(NEW_YEAR_2027)
    row = CalendarDay.objects.create(date=NEW_YEAR_2027, kind=DayKind.HOLIDAY, name="元旦")
    assert not workdays.is_working_day(NEW_YEAR_2027)
    row.kind = DayKind.WORKDAY
    row.save()
    assert workdays.is_working_day(NEW_YEAR_2027)
    saturday = D(2027, 1, 2)
    row.date = saturday
    row.save()
    assert workdays.is_working_day(saturday)
    row.delete()
    assert not workdays.is_working_day(saturday)


def test_a_row_added_in_the_admin_changes_the_answer(admin_client):
    url = reverse("admin:county_calendarday_add")
    response = admin_client.post(url, {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 302
    assert not workdays.is_working_day(NEW_YEAR_2027)
    page = admin_client.get(reverse("admin:county_calendarday_changelist"))
    assert "节假日安排" in page.text and "导入节假日安排（Excel）" in page.text


def workbook(rows, header=("日期", "类型", "名称")):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["国务院办公厅关于2027年部分节假日安排的通知"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("2027年节假日安排.xlsx", data.getvalue())


IMPORT = "/admin/county/calendarday/import/"


def test_the_uploaded_notice_is_previewed_then_written_all_at_once(admin_client):
    rows = [
        (datetime.datetime(2027, 1, 1), "节假日", "元旦"),
        ("2027-01-02", "节假日", "元旦"),
        ("2027年2月6日", "节假日", "春节"),
        ("2027-02-20", "调休上班", "春节"),
    ]
    preview = admin_client.post(IMPORT, {"file": workbook(rows)})
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.ok and [r.line for r in result.rows] == [3, 4, 5, 6]
    assert preview.context["counts"] == {"新增": 4, "修改": 0, "不变": 0}
    assert not CalendarDay.objects.filter(date__year=2027).exists()  # only a preview
    done = admin_client.post(
        IMPORT, {"confirm": preview.context["confirm"], "file_name": "2027年节假日安排.xlsx"}
    )
    assert done.status_code == 302
    assert CalendarDay.objects.filter(date__year=2027).count() == 4
    assert not workdays.is_working_day(NEW_YEAR_2027)
    assert workdays.is_working_day(D(2027, 2, 20))  # a Saturday worked
    assert CalendarDay.objects.get(date=NEW_YEAR_2027).history.count() == 1


def test_an_upload_with_bad_rows_lists_each_in_chinese_and_writes_nothing(admin_client):
    rows = [
        ("2027-01-01", "节假日", "元旦"),
        ("2027-13-01", "节假日", "元旦"),
        ("2027-01-01", "放假", "元旦"),
        ("2027-02-08", "休息吧", "春节"),
        ("2027-02-09", "调休上班", "春节"),  # a Tuesday
        ("2027-02-10", "节假日", ""),
    ]
    response = admin_client.post(IMPORT, {"file": workbook(rows)})
    errors = response.context["result"].errors
    assert errors == [
        "第4行「日期」：无法识别的日期“2027-13-01”，请写成 2023年10月31日 或 2023-10-31",
        "第5行「日期」：与第3行重复。",
        "第6行「类型」：“休息吧”无法识别，请填写“节假日”或“调休上班”。",
        "第7行「类型」：2027年2月9日是星期二，本来就上班，调休上班日应是星期六或星期日。",
        "第8行「名称」：不能为空，请填写节日名称，如“春节”。",
    ]
    assert "confirm" not in response.context
    assert "未导入任何数据" in response.text
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_an_upload_without_the_three_columns_is_refused(admin_client):
    response = admin_client.post(
        IMPORT, {"file": workbook([("2027-01-01", "元旦")], header=("日期", "名称"))}
    )
    assert response.context["result"].errors[0].startswith("找不到表头")


def test_a_tampered_confirmation_writes_nothing(admin_client):
    response = admin_client.post(IMPORT, {"confirm": '[[3, "2027-01-01"]]:forged'})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_a_request_waiting_over_the_national_day_holiday_is_not_late(item, user_named):  # noqa: F811
    request = ask(item, user_named("d21"))[0]
    asked = datetime.datetime(2025, 9, 30, 16, 0, tzinfo=SHANGHAI)
    type(request).objects.filter(pk=request.pk).update(requested_at=asked)
    supervisor = user_named("sup_d03")

    def row(on):
        rows, _kinds, _truncated = inbox_rows(supervisor, on=on)
        return next(r for r in rows if r["obj"].pk == request.pk)

    assert (row(D(2025, 10, 10))["waited"], row(D(2025, 10, 10))["late"]) == (2, False)
    assert (row(D(2025, 10, 13))["waited"], row(D(2025, 10, 13))["late"]) == (4, True)


def test_reminder_rule_days_on_days_off_move_to_the_working_day_before():
    october = {D(2026, 10, 1) + n * DAY: "国庆节" for n in range(7)}
    calendar = Calendar(holidays=october, workdays={D(2026, 10, 10): "国庆节"})
    deadline = D(2026, 10, 3)  # a Saturday inside the holiday
    assert unit_rule(deadline, D(2026, 9, 30), calendar=calendar) == (Rule.DUE, deadline)
    assert unit_rule(deadline, D(2026, 9, 29), calendar=calendar) == (Rule.DAYS_7, D(2026, 9, 26))
    # A deadline right after the holiday: its 1- and 3-day rules come before the holiday.
    after = D(2026, 10, 9)
    assert unit_rule(after, D(2026, 9, 30), calendar=calendar) == (Rule.DAYS_3, after - 3 * DAY)
    assert unit_rule(after, D(2026, 10, 8), calendar=calendar) == (Rule.DAYS_1, after - DAY)
    # Without a calendar (pure date arithmetic) nothing moves.
    assert unit_rule(deadline, D(2026, 9, 30)) == (Rule.DAYS_3, deadline - 3 * DAY)

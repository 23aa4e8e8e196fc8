"""One reminder run, called in-process: right people, right digest, exactly once."""

import datetime
import io
import json
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from county.models import User
from county.reminders import digest as digests
from county.reminders.models import (
    Digest,
    Notification,
    Reminder,
    ReminderSettings,
    Rule,
    SupervisionNotice,
)
from county.reminders.scan import scan_items
from county.reminders.service import run

from .conftest import DAY, MONDAY

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour=8, minute=30):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI),
        tick=False,
    )


def reminders_of(username):
    return list(Reminder.objects.filter(user__username=username).order_by("deadline", "rule"))


def test_unit_staff_get_one_digest_grouped_by_urgency(world, dossier, user_named):
    dossier("七天后到期", MONDAY + 7 * DAY)
    dossier("三天后到期", MONDAY + 3 * DAY)
    dossier("明天到期", MONDAY + DAY)
    dossier("今天到期", MONDAY)
    dossier("昨天逾期", MONDAY - DAY)
    dossier("十天后到期", MONDAY + 10 * DAY)  # outside every rule
    with at(MONDAY):
        report = run()
    assert report.day == MONDAY
    d21 = user_named("d21")
    assert Digest.objects.filter(user=d21).count() == 1
    notice = Notification.objects.get(user=d21)
    assert notice.title == "【督办提醒】2026年3月2日：逾期1项，今日到期1项，1天1项，3天1项，7天1项"
    body = notice.body
    order = ["昨天逾期", "今天到期", "明天到期", "三天后到期", "七天后到期"]
    assert [body.index(t) for t in order] == sorted(body.index(t) for t in order)
    assert "十天后到期" not in body
    assert "【测试板块】" in body
    to_d21 = [m for m in mail.outbox if m.to == [d21.email]]
    assert len(to_d21) == 1 and to_d21[0].subject == notice.title
    # Nobody else in the unit-less accounts got the unit's reminders.
    assert {r.user.username for r in Reminder.objects.exclude(rule=Rule.SUPERVISOR)} == {"d21"}


def test_overdue_escalates_to_supervisor_at_once_and_to_leader_after_the_set_days(
    world, dossier, user_named
):
    leader = user_named("leader03").leader
    dossier("逾期一天", MONDAY - DAY, leader=leader)
    dossier("逾期八天", MONDAY - 8 * DAY, leader=leader)
    with at(MONDAY):
        run()
    sup = reminders_of("sup_d03")
    assert [(r.title, r.rule) for r in sup] == [
        ("逾期八天", Rule.SUPERVISOR),
        ("逾期一天", Rule.SUPERVISOR),
    ]
    leader_rules = {(r.title, r.rule) for r in reminders_of("leader03")}
    assert ("逾期八天", Rule.LEADER) in leader_rules
    assert ("逾期一天", Rule.LEADER) not in leader_rules
    ReminderSettings.objects.update(leader_escalation_days=1)
    with at(MONDAY + DAY):
        run()
    assert Reminder.objects.filter(
        user__username="leader03", rule=Rule.LEADER, title="逾期一天"
    ).exists()


def test_notice_is_issued_once_with_a_number_and_named_in_the_digest(world, dossier):
    dossier("逾期两天", MONDAY - 2 * DAY)
    with at(MONDAY):
        report = run()
        run()
    assert report.notices == ["督办〔2026〕第001号"]
    notice = SupervisionNotice.objects.get()
    assert notice.number == "督办〔2026〕第001号"
    assert notice.unit == world["agri"] and notice.days_overdue == 2
    assert notice.history.count() == 1
    body = Notification.objects.get(user__username="d21").body
    assert "已下发督办〔2026〕第001号" in body


def test_running_the_same_day_again_sends_nothing_new(world, dossier):
    dossier("今天到期", MONDAY)
    dossier("昨天逾期", MONDAY - DAY)
    with at(MONDAY):
        first = run()
        mails = len(mail.outbox)
        second = run()
    assert first.sent > 0 and first.recorded == first.planned
    assert second.as_json() == {
        "date": "2026-03-02",
        "sent": 0,
        "already_sent": first.planned,
        "digests": 0,
        "escalations": 0,
    }
    assert len(mail.outbox) == mails
    assert Notification.objects.count() == len(first.digests)


def test_next_days_bring_the_next_rule_only(world, dossier):
    dossier("三天后到期", MONDAY + 3 * DAY)
    rules = []
    for offset in range(6):
        with at(MONDAY + offset * DAY):
            run()
    rules = list(
        Reminder.objects.filter(user__username="d21").order_by("day").values_list("rule", "day")
    )
    assert rules == [
        (Rule.DAYS_3, MONDAY),
        (Rule.DAYS_1, MONDAY + 2 * DAY),
        (Rule.DUE, MONDAY + 3 * DAY),
        (Rule.OVERDUE, MONDAY + 4 * DAY),
    ]
    assert Digest.objects.filter(user__username="d21").count() == 4


def test_leaders_weekly_digest_covers_led_items_and_liaison_townships(
    world, dossier, user_named, unit_named
):
    from county.models import Leader

    leader = user_named("leader03").leader
    township = Leader.objects.get(pk=leader.pk).liaison_townships.first()
    dossier("牵头的逾期事项", MONDAY - 3 * DAY, leader=leader)
    dossier("联系乡镇的逾期事项", MONDAY - 3 * DAY, unit=township)
    dossier("上周五才逾期以外的", MONDAY + 2 * DAY, leader=leader)
    with at(MONDAY + DAY):  # Tuesday: the Monday digest was missed and is caught up
        run()
    mine = Reminder.objects.filter(rule=Rule.WEEKLY, user__username="leader03")
    weekly = {r.title: r for r in mine}
    assert set(weekly) == {"牵头的逾期事项", "联系乡镇的逾期事项"}
    assert weekly["联系乡镇的逾期事项"].note == f"联系乡镇：{township.name}"
    assert all(r.day == MONDAY for r in weekly.values())
    with at(MONDAY + 2 * DAY):
        run()
    assert Reminder.objects.filter(rule=Rule.WEEKLY, user__username="leader03").count() == 2


def test_unit_without_active_account_is_listed_and_routed_to_the_supervisor(
    world, dossier, unit_named
):
    eco = unit_named("县生态环境局")
    User.objects.filter(unit=eco).update(is_active=False)
    dossier("无人接收的单位", MONDAY + 3 * DAY, unit=eco)
    with at(MONDAY):
        report = run()
    assert report.units_without_account == ["县生态环境局"]
    routed = Reminder.objects.get(user__username="sup_d03", rule=Rule.DAYS_3)
    assert routed.note == "代收：县生态环境局无启用账号"
    out = io.StringIO()
    with at(MONDAY):
        call_command("send_reminders", "--dry-run", stdout=out)
    assert "县生态环境局" in out.getvalue()


def test_muted_email_still_gets_the_in_app_notice(world, dossier, user_named):
    User.objects.filter(username="d21").update(email_muted=True)
    dossier("今天到期", MONDAY)
    with at(MONDAY):
        run()
    d21 = user_named("d21")
    assert Notification.objects.filter(user=d21).count() == 1
    assert Digest.objects.get(user=d21).email_status == Digest.Email.MUTED
    assert not [m for m in mail.outbox if d21.email in m.to]


def test_mail_server_down_keeps_the_notice_and_retries_the_mail(
    world, dossier, user_named, settings
):
    dossier("今天到期", MONDAY)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with at(MONDAY):
        report = run()
    digest = Digest.objects.get(user__username="d21")
    assert digest.status == Digest.Status.SENT and digest.email_status == Digest.Email.FAILED
    assert report.emails_failed == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with at(MONDAY, hour=9):
        again = run()
    assert again.sent == 0
    digest.refresh_from_db()
    assert digest.email_status == Digest.Email.SENT and digest.email_attempts == 2
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user__username="d21").count() == 1


def test_a_run_killed_half_way_is_completed_by_the_next_without_duplicates(
    world, dossier, user_named, monkeypatch
):
    leader = user_named("leader03").leader
    dossier("逾期八天", MONDAY - 8 * DAY, leader=leader)  # d21, sup_d03, leader03
    real = digests.render_text
    calls = []

    def dies_on_the_second_digest(*args):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("worker killed")  # inside the delivery transaction
        return real(*args)

    monkeypatch.setattr(digests, "render_text", dies_on_the_second_digest)
    with at(MONDAY), pytest.raises(SystemExit):
        run()
    assert Notification.objects.count() == 1
    assert Digest.objects.filter(status=Digest.Status.PENDING).count() == 2
    monkeypatch.setattr(digests, "render_text", real)
    with at(MONDAY):
        report = run()
    assert report.recorded == 0 and len(report.digests) == 2
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == [
        "d21",
        "leader03",
        "sup_d03",
    ]
    assert not Reminder.objects.filter(digest__isnull=True).exists()
    per_person = {}
    for m in mail.outbox:
        per_person[m.to[0]] = per_person.get(m.to[0], 0) + 1
    assert set(per_person.values()) == {1}


def test_dry_run_records_nothing(world, dossier):
    dossier("今天到期", MONDAY)
    with at(MONDAY):
        report = run(dry_run=True)
    assert report.dry_run and report.recorded == 1 and len(report.digests) == 1
    assert not Reminder.objects.exists() and not Notification.objects.exists()
    assert not mail.outbox


def test_command_prints_chinese_and_json(world, dossier):
    dossier("今天到期", MONDAY)
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-03-02", stdout=out)
    text = out.getvalue()
    assert "督办提醒 2026年3月2日" in text and "d21" in text and "今日到期1项" in text
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-03-02", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "date": "2026-03-02",
        "sent": 0,
        "already_sent": 1,
        "digests": 0,
        "escalations": 0,
    }


def test_scan_query_count_does_not_grow_with_items(world, dossier):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            items = scan_items(MONDAY)
        return len(ctx.captured_queries), len(items)

    dossier("一项", MONDAY)
    few, n_few = queries()
    from tests.testapp.models import Dossier

    Dossier.objects.bulk_create(
        Dossier(title=f"第{i}项", unit=world["agri"], deadline=MONDAY - (i % 20) * DAY)
        for i in range(300)
    )
    many, n_many = queries()
    assert (n_few, n_many) == (1, 301)
    assert many == few == 1 + 2  # items, then one per unit path (unit, co_units)


def test_run_query_count_does_not_grow_with_items(world, dossier):
    from tests.testapp.models import Dossier

    def queries(n):
        Dossier.objects.bulk_create(
            Dossier(title=f"第{i}项", unit=world["agri"], deadline=MONDAY + (i % 8) * DAY)
            for i in range(n)
        )
        with CaptureQueriesContext(connection) as ctx:
            run(MONDAY, dry_run=True)
        Dossier.objects.all().delete()
        return len(ctx.captured_queries)

    assert queries(10) == queries(400)

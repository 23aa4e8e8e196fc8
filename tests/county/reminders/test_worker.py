"""With a real Redis broker and a real Celery worker (not eager mode).

Worker tests need ``transaction=True``: the worker's threads use their own database
connections and must see committed rows.
"""

import datetime
import threading

import pytest
from django.db import connection
from django_celery_beat.models import PeriodicTask

from county.reminders.models import Digest, Notification, Reminder
from county.reminders.service import run
from county.reminders.tasks import send_reminders

from .conftest import DAY, MONDAY

TIMEOUT = 60


def make_items(dossier, user_named):
    leader = user_named("leader03").leader
    dossier("逾期八天", MONDAY - 8 * DAY, leader=leader)
    dossier("今天到期", MONDAY)
    dossier("三天后到期", MONDAY + 3 * DAY)


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_each_digest_once_and_a_second_run_nothing(
    world, dossier, user_named, celery_app, celery_worker
):
    make_items(dossier, user_named)
    first = send_reminders.delay(MONDAY.isoformat()).get(timeout=TIMEOUT)
    assert first["digests"] == 3  # d21, sup_d03 (escalation), leader03 (escalation + weekly)
    assert first["escalations"] == 2
    second = send_reminders.delay(MONDAY.isoformat()).get(timeout=TIMEOUT)
    assert second == {
        "date": "2026-03-02",
        "sent": 0,
        "already_sent": first["sent"],
        "digests": 0,
        "escalations": 0,
    }
    assert Notification.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once(
    world, dossier, user_named, celery_app, celery_worker
):
    make_items(dossier, user_named)
    results = [send_reminders.delay(MONDAY.isoformat()) for _ in range(2)]
    summaries = [r.get(timeout=TIMEOUT) for r in results]
    total = Reminder.objects.count()
    assert sum(s["sent"] for s in summaries) == total
    assert sum(s["digests"] for s in summaries) == 3
    assert Notification.objects.count() == 3
    assert not Reminder.objects.filter(digest__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_in_threads_never_duplicate(world, dossier, user_named):
    """Eight runs at once on PostgreSQL: the unique key and the claim keep it once."""
    make_items(dossier, user_named)
    summaries, errors = [], []

    def worker():
        try:
            summaries.append(run(MONDAY).as_json())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(s["sent"] for s in summaries) == Reminder.objects.count()
    assert sum(s["digests"] for s in summaries) == 3 == Digest.objects.count()
    assert Notification.objects.count() == 3


@pytest.mark.django_db
def test_saving_a_record_works_when_the_broker_is_unreachable(world, dossier, settings):
    """Reminders come from the periodic scan: a save never talks to Redis."""
    from county.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        item = dossier("Redis 停了也能保存", datetime.date(2026, 3, 9))
        item.title = "改了标题"
        item.save()
        item.refresh_from_db()
        assert item.title == "改了标题"
        assert run(MONDAY).recorded == 1
    finally:
        app.conf.broker_url = saved


def test_the_beat_schedule_runs_every_day_at_0830_shanghai(db):
    task = PeriodicTask.objects.get(task="county.reminders.tasks.send_reminders")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "8",
        "30",
        "Asia/Shanghai",
    )


def test_the_task_acks_late_and_is_rejected_when_the_worker_dies():
    assert send_reminders.acks_late is True
    assert send_reminders.reject_on_worker_lost is True


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_is_completed_by_the_next_run(
    world, dossier, user_named, celery_app, tmp_path
):
    """A real ``celery worker`` process, SIGKILLed while sending; the next run finishes."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.conf import settings
    from django.core import mail

    make_items(dossier, user_named)
    log = tmp_path / "mail.log"
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.county.reminders.worker_settings",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/"
            f"{db['NAME']}"
        ),
        "TEST_EMAIL_BACKEND": "tests.county.reminders.blocking_mail.EmailBackend",
        "MAIL_LOG": str(log),
    }
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the kill test runs on PostgreSQL")
    celery = Path(sys.executable).with_name("celery")
    worker = subprocess.Popen(
        [str(celery), "-A", "county", "worker", "-P", "solo", "-l", "warning", "-Q", "celery"],
        env=env,
        cwd=settings.BASE_DIR,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        send_reminders.delay(MONDAY.isoformat())
        hang = Path(str(log) + ".hang")
        deadline = time.monotonic() + TIMEOUT
        while not hang.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert hang.exists(), "the worker never reached the second e-mail"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    # Killed while e-mailing the second digest: the first is delivered, the rest pending.
    assert Notification.objects.count() >= 1
    assert Digest.objects.filter(status=Digest.Status.PENDING).exists()
    # The next run (beat tomorrow morning, or by hand) sends only what is missing.
    mail.outbox.clear()
    report = run(MONDAY)
    users = list(Notification.objects.values_list("user_id", flat=True))
    assert len(users) == len(set(users)) == Digest.objects.count()
    assert not Digest.objects.filter(status=Digest.Status.PENDING).exists()
    assert not Reminder.objects.filter(digest__isnull=True).exists()
    emailed = log.read_text().splitlines() + [m.to[0] for m in mail.outbox]
    assert len(emailed) == len(set(emailed)) == Digest.objects.count()
    assert report.recorded == 0  # everything was recorded before the kill; only sending remained

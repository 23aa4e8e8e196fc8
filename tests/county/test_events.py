"""Event notifications (county/events.py): told at once after commit, exactly once, never
for a rolled-back change, and a dead Redis never turns a saved change into a 500."""

import datetime
import uuid

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from county.events import deliver, notify, send_event_emails
from county.models import AuditEvent
from county.reminders.models import EventNotice, Notification
from county.status import today
from reforms import workflow
from reforms.models import ReformItem, SubTask


@pytest.fixture
def queued(monkeypatch):
    """The e-mail tasks queued (instead of sending them to Redis)."""
    calls = []
    monkeypatch.setattr(send_event_emails, "delay", lambda event_id: calls.append(event_id))
    return calls


@pytest.fixture
def item(demo, unit_named):
    from county.models import Leader

    item = ReformItem.objects.create(
        year=2099,
        number=7,
        title="事件测试改革",
        lead_unit=unit_named("县财政局"),
        lead_leader=Leader.objects.get(name="刘洋"),
    )
    task = SubTask.objects.create(
        item=item, order=1, name="农业举措", deadline=today() + datetime.timedelta(days=30)
    )
    task.units.set([unit_named("县农业农村局")])
    return item


@pytest.fixture
def emails(user_named):
    """Give d21 and sup_d03 an e-mail address."""
    for name in ("d21", "sup_d03"):
        user = user_named(name)
        user.email = f"{name}@example.gov.cn"
        user.save(update_fields=["email"])


def test_one_notification_and_one_email_per_person_even_when_the_task_runs_twice(
    user_named, django_capture_on_commit_callbacks, queued, emails
):
    d21, sup = user_named("d21"), user_named("sup_d03")
    with django_capture_on_commit_callbacks(execute=True):
        event_id = notify("testing.event", [d21, sup, sup.pk], "测试事件", "内容", "/todo/")
    assert queued == [str(event_id)]
    assert Notification.objects.filter(title="测试事件").count() == 2
    send_event_emails.apply(args=[str(event_id)])  # the worker runs it …
    send_event_emails(str(event_id))  # … and a retried delivery runs it again
    deliver(event_id, "testing.event", [d21.pk, sup.pk], "测试事件")  # a second delivery
    assert Notification.objects.filter(user=d21, title="测试事件").count() == 1
    assert Notification.objects.filter(user=sup, title="测试事件").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["d21@example.gov.cn", "sup_d03@example.gov.cn"]
    assert "测试事件" in mail.outbox[0].subject and "/todo/" in mail.outbox[0].body
    assert set(
        EventNotice.objects.filter(event_id=event_id).values_list("email_status", flat=True)
    ) == {"sent"}


def test_the_actor_is_not_told_and_a_muted_person_gets_no_email(
    user_named, django_capture_on_commit_callbacks, queued, emails
):
    d21, sup = user_named("d21"), user_named("sup_d03")
    sup.email_muted = True
    sup.save(update_fields=["email_muted"])
    with django_capture_on_commit_callbacks(execute=True):
        event_id = notify("testing.event", [d21, sup], "静音测试", actor=d21)
    assert list(Notification.objects.filter(title="静音测试").values_list("user", flat=True)) == [
        sup.pk
    ]
    assert queued == []  # nobody to e-mail
    send_event_emails(str(event_id))
    assert mail.outbox == []
    assert EventNotice.objects.get(event_id=event_id).email_status == "muted"


def test_a_rolled_back_change_tells_nobody(
    item, user_named, django_capture_on_commit_callbacks, queued
):
    task = item.subtasks.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            workflow.request_completion(task, user_named("d21"), "已完成")
            raise RuntimeError("something later failed")
    assert callbacks == []
    assert not Notification.objects.filter(title__contains="农业举措").exists()
    assert not EventNotice.objects.exists() and queued == []


def test_request_and_decision_tell_the_supervisors_then_the_asking_unit_with_the_reason(
    item, user_named, django_capture_on_commit_callbacks, queued
):
    task = item.subtasks.get()
    d21, sup = user_named("d21"), user_named("sup_d03")
    with django_capture_on_commit_callbacks(execute=True):
        request = workflow.request_completion(task, d21, "文件已印发")
    told = Notification.objects.filter(title__contains="农业举措")
    assert set(told.values_list("user__username", flat=True)) == {"sup_d03"}
    assert told.get().url == reverse("county:inbox")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.decide_completion(request.pk, sup, False, "缺少印发文件扫描件")
    back = Notification.objects.filter(user=d21, title__contains="被退回").get()
    assert "退回原因：缺少印发文件扫描件" in back.body
    assert back.url.endswith(f"#task-{task.pk}")
    audit = AuditEvent.objects.filter(action=AuditEvent.Action.DECISION).latest("time")
    assert audit.user == sup and "被退回" in audit.detail and "缺少印发文件扫描件" in audit.detail


def test_instruction_tells_the_items_units(
    item, user_named, django_capture_on_commit_callbacks, queued
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.give_instruction(item, user_named("leader01"), "抓紧推进", today())
    names = set(
        Notification.objects.filter(title__contains="批示").values_list("user__username", flat=True)
    )
    assert "d21" in names  # the sub-task's unit
    assert any(n.startswith("d") for n in names - {"d21"})  # the lead unit 县财政局
    assert "leader01" not in names and "t02" not in names


def test_environment_send_back_tells_the_township(
    demo, user_named, unit_named, django_capture_on_commit_callbacks, queued, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from environment.models import Problem, ProblemCategory, ensure_seed_categories
    from environment.photos import check_photo
    from tests.environment.conftest import jpeg_bytes

    settings.MEDIA_ROOT = tmp_path
    ensure_seed_categories()
    problem = Problem.objects.create(
        number=Problem.next_number(),
        found_on=today(),
        township=unit_named("城关镇"),
        category=ProblemCategory.objects.first(),
        description="垃圾未清运",
        deadline=today() + datetime.timedelta(days=5),
    )
    photo = check_photo(
        SimpleUploadedFile("after.jpg", jpeg_bytes((200, 150)), content_type="image/jpeg")
    )
    with django_capture_on_commit_callbacks(execute=True):
        problem.submit(user_named("t02"), "已清运", [photo])
    assert Notification.objects.filter(user=user_named("sup_d18"), title__contains="待验收")
    with django_capture_on_commit_callbacks(execute=True):
        Problem.objects.get(pk=problem.pk).reject(user_named("sup_d18"), "照片看不清")
    told = Notification.objects.filter(title__contains="退回整改")
    assert "t02" in set(told.values_list("user__username", flat=True))
    assert all("退回原因：照片看不清" in n.body for n in told)


def test_a_dead_broker_never_makes_a_500(
    client, item, user_named, django_capture_on_commit_callbacks, settings, emails
):
    """The change is saved and told in-app; only queueing the e-mail fails, and is logged."""
    from county.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.broker_connection_retry = False
    try:
        client.force_login(user_named("d21"))
        task = item.subtasks.get()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("reforms:request_completion", args=[task.pk]), {"reason": "完成"}
            )
        assert response.status_code == 302
        assert task.completion_requests.count() == 1
        assert Notification.objects.filter(user=user_named("sup_d03")).exists()
    finally:
        app.conf.broker_url = saved


def test_unknown_event_ids_send_nothing(db):
    assert send_event_emails(str(uuid.uuid4())) == 0

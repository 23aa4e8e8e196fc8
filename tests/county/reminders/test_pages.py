"""The notification centre, the bell, 督办单 acknowledgement and the e-mail switch."""

import pytest
from django.urls import reverse

from county.models import User
from county.reminders.models import Notification, SupervisionNotice
from county.reminders.service import run

from .conftest import DAY, MONDAY


@pytest.fixture
def delivered(world, dossier, user_named):
    dossier("今天到期的事项", MONDAY)
    dossier("逾期两天的事项", MONDAY - 2 * DAY)
    run(MONDAY)
    return user_named("d21")


def test_bell_shows_unread_count_and_list_links_each_item(client, delivered):
    client.force_login(delivered)
    page = client.get(reverse("county:todo")).content.decode()
    assert 'data-testid="unread-count">1<' in page
    page = client.get(reverse("county:notifications")).content.decode()
    assert "今天到期的事项" in page and "逾期两天的事项" in page
    assert "/testing/" in page  # each item links to its record
    assert page.index('data-urgency="overdue"') < page.index('data-urgency="today"')


def test_mark_one_and_all_read(client, delivered, dossier):
    client.force_login(delivered)
    n = Notification.objects.get(user=delivered)
    client.post(reverse("county:notification_read", args=[n.pk]))
    n.refresh_from_db()
    assert n.is_read
    Notification.objects.create(user=delivered, title="另一条")
    Notification.objects.create(user=delivered, title="第三条")
    client.post(reverse("county:notifications_read_all"))
    assert not Notification.objects.filter(user=delivered, read_at__isnull=True).exists()
    page = client.get(reverse("county:todo")).content.decode()
    assert 'data-testid="unread-count"' not in page


def test_opening_a_notification_marks_it_read_and_others_cannot(client, delivered, user_named):
    n = Notification.objects.get(user=delivered)
    client.force_login(user_named("d30"))
    assert client.get(reverse("county:notification", args=[n.pk])).status_code == 404
    client.force_login(delivered)
    assert client.get(reverse("county:notification", args=[n.pk])).status_code == 200
    n.refresh_from_db()
    assert n.is_read


def test_notification_list_is_paginated(client, demo, user_named):
    user = user_named("d21")
    Notification.objects.bulk_create(
        Notification(user=user, title=f"通知{i:02d}") for i in range(25)
    )
    client.force_login(user)
    page = client.get(reverse("county:notifications") + "?page=3").content.decode()
    assert page.count('data-testid="notification"') == 5
    assert "共 25 条" in page


def test_unit_staff_acknowledge_their_notice_supervisors_see_all(client, delivered, user_named):
    notice = SupervisionNotice.objects.get()
    url = reverse("county:notice", args=[notice.pk])
    client.force_login(user_named("d30"))  # another unit: not even visible
    assert client.get(url).status_code == 404
    client.force_login(user_named("sup_d03"))
    assert notice.number in client.get(reverse("county:notices")).content.decode()
    assert client.post(url, {"response": "越权"}).status_code == 403
    client.force_login(delivered)
    page = client.get(reverse("county:todo")).content.decode()
    assert "督办单" in page and 'text-bg-warning ms-1">1<' in page
    response = client.post(url, {"response": ""})
    assert "请填写整改说明" in response.content.decode()
    client.post(url, {"response": "已安排专人整改，3月10日前完成。"})
    notice.refresh_from_db()
    assert notice.is_acknowledged and notice.acknowledged_by == delivered
    assert notice.history.count() == 2


def test_profile_toggle_mutes_email_only(client, demo, user_named):
    user = user_named("d21")
    user.email = "d21@example.com"
    user.save(update_fields=["email"])
    client.force_login(user)
    assert "关闭邮件提醒" in client.get(reverse("county:profile")).content.decode()
    client.post(reverse("county:email_toggle"), {"email_muted": "1"})
    assert User.objects.get(pk=user.pk).email_muted
    assert "开启邮件提醒" in client.get(reverse("county:profile")).content.decode()
    client.post(reverse("county:email_toggle"), {"email_muted": "0"})
    assert not User.objects.get(pk=user.pk).email_muted

"""On a phone the bell and 督办单 counts stay in the bar, outside the collapsed menu."""

from django.urls import reverse

from county.reminders.models import Notification


def test_bell_count_is_outside_the_collapsed_menu(client, user_named):
    user = user_named("d21")
    Notification.objects.create(user=user, title="测试通知", body="")
    client.force_login(user)
    page = client.get(reverse("county:todo")).content.decode()
    phone = page.index('data-testid="nav-phone-counts"')
    menu = page.index('id="mainnav"')
    assert phone < menu  # before the collapsing part of the navbar
    assert 'data-testid="unread-count-phone">1<' in page
    assert 'data-testid="nav-notices-phone"' in page

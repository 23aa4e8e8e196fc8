"""The demo's login page lists one account for each of the eight demo roles."""

from django.urls import reverse

EIGHT = ["d21", "t02", "sup_d03", "sup_d17", "sup_d21", "sup_d18", "leader01", "admin"]


def test_login_page_lists_all_eight_demo_roles(client, demo, settings):
    settings.DEBUG = True
    page = client.get(reverse("login")).content.decode()
    for username in EIGHT:
        assert f"<code>{username}</code>" in page, username

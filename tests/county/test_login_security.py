"""Login throttling (django-axes), the password change page, idle sessions, the API schema.

Five wrong passwords for one user name from one address lock that pair for half an hour with a
Chinese page saying until when and whom to call; other clerks behind the same address and the
same clerk elsewhere still log in. The address is the one nginx appended to X-Forwarded-For,
never what the client wrote to its left (tests/county/test_lockout_proxy.py: never a header sent
by anyone but our proxy).
"""

import datetime
import re

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from county.management.commands.load_demo import DEMO_PASSWORD
from county.models import AuditEvent

pytestmark = pytest.mark.django_db

OFFICE = "198.51.100.7"  # one township office: every clerk behind one public address
ELSEWHERE = "203.0.113.9"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def behind_nginx(settings):
    """As in production: nginx on this host appends the client's address."""
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]


def attempt(client, username, password, address=OFFICE, forged=None, **extra):
    """POST the login form through nginx from ``address`` (optionally after a forged entry)."""
    forwarded = f"{forged}, {address}" if forged else address
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded,
        **extra,
    )


def logged_in(response):
    return response.status_code == 302 and "/login/" not in response["Location"]


def fail(client, username, times, **kwargs):
    return [attempt(client, username, "wrong-password", **kwargs) for _ in range(times)]


def test_five_wrong_passwords_lock_that_user_from_that_address(client, demo):
    with time_machine.travel(START, tick=False):
        responses = fail(client, "d21", 5)
        assert [r.status_code for r in responses[:4]] == [200] * 4  # the form, with its error
        assert "请输入一个正确的" in responses[0].content.decode()
        assert responses[4].status_code == 429

        refused = attempt(client, "d21", DEMO_PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    page = refused.content.decode()
    assert "登录已暂时锁定" in page and "连续 5 次" in page
    assert "3月2日 09:30" in page  # the last failure plus the 30-minute cool-off
    assert django_settings.LOGIN_HELP_CONTACT in page
    assert "同一单位的其他同事不受影响" in page


def test_the_lock_holds_one_pair_only(client, demo):
    with time_machine.travel(START, tick=False):
        fail(client, "d21", 5)
        assert attempt(client, "d21", DEMO_PASSWORD).status_code == 429
        # another clerk of the same office, behind the same address
        assert logged_in(attempt(client, "d30", DEMO_PASSWORD))
        client.logout()
        # the same clerk from another address
        assert logged_in(attempt(client, "d21", DEMO_PASSWORD, address=ELSEWHERE))


def test_the_lock_ends_after_the_cool_off(client, demo):
    with time_machine.travel(START, tick=False):
        fail(client, "t02", 5)
    with time_machine.travel(START + datetime.timedelta(minutes=29), tick=False):
        assert attempt(client, "t02", DEMO_PASSWORD).status_code == 429
    with time_machine.travel(START + datetime.timedelta(minutes=31), tick=False):
        assert logged_in(attempt(client, "t02", DEMO_PASSWORD))


def test_tries_during_the_lock_do_not_move_the_time_shown(client, demo):
    with time_machine.travel(START, tick=False):
        fail(client, "t02", 5)
    with time_machine.travel(START + datetime.timedelta(minutes=20), tick=False):
        page = attempt(client, "t02", "wrong-again").content.decode()
    assert "3月2日 09:30" in page and "约 10 分钟后" in page


def test_a_forged_x_forwarded_for_does_not_escape_the_lock(client, demo):
    """Only the entry nginx appended counts; the client controls everything to its left."""
    with time_machine.travel(START, tick=False):
        for n in range(5):
            attempt(client, "sup_d03", "wrong-password", forged=f"10.9.8.{n}")
        refused = attempt(client, "sup_d03", DEMO_PASSWORD, forged="10.9.8.200")
    assert refused.status_code == 429


def test_without_a_proxy_the_header_is_ignored(client, demo, settings):
    settings.TRUSTED_PROXIES = []
    with time_machine.travel(START, tick=False):
        for n in range(5):
            attempt(client, "d21", "wrong-password", address=f"10.0.0.{n}")
        assert attempt(client, "d21", DEMO_PASSWORD, address="10.0.0.99").status_code == 429


def test_the_address_is_read_safely():
    from django.test import RequestFactory, override_settings

    from county.login_security import client_ip

    factory = RequestFactory()
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        assert client_ip(factory.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")) == OFFICE
        assert client_ip(factory.get("/", HTTP_X_FORWARDED_FOR="2001:db8::1")) == "2001:db8::1"
        assert client_ip(factory.get("/", HTTP_X_FORWARDED_FOR="unknown")) == "127.0.0.1"
        assert client_ip(factory.get("/")) == "127.0.0.1"  # from nginx's host, no header
    with override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/24"]):
        # a load balancer (10.0.0.5) in front of nginx: both are ours, skipped from the right
        request = factory.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.5")
        assert client_ip(request) == OFFICE
        assert client_ip(factory.get("/", HTTP_X_FORWARDED_FOR="10.0.0.5")) == "10.0.0.5"


def test_a_successful_login_clears_the_count(client, demo):
    with time_machine.travel(START, tick=False):
        fail(client, "d21", 4)
        assert logged_in(attempt(client, "d21", DEMO_PASSWORD))
        client.logout()
        fail(client, "d21", 4)
        assert logged_in(attempt(client, "d21", DEMO_PASSWORD))


def test_every_failure_is_still_in_the_audit_log(client, demo):
    with time_machine.travel(START, tick=False):
        fail(client, "d21", 5)
        attempt(client, "d21", DEMO_PASSWORD)  # refused by the lock: also a failed login
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, username="d21")
    assert failed.count() == 6
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).exists()


def test_a_script_gets_the_lock_as_json(client, demo):
    with time_machine.travel(START, tick=False):
        fail(client, "d21", 5)
        response = attempt(client, "d21", DEMO_PASSWORD, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 429
    assert "09:30 后再试" in response.json()["detail"]


def test_the_admin_login_is_throttled_too(client, demo):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            client.post(
                reverse("admin:login"),
                {"username": "admin", "password": "wrong-password"},
                HTTP_X_FORWARDED_FOR=OFFICE,
            )
        response = client.post(
            reverse("admin:login"),
            {"username": "admin", "password": DEMO_PASSWORD},
            HTTP_X_FORWARDED_FOR=OFFICE,
        )
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_the_login_page_is_unchanged(client, demo):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode() and 'name="password"' in page.content.decode()
    assert client.login(username="d21", password=DEMO_PASSWORD)  # tests without a request work


# ---- password change -------------------------------------------------------------------------
@pytest.mark.parametrize("username", ["d21", "t02", "sup_d18", "leader01", "admin"])
def test_every_role_changes_its_password_from_the_user_menu(client, user_named, username):
    client.force_login(user_named(username))
    page = client.get(reverse("county:profile")).content.decode()
    menu = page[page.index('data-testid="user-menu"') :]
    assert f'href="{reverse("password_change")}"' in menu and "修改密码" in menu
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Qiu-Shou-2026!",
            "new_password2": "Qiu-Shou-2026!",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    client.logout()
    assert attempt(client, username, DEMO_PASSWORD).status_code == 200  # the old one is gone
    assert logged_in(attempt(client, username, "Qiu-Shou-2026!"))


# ---- sessions ------------------------------------------------------------------------------
def test_a_session_ends_after_a_working_day_of_inactivity(client, demo):
    assert 8 * 3600 <= django_settings.SESSION_COOKIE_AGE <= 10 * 3600
    idle = datetime.timedelta(seconds=django_settings.SESSION_COOKIE_AGE)
    todo = reverse("county:todo")
    with time_machine.travel(START, tick=False):
        assert logged_in(attempt(client, "d21", DEMO_PASSWORD))
    # used all day long: every request moves the end on
    for hours in (3, 6, 9, 12):
        with time_machine.travel(START + datetime.timedelta(hours=hours), tick=False):
            assert client.get(todo).status_code == 200
    last = START + datetime.timedelta(hours=12)
    with time_machine.travel(last + idle - datetime.timedelta(minutes=5), tick=False):
        assert client.get(todo).status_code == 200
    last = last + idle - datetime.timedelta(minutes=5)
    with time_machine.travel(last + idle + datetime.timedelta(minutes=1), tick=False):
        response = client.get(todo)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_active_session_is_written_once_every_few_minutes(client, demo):
    """Not on every request: the end moves on when it is more than 5 minutes old."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    age = datetime.timedelta(seconds=django_settings.SESSION_COOKIE_AGE)
    name = django_settings.SESSION_COOKIE_NAME
    with time_machine.travel(START, tick=False):
        assert logged_in(attempt(client, "d21", DEMO_PASSWORD))
    with time_machine.travel(START + datetime.timedelta(minutes=2), tick=False):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("county:todo"))
        assert name not in response.cookies
        assert not [q for q in queries if q["sql"].startswith('UPDATE "django_session"')]
    later = START + datetime.timedelta(minutes=6)
    with time_machine.travel(later, tick=False):
        response = client.get(reverse("county:todo"))
        assert int(response.cookies[name]["max-age"]) == django_settings.SESSION_COOKIE_AGE
        from django.contrib.sessions.models import Session

        stored = Session.objects.get(session_key=response.cookies[name].value)
        assert stored.expire_date == later + age


# ---- the API schema and its Swagger UI --------------------------------------------------------
def test_the_schema_and_swagger_ui_are_for_logged_in_users_only(client, user_named):
    assert client.get(reverse("api-schema")).status_code in (401, 403)
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 302
    assert docs["Location"] == f"{reverse('login')}?next={reverse('api-docs')}"
    assert client.get(reverse("api-docs") + "?script=").status_code == 302

    client.force_login(user_named("d21"))
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and "/api/reforms/" in schema.content.decode()
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    scripts = re.findall(r"<script\b[^>]*>", page.content.decode())
    assert scripts and all("src=" in tag for tag in scripts)  # the init script is a file
    assert client.get(reverse("api-docs") + "?script=").status_code == 200


def test_a_token_reads_the_schema(client, user_named):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user_named("sup_d03"))
    response = client.get(reverse("api-schema"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200

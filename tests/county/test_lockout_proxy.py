"""The login lock cannot be steered by the client: X-Forwarded-For counts only from our proxy.

A client that reaches gunicorn directly (any ``REMOTE_ADDR`` not in ``TRUSTED_PROXIES``) is
counted by its own address whatever header it writes; behind nginx the address nginx appended
is the client, so two clients behind the proxy are two counts. The password change page locks
after the same number of wrong old passwords.
"""

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from county.management.commands.load_demo import DEMO_PASSWORD
from county.models import AuditEvent

pytestmark = pytest.mark.django_db

NGINX = "127.0.0.1"
OUTSIDER = "198.51.100.23"  # someone on the network talking to gunicorn directly
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]


def login(client, username, password, remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=remote, **extra
    )


def test_thirty_forged_addresses_from_a_direct_client_are_locked(client, demo):
    with time_machine.travel(START, tick=False):
        statuses = [
            login(client, "d21", "wrong-password", OUTSIDER, f"10.{n}.0.1, 192.0.2.{n}").status_code
            for n in range(30)
        ]
        refused = login(client, "d21", DEMO_PASSWORD, OUTSIDER, "192.0.2.250")
        assert "_auth_user_id" not in client.session
    limit = django_settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert set(statuses[limit - 1 :]) == {429}
    assert refused.status_code == 429


def test_a_direct_client_is_counted_by_its_own_address(client, demo):
    """A forged header naming the proxy's client neither locks nor frees that client."""
    from axes.models import AccessAttempt

    with time_machine.travel(START, tick=False):
        login(client, "d21", "wrong-password", OUTSIDER, "203.0.113.5")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [OUTSIDER]


def test_behind_the_proxy_two_clients_are_counted_separately(client, demo):
    with time_machine.travel(START, tick=False):
        for _ in range(django_settings.AXES_FAILURE_LIMIT):
            login(client, "d21", "wrong-password", NGINX, "203.0.113.5")
        assert login(client, "d21", DEMO_PASSWORD, NGINX, "203.0.113.5").status_code == 429
        other = login(client, "d21", DEMO_PASSWORD, NGINX, "203.0.113.6")
    assert other.status_code == 302 and "/login/" not in other["Location"]


def test_behind_the_proxy_a_forged_left_entry_is_ignored(client, demo):
    with time_machine.travel(START, tick=False):
        for n in range(django_settings.AXES_FAILURE_LIMIT):
            login(client, "d21", "wrong-password", NGINX, f"10.9.8.{n}, 203.0.113.5")
        refused = login(client, "d21", DEMO_PASSWORD, NGINX, "10.9.8.99, 203.0.113.5")
    assert refused.status_code == 429


def test_the_proxies_can_be_networks(client, demo, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    with time_machine.travel(START, tick=False):
        for _ in range(django_settings.AXES_FAILURE_LIMIT):
            login(client, "d21", "wrong-password", "10.0.0.7", "203.0.113.5")
        assert login(client, "d21", DEMO_PASSWORD, "10.0.0.8", "203.0.113.5").status_code == 429
        # 127.0.0.1 is no longer ours: its header is not read, the lock above is not its
        assert login(client, "d21", DEMO_PASSWORD, NGINX, "203.0.113.5").status_code == 302


def test_a_bad_trusted_proxies_setting_stops_the_start(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import county.settings

    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1,nginx.local")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        importlib.reload(county.settings)
    monkeypatch.delenv("TRUSTED_PROXIES")
    importlib.reload(county.settings)


# ---- the password change page ----------------------------------------------------------------
def change(client, old, remote=NGINX, forwarded="203.0.113.5"):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": "Qiu-Shou-2026!", "new_password2": "Qiu-Shou-2026!"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_wrong_old_passwords_lock_the_password_change_page(client, user_named):
    client.force_login(user_named("d21"))
    limit = django_settings.AXES_FAILURE_LIMIT
    with time_machine.travel(START, tick=False):
        statuses = [change(client, f"guess-{n}").status_code for n in range(limit)]
        refused = change(client, DEMO_PASSWORD)  # even the right one, while locked
        page = client.get(
            reverse("password_change"), REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="203.0.113.5"
        )
        # the same lock holds the login from that address, not from another
        client.logout()
        relogin = login(client, "d21", DEMO_PASSWORD, NGINX, "203.0.113.5")
        elsewhere = login(client, "d21", DEMO_PASSWORD, NGINX, "203.0.113.6")
    assert statuses == [200] * (limit - 1) + [429]
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "修改密码已暂时锁定" in text and f"连续 {limit} 次" in text and "3月2日 09:30" in text
    assert page.status_code == 429
    assert user_named("d21").check_password(DEMO_PASSWORD)  # nothing was changed
    assert relogin.status_code == 429
    assert elsewhere.status_code == 302 and "/login/" not in elsewhere["Location"]
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, username="d21")
    assert failed.count() >= limit


def test_the_password_lock_answers_scripts_in_chinese_json(client, user_named):
    client.force_login(user_named("d21"))
    with time_machine.travel(START, tick=False):
        for n in range(django_settings.AXES_FAILURE_LIMIT):
            change(client, f"guess-{n}")
        response = client.post(
            reverse("password_change"),
            {"old_password": DEMO_PASSWORD},
            REMOTE_ADDR=NGINX,
            HTTP_X_FORWARDED_FOR="203.0.113.5",
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
    assert response.status_code == 429
    assert response.json()["detail"].startswith("原密码输错次数过多，修改密码已在本地址暂时锁定")


def test_a_successful_change_clears_the_count(client, user_named):
    client.force_login(user_named("d21"))
    limit = django_settings.AXES_FAILURE_LIMIT
    with time_machine.travel(START, tick=False):
        for n in range(limit - 1):
            assert change(client, f"guess-{n}").status_code == 200
        assert change(client, DEMO_PASSWORD).status_code == 302
        for n in range(limit - 1):
            assert change(client, f"guess-again-{n}").status_code == 200


def test_a_password_change_from_a_direct_client_cannot_dodge_the_count(client, user_named):
    client.force_login(user_named("d21"))
    limit = django_settings.AXES_FAILURE_LIMIT
    with time_machine.travel(START, tick=False):
        statuses = [
            change(client, f"guess-{n}", remote=OUTSIDER, forwarded=f"192.0.2.{n}").status_code
            for n in range(limit + 3)
        ]
    assert statuses[limit - 1 :] == [429] * 4


# ---- where gunicorn listens --------------------------------------------------------------------
@pytest.mark.parametrize(
    "bind, allowed",
    [
        ("127.0.0.1:8000", True),
        ("10.0.0.11:8000", True),
        ("[::1]:8000", True),
        ("0.0.0.0:8000", False),
        ("[::]:8000", False),
        ("127.0.0.1:8000,0.0.0.0:8001", False),
    ],
)
def test_gunicorn_listens_only_on_loopback_or_a_private_address(monkeypatch, bind, allowed):
    from pathlib import Path

    conf = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
    monkeypatch.setenv("GUNICORN_BIND", bind)
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.10")
    monkeypatch.delenv("GUNICORN_FORWARDED_ALLOW_IPS", raising=False)
    namespace = {}
    if allowed:
        exec(compile(conf.read_text(), str(conf), "exec"), namespace)
        assert namespace["bind"] == bind
        assert namespace["forwarded_allow_ips"] == "10.0.0.10"  # the proxies the lock trusts
    else:
        with pytest.raises(SystemExit, match="不能监听全部地址"):
            exec(compile(conf.read_text(), str(conf), "exec"), namespace)


def test_the_documented_layouts_never_bind_every_address():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in [root / "docs" / "deploy.md", *sorted((root / "deploy").rglob("*"))]:
        if path.is_file():
            for line in path.read_text().splitlines():
                if "GUNICORN_BIND=" in line:
                    assert "0.0.0.0" not in line.split("GUNICORN_BIND=", 1)[1][:20], (path, line)

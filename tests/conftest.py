"""Fixtures shared by every test: the demo county, users by role, the browser."""

import io
import os

import pytest
from django.core.management import call_command

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def load_demo_county():
    from django.test import override_settings

    from county.models import Unit

    if not Unit.objects.exists():
        with override_settings(DEBUG=True):  # pytest-django turns DEBUG off
            call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo county once; each test's changes are rolled back."""
    with django_db_blocker.unblock():
        load_demo_county()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (Redis; the database is rolled back, so must it be)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def demo(db):
    """The demo county (transactional tests flush it, so reload when missing)."""
    load_demo_county()


@pytest.fixture
def user_named(demo):
    from county.models import User

    return lambda username: User.objects.select_related("unit", "leader").get(username=username)


@pytest.fixture
def unit_named(demo):
    from county.models import Unit

    return lambda name: Unit.objects.get(name=name)


# Browser tests: pytest-playwright with Debian's Chromium (no browser download here).
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def login(page, live_server, demo):
    """login("d21") signs the browser page in as a demo account and returns the page."""
    from tests.browser import sign_in

    return lambda username, password=None: sign_in(page, live_server, username, password)

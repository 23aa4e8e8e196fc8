"""Fixtures of the reminder tests: a small county world, and a real Celery worker on Redis.

The Celery pytest plugin is not loaded by the root conftest, and ``pytest_plugins`` is not
allowed in a nested conftest, so its fixtures are imported here; ``celery_app`` and
``celery_config`` are overridden to use the project's app and the Redis broker from the
``CELERY_BROKER_URL`` variable (never eager mode).
"""

import datetime
import os

import celery.contrib.testing.tasks  # noqa: F401  registers the ping task the worker needs
import pytest
from celery.contrib.pytest import (  # noqa: F401  the plugin's fixtures
    celery_enable_logging,
    celery_includes,
    celery_parameters,
    celery_worker,
    use_celery_app_trap,
)

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
DAY = datetime.timedelta(days=1)
# A Monday: the leaders' weekly digest is due, and nothing else special happens.
MONDAY = datetime.date(2026, 3, 2)


@pytest.fixture(scope="session")
def celery_config():
    return {"broker_url": BROKER_URL, "result_backend": BROKER_URL}


@pytest.fixture(scope="session")
def celery_worker_pool():
    return "threads"


@pytest.fixture(scope="session")
def celery_worker_parameters():
    return {"concurrency": 2, "perform_ping_check": True, "shutdown_timeout": 30}


@pytest.fixture
def celery_app(celery_config):
    """The project's Celery app, talking to the real Redis broker."""
    import county.reminders.tasks  # noqa: F401
    from county.celery import app

    saved = {key: app.conf.get(key) for key in celery_config}
    app.conf.update(celery_config)
    forget_backend(app)  # an earlier .delay() may have cached "no result backend"
    app.control.purge()
    yield app
    app.conf.update(saved)
    forget_backend(app)


def forget_backend(app):
    """Drop the result backend Celery caches on first use, so the next use reads the config."""
    app._backend_cache = None
    app._local.backend = None


@pytest.fixture
def only_test_workstream(monkeypatch):
    """Reminders see only the test workstream, whatever the real ones hold in the demo."""
    from django.urls import get_resolver

    from county.registry import registry

    get_resolver().url_patterns  # noqa: B018  build the URLconf from the full registry first
    monkeypatch.setattr(registry, "_items", {"testing": registry.get("testing")})


@pytest.fixture
def world(demo, unit_named, user_named, only_test_workstream):
    """The test workstream supervised by 县委改革办 (sup_d03); e-mail addresses set."""
    from county.models import Supervision, User

    Supervision.objects.get_or_create(unit=unit_named("县委改革办"), workstream="testing")
    for user in User.objects.all():
        if not user.email:
            user.email = f"{user.username}@example.gov.cn"
            user.save(update_fields=["email"])
    return {"agri": unit_named("县农业农村局"), "chengguan": unit_named("城关镇")}


@pytest.fixture
def dossier(world):
    """dossier(title, deadline, unit=农业农村局, leader=None, co_units=()) creates one item."""
    from tests.testapp.models import Dossier

    def make(title, deadline, unit=None, leader=None, co_units=()):
        item = Dossier.objects.create(
            title=title, deadline=deadline, unit=unit or world["agri"], leader=leader
        )
        if co_units:
            item.co_units.set(co_units)
        return item

    return make

"""The Celery application of the project: Redis broker, schedule kept in the database.

Loaded from ``county/__init__.py`` so that ``celery -A county worker`` and
``celery -A county beat`` find it. Settings come from Django's settings with
the ``CELERY_`` prefix (broker URL, acks_late, reject on worker loss, the
django-celery-beat ``DatabaseScheduler``). Tasks live in ``county.reminders.tasks`` and
``county.backup.tasks``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "county.settings")

app = Celery("county")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["county.reminders", "county.backup"])

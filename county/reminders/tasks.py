"""Celery tasks of the reminders: the daily run started by beat (08:30 by default).

``acks_late`` with ``reject_on_worker_lost``: a worker killed in the middle of a run does
not acknowledge the message, so Redis hands it to another worker, and the run — being
idempotent (see :mod:`county.reminders.service`) — sends only what is still missing.
Reminders are never scheduled as ETA/countdown tasks: the periodic scan finds them.
"""

import datetime

from celery import shared_task

from .service import run


@shared_task(
    name="county.reminders.tasks.send_reminders", acks_late=True, reject_on_worker_lost=True
)
def send_reminders(day=None):
    """Run the reminders for ``day`` (ISO date, default today) and return the summary."""
    report = run(datetime.date.fromisoformat(day) if day else None)
    return report.as_json()

"""Celery task of the nightly backup, started by beat (02:00 Asia/Shanghai by default).

Not ``acks_late``: a worker killed in the middle of a dump leaves no half-acknowledged
message to be redelivered an hour later in working hours; the next night's run makes a new
backup, and the failed or missing run is visible in the audit log.
"""

from celery import shared_task

from .service import run_backup


@shared_task(name="county.backup.tasks.backup")
def backup():
    """Back up the database and the uploaded files; return the names of the files written."""
    return run_backup()

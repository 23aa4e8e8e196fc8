"""Celery tasks of the county core found by ``app.autodiscover_tasks()``.

Event e-mails, and the hourly removal of unconfirmed uploads (``county.evidence``).
"""

from .events import send_event_emails
from .evidence import remove_stale_uploads_task

__all__ = ["remove_stale_uploads_task", "send_event_emails"]

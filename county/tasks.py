"""Celery tasks of the county core found by ``app.autodiscover_tasks()``: event e-mails."""

from .events import send_event_emails

__all__ = ["send_event_emails"]

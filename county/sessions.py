"""Sessions end after a working day without a request (an idle timeout), cheaply.

``SESSION_COOKIE_AGE`` (9 hours) counts from the session's last save. Django's
``SESSION_SAVE_EVERY_REQUEST`` would write the session row on every request to move that end
on; here the end is moved on only when it is more than ``SESSION_REFRESH_SECONDS`` (5 minutes)
old, so someone at work keeps the session all day long for one small write every few minutes,
and someone who went home is logged out 9 hours after the last page they opened (at most
5 minutes sooner).
"""

import datetime

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    """The database session store, remembering when the stored session ends."""

    stored_expiry = None

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()
        self.stored_expiry = stored.expire_date if stored is not None else None
        return stored


class IdleTimeoutMiddleware:
    """Move an active session's end on (placed after ``SessionMiddleware``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        stored = getattr(session, "stored_expiry", None)
        if stored is not None and not session.modified and not session.is_empty():
            refresh = datetime.timedelta(seconds=getattr(settings, "SESSION_REFRESH_SECONDS", 300))
            moved_on = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
            if moved_on - stored >= refresh:
                session.modified = True  # SessionMiddleware saves it: new end, new cookie
        return response

"""Request ids and the access log: every log line of a request says which request and whose.

``RequestIdMiddleware`` (first in ``MIDDLEWARE``) takes the ``X-Request-ID`` nginx sends when
it is a sane token (8–64 letters, digits, ``-``, ``_``, ``.``), otherwise makes a new one; puts it
on ``request.request_id`` (the audit log records it) and in the ``X-Request-ID`` response
header; and writes one access-log line per request on the ``county.request`` logger (method,
path, status, duration, user). ``RequestContextFilter``, attached to the log handler in
``settings.LOGGING``, adds ``request_id`` and ``user`` to every log record — also to Django's
own ``django.request`` lines (404s, 500s with traceback) — and leaves them empty outside a
request (Celery tasks, management commands).
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.utils.functional import empty

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_current = ContextVar("county_request", default=None)
access_log = logging.getLogger("county.request")


def request_id_from(request):
    """The incoming ``X-Request-ID`` if it is a sane token, else a new random one."""
    incoming = request.headers.get(HEADER, "")
    return incoming if SANE_ID.match(incoming) else uuid.uuid4().hex


def username_of(request, resolve=False):
    """The signed-in user's name, or "".

    ``request.user`` is lazy (a session and a user query); it is resolved only when
    ``resolve`` is set, so that a log line never runs a query of its own.
    """
    user = getattr(request, "user", None)
    if user is None:
        return ""
    if not resolve and getattr(user, "_wrapped", None) is empty:
        return ""
    return user.get_username() if user.is_authenticated else ""


class RequestIdMiddleware:
    """Request id in, request id out, one access-log line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request)
        context = {"request_id": request.request_id, "user": ""}
        token = _current.set(context)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request.request_id
            # After a login the user is new; after a logout keep who it was. A request that
            # never reached a view (404, redirect) is named here, at most one session lookup.
            context["user"] = username_of(request, resolve=not context["user"]) or context["user"]
            duration = (time.monotonic() - started) * 1000
            access_log.info(
                "%s %s %s %.0fms",
                request.method,
                request.path,
                response.status_code,
                duration,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(duration, 1),
                },
            )
            return response
        finally:
            _current.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Authentication has run by now: name the user for the rest of the request."""
        context = _current.get()
        if context is not None:
            context["user"] = username_of(request, resolve=True)


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user`` to every record (empty outside a request)."""

    def filter(self, record):
        context = _current.get()
        request = getattr(record, "request", None)
        if context is None and hasattr(request, "request_id"):
            # Django logs 4xx/5xx responses ("Not Found: …") after the middleware has returned.
            context = {"request_id": request.request_id, "user": username_of(request)}
        context = context or {}
        if not hasattr(record, "request_id"):
            record.request_id = context.get("request_id", "")
        if not hasattr(record, "user"):
            record.user = context.get("user", "")
        return True

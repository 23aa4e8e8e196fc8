"""The operations audit log: one call, ``record(...)``, wherever something is worth auditing.

Logins and logouts are recorded from Django's auth signals; imports, exports, decisions and the
county set-up call :func:`record` themselves. Field-level history of business records stays with
django-simple-history; this log is the administrator's "who did what, from where, when".
"""

from .models import AuditEvent

Action = AuditEvent.Action


def client_ip(request):
    """The client's address, by the same rule as the login throttle (only our proxies trusted)."""
    if request is None:
        return None
    from .login_security import client_ip as trusted_client_ip

    return trusted_client_ip(request)


def _text(value):
    """The text as given, without NUL characters (PostgreSQL refuses them; a query string may
    carry one, e.g. an export's filter conditions)."""
    return str(value).replace("\x00", "")


def record(action, *, request=None, user=None, username="", target="", detail=""):
    """Write one audit entry; ``user`` defaults to the request's authenticated user."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        action=action,
        user=user,
        username=_text(user.get_username() if user is not None else username)[:150],
        target=_text(target)[:200],
        detail=_text(detail),
        ip=client_ip(request),
        request_id=(getattr(request, "request_id", "") if request is not None else "")[:64],
    )

"""Login throttling (django-axes): the client's address behind nginx, the Chinese lockout page.

Failed logins are counted per user name *and* address together
(``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``): a township office whose clerks
share one public address is not locked out because one of them mistyped a password, and
someone guessing one account's password from one address is stopped after
``AXES_FAILURE_LIMIT`` tries for ``AXES_COOLOFF_TIME``. ``python manage.py axes_reset``
(or ``axes_reset_username 用户名``) lifts a lock at once.
"""

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from county.templatetags.dates import cn_datetime


def client_ip(request):
    """The client's address, trusting only the proxies we run (``TRUSTED_PROXY_COUNT``).

    nginx appends the address it saw to ``X-Forwarded-For`` (``$proxy_add_x_forwarded_for``),
    so with one trusted proxy the client is the *last* entry: anything to its left was sent
    by the client and may be forged. With ``TRUSTED_PROXY_COUNT=0`` (the demo, no proxy) the
    header is ignored and ``REMOTE_ADDR`` is the client. Anything that is not an address (a
    misconfigured proxy) falls back to ``REMOTE_ADDR`` too.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR") or None
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def lockout_until(request, credentials):
    """When the lock of this user name from this address ends (aware datetime)."""
    cool_off = get_cool_off(request)
    last = (
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=getattr(request, "axes_ip_address", None),
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (last or timezone.now()) + cool_off


def lockout_response(request, original_response=None, credentials=None):
    """Answer a locked-out login with a Chinese page (429): when to try again, whom to call."""
    until = timezone.localtime(lockout_until(request, credentials))
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "until": until,
        "minutes": minutes,
        "contact": settings.LOGIN_HELP_CONTACT,
    }
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path_info.startswith("/api/") or request.headers.get("x-requested-with"):
        detail = (
            f"登录失败次数过多，账号已在本地址暂时锁定，请于 {cn_datetime(until)} 后再试，"
            f"或联系{settings.LOGIN_HELP_CONTACT}解锁。"
        )
        return JsonResponse({"detail": detail, "until": until.isoformat()}, status=status)
    return render(request, "registration/locked_out.html", context, status=status)


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' check in front of the model backend, for every login that comes with a request.

    Logins without a request (``Client.login()`` in tests, ``authenticate()`` in a shell) are
    not web logins and have no address to count; axes itself would raise for them.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

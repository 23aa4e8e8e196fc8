"""Login throttling (django-axes): the client's address behind nginx, the Chinese lockout page.

Failed logins are counted per user name *and* address together
(``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``): a township office whose clerks
share one public address is not locked out because one of them mistyped a password, and
someone guessing one account's password from one address is stopped after
``AXES_FAILURE_LIMIT`` tries for ``AXES_COOLOFF_TIME``. ``python manage.py axes_reset``
(or ``axes_reset_username 用户名``) lifts a lock at once. A wrong old password on the
password change page counts like a wrong login (``PasswordChangeThrottle``).

The address counted is ``REMOTE_ADDR``, or the one our own proxy (``TRUSTED_PROXIES``) put in
``X-Forwarded-For``; a client talking to gunicorn directly cannot choose it (``client_ip``).
"""

import functools
import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from county.templatetags.dates import cn_datetime


def trusted_proxies():
    """The networks of our own proxies (``TRUSTED_PROXIES``), parsed once per setting value."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


@functools.lru_cache(maxsize=8)
def _networks(entries):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_proxy(address, networks):
    return any(address in network for network in networks)


def client_ip(request):
    """The client's address: ``X-Forwarded-For`` only when a proxy of ours sent the request.

    ``REMOTE_ADDR`` is the machine that opened the connection, the one thing a client cannot
    choose. Only when it is one of ``TRUSTED_PROXIES`` (nginx) is ``X-Forwarded-For`` read,
    from the right: nginx appends the address it saw (``$proxy_add_x_forwarded_for``), so the
    entries are walked right to left past our own proxies, and the first address that is not a
    proxy of ours is the client. Anything left of it was written by the client and is never
    believed. No hop count: a request straight to gunicorn (any address not in the list) is
    counted by its own ``REMOTE_ADDR`` whatever header it carries. An entry that is not an
    address (a misconfigured proxy) stops the walk at the last address believed.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    networks = trusted_proxies()
    seen = _address(remote or "")
    if seen is None or not networks or not _is_proxy(seen, networks):
        return remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not entry.strip():
            continue
        address = _address(entry)
        if address is None:
            break
        seen = address
        if not _is_proxy(address, networks):
            break
    return str(seen)


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
    """Answer a locked-out login (or password change) with a Chinese page (429).

    The page says when to try again and whom to call; scripts and API calls get the same as
    JSON. The password change page shares the lock of the login (see ``PasswordChangeThrottle``)
    and says so in its own words.
    """
    until = timezone.localtime(lockout_until(request, credentials))
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    password_change = request.path_info == reverse("password_change")
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "until": until,
        "minutes": minutes,
        "contact": settings.LOGIN_HELP_CONTACT,
    }
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path_info.startswith("/api/") or request.headers.get("x-requested-with"):
        what = "原密码输错次数过多，修改密码" if password_change else "登录失败次数过多，账号"
        detail = (
            f"{what}已在本地址暂时锁定，请于 {cn_datetime(until)} 后再试，"
            f"或联系{settings.LOGIN_HELP_CONTACT}解锁。"
        )
        return JsonResponse({"detail": detail, "until": until.isoformat()}, status=status)
    template = (
        "registration/password_change_locked_out.html"
        if password_change
        else "registration/locked_out.html"
    )
    return render(request, template, context, status=status)


class PasswordChangeThrottle:
    """The password change page counts a wrong old password as a failed login (view mixin).

    Someone at an unattended, logged-in computer could otherwise guess the owner's password
    on ``/password/`` without limit. A wrong old password goes through axes like a wrong
    login (``user_login_failed``, so the audit log shows it too), counted for the same user
    name and address; at ``AXES_FAILURE_LIMIT`` both the login and this page are locked for
    ``AXES_COOLOFF_TIME``. A successful change clears the count, as a successful login does.
    """

    def _credentials(self):
        return {"username": self.request.user.get_username()}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            credentials = self._credentials()
            if not AxesProxyHandler.is_allowed(request, credentials):
                return lockout_response(request, credentials=credentials)
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            user_login_failed.send(
                sender=type(self), credentials=self._credentials(), request=self.request
            )
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        address = getattr(self.request, "axes_ip_address", None)
        if address:
            AxesProxyHandler.reset_attempts(
                ip_address=address, username=self.request.user.get_username()
            )
        return response


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' check in front of the model backend, for every login that comes with a request.

    Logins without a request (``Client.login()`` in tests, ``authenticate()`` in a shell) are
    not web logins and have no address to count; axes itself would raise for them.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

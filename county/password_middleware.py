"""First login with a one-time initial password: change it before anything else.

Accounts created in bulk by ``setup_county`` carry ``must_change_password``. Until the
password is changed, every page answers with a redirect to the Chinese password change
page (API calls get a 403 saying so); logging out, the change page itself and static
files stay reachable.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

MESSAGE = "您正在使用一次性初始密码，请先修改密码。"


class ForcePasswordChangeMiddleware:
    """Send users who must change their password to the password change page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._exempt(request.path_info)
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=403)
            return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _exempt(path):
        allowed = (reverse("password_change"), reverse("password_change_done"), reverse("logout"))
        if path in allowed:
            return True
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path.startswith(static)

"""App configuration of the county core."""

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed


def audit_login(sender, request, user, **kwargs):
    from .audit import Action, record

    record(Action.LOGIN, request=request, user=user)


def audit_login_failed(sender, credentials, request=None, **kwargs):
    from .audit import Action, record

    record(Action.LOGIN_FAILED, request=request, username=credentials.get("username") or "")


def audit_logout(sender, request, user, **kwargs):
    from .audit import Action, record

    if user is not None:
        record(Action.LOGOUT, request=request, user=user)


class CountyConfig(AppConfig):
    """The shared core: units, people, roles, scoping, registry."""

    name = "county"
    verbose_name = "县域基础信息"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db import connections
        from django.db.models.signals import post_migrate

        from . import figures_cache

        # Every connection reports what it reads and writes to the figures cache.
        for connection in connections.all(initialized_only=True):
            figures_cache.install(connection)
        post_migrate.connect(figures_cache.drop_all, dispatch_uid="county.figures_cache.migrate")

        # The 临期 window follows the working-day calendar: read again for each request and
        # task, and at once after a calendar edit in this process.
        from celery.signals import task_prerun
        from django.core.signals import request_started
        from django.db.models.signals import post_delete, post_save

        from .status import forget_windows

        request_started.connect(forget_windows, dispatch_uid="county.status.request")
        task_prerun.connect(forget_windows, dispatch_uid="county.status.task")
        for signal in (post_save, post_delete):
            signal.connect(
                forget_windows,
                sender="county.CalendarDay",
                dispatch_uid=f"county.status.{signal is post_save}",
            )
        # The operations audit log (/audit/): every login, failed login and logout.
        user_logged_in.connect(audit_login, dispatch_uid="county.audit.login")
        user_login_failed.connect(audit_login_failed, dispatch_uid="county.audit.login_failed")
        user_logged_out.connect(audit_logout, dispatch_uid="county.audit.logout")

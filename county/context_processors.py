"""Template context shared by every page: the workstream navigation, the bell, the inbox."""

from django.urls import NoReverseMatch, reverse

from .figures_cache import untracked
from .registry import registry


def navigation(request):
    with untracked():  # the frame's numbers are not a cached page's rows
        return _navigation(request)


def _navigation(request):
    items = []
    for workstream in registry:
        try:
            url = reverse(workstream.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": workstream.label, "url": url, "icon": workstream.icon})
    return {"nav_workstreams": items, **nav_counts(request)}


def nav_counts(request):
    """The navigation bar's numbers: unread notifications (the bell) and, for unit staff, the
    督办单 still to acknowledge, in one query; for those with an inbox the requests waiting
    (待我审核), from the figures cache while nothing changed (``inbox.waiting_count``)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    from .choices import Role
    from .inbox import counts, has_inbox, waiting_count
    from .reminders.models import Notification, SupervisionNotice

    wanted = {"unread": Notification.objects.filter(user=user, read_at__isnull=True)}
    if user.role == Role.STAFF and user.unit_id:
        wanted["notices"] = SupervisionNotice.objects.filter(
            unit_id=user.unit_id, acknowledged_at__isnull=True
        )
    found = counts(user, **wanted)
    result = {"unread_notifications": found["unread"]}
    if "notices" in found:
        result["open_notices"] = found["notices"]
    if has_inbox(user):
        result["has_inbox"] = True
        result["inbox_waiting"] = waiting_count(user)
    return result

"""Template context shared by every page: the workstream navigation, the bell, the inbox."""

from django.urls import NoReverseMatch, reverse

from .registry import registry


def navigation(request):
    items = []
    for workstream in registry:
        try:
            url = reverse(workstream.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": workstream.label, "url": url, "icon": workstream.icon})
    return {"nav_workstreams": items, **reminder_counts(request), **inbox_count(request)}


def inbox_count(request):
    """待我审核 in the navigation bar: shown to those who have an inbox, with its count."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    from .inbox import has_inbox, waiting_count

    if not has_inbox(user):
        return {}
    return {"has_inbox": True, "inbox_waiting": waiting_count(user)}


def reminder_counts(request):
    """Unread notifications (the bell) and, for unit staff, 督办单 still to acknowledge."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    from .choices import Role
    from .reminders.models import Notification, SupervisionNotice

    counts = {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()
    }
    if user.role == Role.STAFF and user.unit_id:
        counts["open_notices"] = SupervisionNotice.objects.filter(
            unit_id=user.unit_id, acknowledged_at__isnull=True
        ).count()
    return counts

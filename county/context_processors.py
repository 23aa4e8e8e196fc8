"""Template context shared by every page: the workstream navigation and the bell."""

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
    return {"nav_workstreams": items, **reminder_counts(request)}


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

"""Django admin of the reminders: the settings row, reminder records, digests, 督办单."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Digest, Notification, Reminder, ReminderSettings, SupervisionNotice


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(SimpleHistoryAdmin):
    """One row; the daily hour itself is the crontab of the periodic task 每日督办提醒."""

    list_display = [
        "__str__",
        "leader_escalation_days",
        "notice_after_days",
        "overdue_repeat_days",
        "weekly_digest_weekday",
    ]

    def has_add_permission(self, request):
        return not ReminderSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the reminder run: looked at, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["day", "rule", "title", "user", "unit", "deadline", "digest", "created_at"]
    list_filter = ["rule", "workstream", "day"]
    search_fields = ["title", "user__username", "user__last_name"]
    list_select_related = ["user", "unit", "digest"]
    date_hierarchy = "day"


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["day", "user", "status", "email_status", "subject", "sent_at"]
    list_filter = ["status", "email_status", "day"]
    search_fields = ["user__username", "user__last_name", "subject"]
    list_select_related = ["user"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    search_fields = ["user__username", "title"]
    list_select_related = ["user"]


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "unit", "deadline", "days_overdue", "acknowledged_at"]
    list_filter = ["year", "workstream", "unit"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit"]
    readonly_fields = ["year", "seq", "item_key", "object_id", "workstream", "issued_on"]

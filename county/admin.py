"""Django admin (in Chinese) for units, villages, leaders, groups and users.

:class:`VersionedAdmin` is the base of every workstream's admin for a record with a version
(``county.concurrency``): the admin's edit form carries the version too, so an administrator
never silently overwrites what a clerk saved meanwhile.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .concurrency import VersionedFormMixin
from .models import AuditEvent, Leader, SpecialGroup, Supervision, Unit, User, Village


class VersionedAdminForm(VersionedFormMixin, forms.ModelForm):
    """The admin's form of a versioned record: the version is a hidden field of the page."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VersionedAdmin(SimpleHistoryAdmin):
    """Admin of a ``VersionedModel``: a stale save is refused with both versions."""

    form = VersionedAdminForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The page's fieldsets name the hidden version; the model's form must not (the model
        # field is not editable): it comes from the form class instead.
        if kwargs.get("fields"):
            kwargs["fields"] = [name for name in kwargs["fields"] if name != "version"]
        return super().get_form(request, obj, change=change, **kwargs)


class VillageInline(admin.TabularInline):
    model = Village
    extra = 0


class SupervisionInline(admin.TabularInline):
    model = Supervision
    extra = 0


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "township_kind", "aliases", "is_active"]
    list_filter = ["kind", "township_kind", "is_active"]
    search_fields = ["name", "aliases", "code"]
    inlines = [SupervisionInline, VillageInline]


@admin.register(Village)
class VillageAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "township"]
    list_filter = ["kind", "township"]
    search_fields = ["name", "township__name"]
    list_select_related = ["township"]


@admin.register(Leader)
class LeaderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "title", "order"]
    filter_horizontal = ["liaison_townships"]
    search_fields = ["name", "title"]


@admin.register(SpecialGroup)
class SpecialGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "order"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "role", "unit", "leader", "is_active"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["username", "last_name", "first_name", "unit__name"]
    list_select_related = ["unit", "leader"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "单位与角色",
            {
                "fields": (
                    "role",
                    "unit",
                    "leader",
                    "phone",
                    "email_muted",
                    "must_change_password",
                )
            },
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("单位与角色", {"fields": ("role", "unit", "leader")}),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: nobody edits or deletes what happened (page: /audit/)."""

    list_display = ["time", "username", "action", "target", "ip"]
    list_filter = ["action", "time"]
    search_fields = ["username", "target", "detail", "request_id"]
    date_hierarchy = "time"
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from .reminders import admin as reminder_admin  # noqa: E402, F401  (county/reminders/)
from .workdays import admin as workday_admin  # noqa: E402, F401  (county/workdays/)

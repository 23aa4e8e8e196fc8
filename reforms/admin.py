"""Django admin for the reform ledger (the pages are the daily tool; this is for the IT admin)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from county.admin import VersionedAdmin

from .models import (
    CompletionRequest,
    DeadlineChange,
    Experience,
    FollowUpProblem,
    Innovation,
    Instruction,
    ProgressReport,
    ReformItem,
    SubTask,
)


class SubTaskInline(admin.TabularInline):
    model = SubTask
    extra = 0
    fields = ["order", "name", "deadline", "long_term", "status", "percent"]
    show_change_link = True


@admin.register(ReformItem)
class ReformItemAdmin(VersionedAdmin):
    list_display = ["number", "title", "year", "group", "track", "lead_leader", "lead_unit"]
    list_filter = ["year", "group", "track", "in_assessment"]
    search_fields = ["title"]
    list_select_related = ["group", "lead_leader", "lead_unit"]
    filter_horizontal = ["co_units"]
    inlines = [SubTaskInline]


@admin.register(SubTask)
class SubTaskAdmin(VersionedAdmin):
    list_display = ["name", "item", "deadline", "long_term", "status", "percent"]
    list_filter = ["status", "long_term"]
    search_fields = ["name", "item__title"]
    list_select_related = ["item"]
    filter_horizontal = ["units"]


for model in (ProgressReport, DeadlineChange, CompletionRequest, Instruction):
    admin.site.register(model, SimpleHistoryAdmin)
for model in (FollowUpProblem, Innovation, Experience):
    admin.site.register(model, VersionedAdmin)

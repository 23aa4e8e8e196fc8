"""Django admin for the plan areas (for the IT admin; the stage changes only through the pages)
and for the plan year's milestones (规划时间节点), which the overview and the cockpit read."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from county.admin import VersionedAdmin

from .models import PlanArea, PlanYear, ProgressNote, StageChange


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    can_delete = False
    fields = ["date", "from_stage", "to_stage", "user", "note"]
    readonly_fields = fields


@admin.register(PlanArea)
class PlanAreaAdmin(VersionedAdmin):
    list_display = ["title", "level", "batch", "stage", "next_deadline", "lead_unit"]
    list_filter = ["level", "batch", "stage"]
    search_fields = ["name", "title"]
    readonly_fields = ["stage", "next_deadline", "townships"]  # the title is built from them
    filter_horizontal = ["villages"]
    inlines = [StageChangeInline]


@admin.register(ProgressNote)
class ProgressNoteAdmin(SimpleHistoryAdmin):
    list_display = ["area", "date", "unit", "author"]
    search_fields = ["text"]


@admin.register(PlanYear)
class PlanYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "city_review_by", "township_done_by", "village_done_by"]
    fields = ["year", "city_review_by", "township_done_by", "village_done_by"]

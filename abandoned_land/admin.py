"""Django admin for 撂荒地整治 (the pages are the daily tool; this is for the IT admin)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Inspection, Parcel


class InspectionInline(admin.TabularInline):
    model = Inspection
    extra = 0
    fields = ["inspected_on", "status_before", "status_after", "finding", "user"]
    raw_id_fields = ["user"]


@admin.register(Parcel)
class ParcelAdmin(SimpleHistoryAdmin):
    list_display = ["code", "township", "village", "area", "status", "crop", "operator"]
    list_filter = ["status", "season", "operator_type", "township"]
    search_fields = ["code", "operator", "village__name"]
    list_select_related = ["township", "village"]
    raw_id_fields = ["village"]
    inlines = [InspectionInline]


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ["parcel", "inspected_on", "status_before", "status_after", "user"]
    list_filter = ["status_after"]
    raw_id_fields = ["parcel", "user"]

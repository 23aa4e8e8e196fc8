"""Django admin for 撂荒地整治 (the pages are the daily tool; this is for the IT admin)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from county.admin import VersionedAdmin

from .models import Inspection, Parcel


class InspectionInline(admin.TabularInline):
    model = Inspection
    extra = 0
    fields = ["inspected_on", "status_before", "status_after", "finding", "user"]
    raw_id_fields = ["user"]


@admin.register(Parcel)
class ParcelAdmin(VersionedAdmin):
    list_display = [
        "code",
        "township",
        "village",
        "area",
        "status",
        "crop",
        "operator",
        "voided_at",
    ]
    list_filter = ["status", "season", "operator_type", "township", "voided_at"]
    search_fields = ["code", "operator", "village__name"]
    list_select_related = ["township", "village"]
    raw_id_fields = ["village"]
    inlines = [InspectionInline]
    readonly_fields = ["voided_at", "voided_by", "void_reason"]

    def get_queryset(self, request):
        """Voided parcels too: the administrator still finds them here."""
        return Parcel.all_objects.select_related("township", "village")


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ["parcel", "inspected_on", "status_before", "status_after", "user"]
    list_filter = ["status_after"]
    raw_id_fields = ["parcel", "user"]

"""Serializers of the abandoned_land API."""

from rest_framework import serializers

from county.inputs import max_length

from ..models import Inspection, Parcel


class ParcelSerializer(serializers.ModelSerializer):
    """A parcel with the rule flags; changes go through Parcel.apply_update (see views)."""

    township_name = serializers.CharField(source="township.name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_at_risk = serializers.BooleanField(read_only=True)
    is_reabandoned = serializers.BooleanField(read_only=True)
    finding = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=max_length(Inspection, "finding"),
    )

    class Meta:
        model = Parcel
        fields = [
            "id",
            "code",
            "township",
            "township_name",
            "village",
            "village_name",
            "area",
            "year_abandoned",
            "cause",
            "remediated_on",
            "method",
            "crop",
            "season",
            "operator",
            "operator_type",
            "status",
            "status_display",
            "planting_deadline",
            "note",
            "is_at_risk",
            "is_reabandoned",
            "finding",
        ]
        # The rules run in Parcel.apply_update, against the stored parcel.
        validators = []

    def validate(self, attrs):
        return attrs


class ParcelInspectionSerializer(serializers.ModelSerializer):
    """A 巡查 record; the statuses before and after are the parcel's (read-only) status values."""

    user_name = serializers.CharField(source="user.__str__", read_only=True, default="")
    status_before = serializers.CharField(read_only=True)
    status_after = serializers.CharField(read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "parcel",
            "inspected_on",
            "finding",
            "status_before",
            "status_after",
            "user",
            "user_name",
            "created_at",
        ]
        read_only_fields = ["status_before", "status_after", "user", "created_at"]

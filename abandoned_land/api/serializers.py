"""Serializers of the abandoned_land API."""

from rest_framework import serializers

from county import history
from county.api import RuledFieldsMixin
from county.inputs import max_length
from county.models import Unit, Village

from ..models import Inspection, Parcel

OWNER_BY_REASSIGN = (
    "{label}只能通过“调整乡镇/村”步骤改变：POST /api/abandoned_land/parcels/{{pk}}/reassign/"
    "（督查人员不能调整本单位自己的地块，也不能调整给本单位）。"
)


class ParcelSerializer(RuledFieldsMixin, serializers.ModelSerializer):
    """A parcel with the rule flags; changes go through Parcel.apply_update (see views), its
    township and village (set on create) only through ``reassign``."""

    ruled_fields = {
        "township": OWNER_BY_REASSIGN.format(label="乡镇（街道）"),
        "village": OWNER_BY_REASSIGN.format(label="村（社区）"),
    }
    creatable_fields = ("township", "village")

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
            "longitude",
            "latitude",
            "finding",
        ]
        # The point comes with the ledger (as on the parcel pages, which do not edit it).
        read_only_fields = ["longitude", "latitude"]
        # The rules run in Parcel.apply_update, against the stored parcel.
        validators = []

    def validate(self, attrs):
        return attrs


class ParcelReassignSerializer(serializers.Serializer):
    """调整乡镇/村 of a parcel: its new township and village, and why."""

    township = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.townships())
    village = serializers.PrimaryKeyRelatedField(queryset=Village.objects.all())
    reason = serializers.CharField(max_length=90)

    def validate(self, attrs):
        if attrs["village"].township_id != attrs["township"].pk:
            raise serializers.ValidationError({"village": "该村（社区）不属于所选乡镇。"})
        return attrs


class ParcelInspectionSerializer(serializers.ModelSerializer):
    """A 巡查 record; the statuses before and after are the parcel's (read-only) status values.

    ``longitude``/``latitude``: where it was, the parcel's point (read-only). ``parcel``: only
    parcels the user may see; another township's and a missing id get the same answer, so the
    API does not tell which ids exist.
    """

    user_name = serializers.SerializerMethodField()
    longitude = serializers.DecimalField(
        source="parcel.longitude", max_digits=9, decimal_places=6, read_only=True, allow_null=True
    )
    latitude = serializers.DecimalField(
        source="parcel.latitude", max_digits=8, decimal_places=6, read_only=True, allow_null=True
    )
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
            "longitude",
            "latitude",
            "created_at",
        ]
        read_only_fields = ["status_before", "status_after", "user", "created_at"]
        extra_kwargs = {"parcel": {"error_messages": {"does_not_exist": "地块不存在。"}}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "parcel" in self.fields:
            self.fields["parcel"].queryset = Parcel.objects.visible_to(request.user)

    def get_user_name(self, inspection) -> str:
        return str(inspection.user) if inspection.user_id else history.SYSTEM

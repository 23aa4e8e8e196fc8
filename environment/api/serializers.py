"""Serializers of the environment API."""

from rest_framework import serializers

from county.api import RuledFieldsMixin
from county.inputs import max_length
from county.models import Unit, Village

from ..models import Accountability, Inspection, Photo, Problem, ProblemCategory, Rectification


class ProblemCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProblemCategory
        fields = ["id", "name", "group", "order", "is_active"]


class InspectionSerializer(serializers.ModelSerializer):
    """An inspection; its point (``longitude``, ``latitude``) is read-only, as on its page."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "date",
            "kind",
            "kind_display",
            "inspectors",
            "townships",
            "notes",
            "longitude",
            "latitude",
        ]
        read_only_fields = ["longitude", "latitude"]


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "kind", "original_name", "width", "height", "size", "uploaded_at", "url"]

    def get_url(self, photo) -> str:
        return photo.url()


class RectificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rectification
        fields = [
            "id",
            "problem",
            "note",
            "submitted_by",
            "submitted_at",
            "result",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


PLACE_FIELDS = ("longitude", "latitude", "location_accuracy")


UNITS_BY_REASSIGN = (
    "{label}只能通过“调整责任单位”步骤改变：POST /api/environment/problems/{{pk}}/reassign/"
    "（督查人员不能调整本单位自己的问题，也不能调整给本单位）。"
)
STATUS_BY_LOOP = (
    "{label}只能通过整改流程的步骤改变：POST /api/environment/problems/{{pk}}/submit/ 提交整改，"
    "由其他督查单位 accept/ 验收或 reject/ 退回；回头看在问题页面。"
)


class ProblemSerializer(RuledFieldsMixin, serializers.ModelSerializer):
    """A problem; the loop's fields change only through the submit/accept/reject actions, its
    township and departments (set on create) only through ``reassign``."""

    ruled_fields = {
        "township": UNITS_BY_REASSIGN.format(label="乡镇（街道）"),
        "departments": UNITS_BY_REASSIGN.format(label="责任部门"),
        "status": STATUS_BY_LOOP.format(label="状态"),
        "closed_on": STATUS_BY_LOOP.format(label="销号日期"),
    }
    creatable_fields = ("township", "departments")
    closed_values = {"status": ("closed", "pending")}

    township_name = serializers.CharField(source="township.name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True, default="")
    place_label = serializers.CharField(read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_stubborn = serializers.BooleanField(read_only=True)
    departments = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Unit.objects.departments(), required=False
    )

    class Meta:
        model = Problem
        fields = [
            "id",
            "number",
            "inspection",
            "found_on",
            "township",
            "township_name",
            "village",
            "village_name",
            "at_market_town",
            "place_label",
            "place",
            "longitude",
            "latitude",
            "location_accuracy",
            "category",
            "category_name",
            "description",
            "departments",
            "deadline",
            "status",
            "status_display",
            "progress_note",
            "is_serious",
            "closed_on",
            "recurrence_count",
            "is_stubborn",
            "stubborn_of",
        ]
        read_only_fields = [
            "number",
            "status",
            "progress_note",
            "closed_on",
            "recurrence_count",
            "stubborn_of",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # The point is recorded with the problem (the field app's phone location), as the
            # forms do: no form moves it afterwards.
            for name in PLACE_FIELDS:
                fields[name].read_only = True
        return fields

    def validate(self, attrs):
        instance = Problem(**{k: v for k, v in attrs.items() if k != "departments"})
        if self.instance:
            for field in Problem._meta.concrete_fields:
                if field.name not in attrs:
                    setattr(instance, field.attname, getattr(self.instance, field.attname))
        try:
            instance.clean()
        except Exception as error:  # ValidationError with a field → message dict
            raise serializers.ValidationError(getattr(error, "message_dict", str(error))) from None
        return attrs


class AccountabilitySerializer(serializers.ModelSerializer):
    measure_display = serializers.CharField(source="get_measure_display", read_only=True)

    class Meta:
        model = Accountability
        fields = ["id", "unit", "measure", "measure_display", "reason", "date", "problems"]


class SubmitSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=max_length(Rectification, "note"))
    photos = serializers.ListField(child=serializers.FileField(), allow_empty=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=max_length(Rectification, "decision_note"),
    )


class ProblemReassignSerializer(serializers.Serializer):
    """调整责任单位 of a problem: its township (and village), its departments, and why."""

    township = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.townships())
    village = serializers.PrimaryKeyRelatedField(
        queryset=Village.objects.all(), required=False, allow_null=True
    )
    departments = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Unit.objects.departments(), required=False
    )
    reason = serializers.CharField(max_length=90)

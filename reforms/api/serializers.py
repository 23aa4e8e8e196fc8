"""Serializers of the reform ledger API."""

from rest_framework import serializers
from rest_framework.exceptions import NotFound

from county import history
from county.api import RuledFieldsMixin
from county.models import Unit
from county.status import today

from ..choices import FollowUpStatus, RecheckResult, TaskStatus
from ..models import (
    Experience,
    FollowUpProblem,
    Innovation,
    ProgressReport,
    Recheck,
    ReformItem,
    SubTask,
)

UNITS_BY_REASSIGN = (
    "{label}只能通过“调整责任单位”步骤改变：POST /api/reforms/{kind}/{{pk}}/reassign/"
    "（督查人员不能调整本单位自己的工作）。"
)
SUBTASK_STATUS_BY_STEPS = (
    "完成状态只能通过“申请完成/审核”步骤改变：责任单位在 /reforms/tasks/{pk}/complete/ 申请完成，"
    "由其他督查单位在“待我审核”中审核。"
)


class ReformItemSerializer(RuledFieldsMixin, serializers.ModelSerializer):
    """An item; its lead and co units are set on create, then only by ``reassign``."""

    ruled_fields = {
        "lead_unit": UNITS_BY_REASSIGN.format(label="牵头单位", kind="items"),
        "co_units": UNITS_BY_REASSIGN.format(label="责任单位", kind="items"),
    }
    creatable_fields = ("lead_unit", "co_units")

    track_display = serializers.CharField(source="get_track_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True, default="")
    lead_leader_name = serializers.CharField(source="lead_leader.name", read_only=True, default="")

    class Meta:
        model = ReformItem
        fields = [
            "id",
            "year",
            "number",
            "title",
            "group",
            "track",
            "track_display",
            "source",
            "source_display",
            "lead_leader",
            "lead_leader_name",
            "lead_unit",
            "lead_unit_name",
            "co_units",
            "in_assessment",
            "note",
            "created_at",
        ]


class SubTaskSerializer(RuledFieldsMixin, serializers.ModelSerializer):
    """A sub-task; ``progress`` and ``percent`` follow its newest progress report, its status
    its steps (申请完成/审核), its units ``reassign``."""

    ruled_fields = {
        "status": SUBTASK_STATUS_BY_STEPS,
        "completed_on": SUBTASK_STATUS_BY_STEPS,
        "units": UNITS_BY_REASSIGN.format(label="责任单位", kind="subtasks"),
    }
    creatable_fields = ("units",)
    closed_values = {"status": (TaskStatus.DONE,)}

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    deadline_text = serializers.CharField(read_only=True)

    class Meta:
        model = SubTask
        fields = [
            "id",
            "item",
            "order",
            "name",
            "units",
            "deadline",
            "long_term",
            "deadline_text",
            "status",
            "status_display",
            "percent",
            "progress",
            "completed_on",
            "note",
        ]
        read_only_fields = ["percent", "progress", "completed_on"]


class VisibleSubTaskField(serializers.PrimaryKeyRelatedField):
    """A sub-task the user may see. Any other id, another unit's or one that does not exist,
    is the same 404 细分任务不存在。: the API does not tell which ids exist."""

    schema_error_statuses = {404}  # documented in the API schema (county.api)

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        return queryset.visible_to(request.user) if request is not None else queryset

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if error.get_codes() == ["does_not_exist"]:
                raise NotFound("细分任务不存在。") from None
            raise


class ProgressReportSerializer(serializers.ModelSerializer):
    """A progress report; author and unit come from the signed-in user.

    ``author_name``: the person, or the system for an imported report (named as the change
    history names it: 系统（台账导入）).
    """

    subtask = VisibleSubTaskField(queryset=SubTask.objects.all())
    percent = serializers.IntegerField(min_value=0, max_value=100)
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "subtask",
            "text",
            "percent",
            "author",
            "author_name",
            "unit",
            "from_import",
            "created_at",
        ]
        read_only_fields = ["author", "unit", "from_import", "created_at"]
        extra_kwargs = {"text": {"error_messages": {"blank": "请填写进展情况。"}}}

    def get_author_name(self, report) -> str:
        if report.author_id:
            return str(report.author)
        if report.from_import:
            return history.SYSTEM_NAMES[history.IMPORT]
        return history.SYSTEM


class RecheckSerializer(serializers.ModelSerializer):
    result_display = serializers.CharField(source="get_result_display", read_only=True)

    class Meta:
        model = Recheck
        fields = ["id", "checked_on", "result", "result_display", "note", "checked_by"]
        read_only_fields = ["checked_by"]

    def validate_checked_on(self, value):
        if value > today():
            raise serializers.ValidationError("回头看日期不能晚于今天。")
        return value

    def validate(self, attrs):
        if attrs.get("result") == RecheckResult.RECURRED and not attrs.get("note", "").strip():
            raise serializers.ValidationError({"note": "问题反弹时请说明反弹情况。"})
        return attrs


class RectifiedSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=90)


class FollowUpProblemSerializer(RuledFieldsMixin, serializers.ModelSerializer):
    """A follow-up problem; its status moves only through ``rectified`` and ``recheck``, its
    lead unit (set on create) only through ``reassign``."""

    ruled_fields = {
        "status": "状态只能通过“报告整改/回头看”步骤改变："
        "POST /api/reforms/followups/{pk}/rectified/ 或 /recheck/。",
        "lead_unit": UNITS_BY_REASSIGN.format(label="牵头单位", kind="followups"),
    }
    creatable_fields = ("lead_unit",)
    closed_values = {"status": (FollowUpStatus.RECTIFIED, FollowUpStatus.RECHECKED)}

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    rechecks = RecheckSerializer(many=True, read_only=True)

    class Meta:
        model = FollowUpProblem
        fields = [
            "id",
            "number",
            "area",
            "problem",
            "measures",
            "lead_unit",
            "lead_unit_name",
            "deadline",
            "status",
            "status_display",
            "item",
            "rechecks",
        ]
        read_only_fields = ["status"]


class InnovationSerializer(RuledFieldsMixin, serializers.ModelSerializer):
    """A project; supervisors set ``reported_on`` (``reported`` follows it); its unit (set on
    create) changes only through ``reassign``."""

    ruled_fields = {"unit": UNITS_BY_REASSIGN.format(label="承担单位", kind="innovations")}
    creatable_fields = ("unit",)

    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Innovation
        fields = [
            "id",
            "title",
            "unit",
            "unit_name",
            "innovation_point",
            "experience",
            "reported",
            "reported_on",
            "item",
        ]
        read_only_fields = ["reported"]

    def validate_reported_on(self, value):
        if value and value > today():
            raise serializers.ValidationError("报送日期不能晚于今天。")
        return value

    def validate(self, attrs):
        if "reported_on" in attrs:
            attrs["reported"] = attrs["reported_on"] is not None
        return attrs


class InnovationStaffSerializer(InnovationSerializer):
    """What a unit's staff may change on their own project (reporting is the ``report`` action)."""

    class Meta(InnovationSerializer.Meta):
        read_only_fields = ["unit", "reported", "reported_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "item" in self.fields:
            # staff link their project only to reform items they may see
            self.fields["item"].queryset = ReformItem.objects.visible_to(request.user)


class ExperienceSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default="")

    class Meta:
        model = Experience
        fields = [
            "id",
            "title",
            "outlet",
            "level",
            "level_display",
            "published_on",
            "unit",
            "unit_name",
            "item",
        ]

    def validate_published_on(self, value):
        if value > today():
            raise serializers.ValidationError("刊载日期不能晚于今天。")
        return value


class SubTaskReassignSerializer(serializers.Serializer):
    """调整责任单位 of a sub-task: the new units and why."""

    units = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Unit.objects.filter(is_active=True)
    )
    reason = serializers.CharField(max_length=90)

    def validate_units(self, value):
        if not value:
            raise serializers.ValidationError("请至少选择一个责任单位。")
        return value


class UnitReassignSerializer(serializers.Serializer):
    """调整牵头单位/承担单位 of a follow-up problem or an innovation project."""

    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    reason = serializers.CharField(max_length=90)


class ItemReassignSerializer(serializers.Serializer):
    """调整牵头单位和责任单位 of an item."""

    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    co_units = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Unit.objects.filter(is_active=True),
    )
    reason = serializers.CharField(max_length=90)

"""Serializers of the spatial-planning API."""

from rest_framework import serializers

from county.api import RuledFieldsMixin
from county.inputs import check_plausible_date, max_length
from county.status import today

from ..choices import Stage
from ..models import PlanArea, ProgressNote, StageChange

STAGE_BY_MOVE = (
    "阶段只能通过“变更阶段”步骤改变：POST /api/landplan/areas/{pk}/move/（逐级推进，"
    "或从审查阶段退回修改完善并填写原因）。"
)
OWNERS_BY_IMPORT = "{label}是片区的归属，不能在此修改：由督查单位通过片区台账导入确定。"


class PlanAreaSerializer(RuledFieldsMixin, serializers.ModelSerializer):
    """An area; the stage changes only through the ``move`` action, its owners (lead unit,
    townships, villages) by the ledger import: a ``PUT``/``PATCH`` changing one is 400."""

    ruled_fields = {
        "stage": STAGE_BY_MOVE,
        "lead_unit": OWNERS_BY_IMPORT.format(label="牵头单位"),
        "townships": OWNERS_BY_IMPORT.format(label="涉及乡镇"),
        "villages": OWNERS_BY_IMPORT.format(label="涉及村"),
    }

    level_display = serializers.CharField(source="get_level_display", read_only=True)
    batch_display = serializers.CharField(source="get_batch_display", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    township_names = serializers.SerializerMethodField()
    light = serializers.SerializerMethodField()

    class Meta:
        model = PlanArea
        fields = [
            "id",
            "name",
            "title",
            "level",
            "level_display",
            "batch",
            "batch_display",
            "townships",
            "township_names",
            "villages",
            "lead_unit",
            "lead_unit_name",
            "compiler",
            "stage",
            "stage_display",
            "city_review_deadline",
            "completion_deadline",
            "next_deadline",
            "light",
            "note",
        ]
        read_only_fields = [
            "name",
            "title",
            "level",
            "batch",
            "townships",
            "villages",
            "lead_unit",
            "stage",
            "next_deadline",
        ]

    def get_township_names(self, area) -> list[str]:
        return [t.name for t in area.townships.all()]

    def get_light(self, area) -> str:
        return str(area.light.value)

    def validate(self, data):
        city = data.get(
            "city_review_deadline", getattr(self.instance, "city_review_deadline", None)
        )
        done = data.get("completion_deadline", getattr(self.instance, "completion_deadline", None))
        if city and done and city > done:
            raise serializers.ValidationError(
                {"city_review_deadline": "报市级审查时限不能晚于完成时限。"}
            )
        return data


class MoveSerializer(serializers.Serializer):
    """A stage change: to_stage (1–7), date (default today), note (required to go back)."""

    to_stage = serializers.IntegerField(
        min_value=Stage.BASE_DATA, max_value=Stage.DONE, help_text="1 基础资料收集 … 7 批复/完成"
    )
    date = serializers.DateField(required=False, validators=[check_plausible_date])
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length(StageChange, "note")
    )

    def validate_date(self, value):
        if value > today():
            raise serializers.ValidationError("日期不能晚于今天。")
        return value


class StageChangeSerializer(serializers.ModelSerializer):
    # Plain numbers (the labels are beside them): one enum of the stages in the schema.
    from_stage = serializers.IntegerField(read_only=True, allow_null=True)
    to_stage = serializers.IntegerField(read_only=True)
    from_stage_display = serializers.CharField(
        source="get_from_stage_display", read_only=True, allow_null=True
    )
    to_stage_display = serializers.CharField(source="get_to_stage_display", read_only=True)
    user_name = serializers.SerializerMethodField()

    class Meta:
        model = StageChange
        fields = [
            "id",
            "area",
            "from_stage",
            "from_stage_display",
            "to_stage",
            "to_stage_display",
            "date",
            "note",
            "user",
            "user_name",
            "created_at",
        ]
        read_only_fields = fields

    def get_user_name(self, change) -> str:
        """Who moved the area; empty for the system (ledger import, demo data)."""
        return str(change.user) if change.user_id else ""


class ProgressNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressNote
        fields = ["id", "area", "date", "text", "author", "unit", "created_at"]
        read_only_fields = ["author", "unit", "created_at"]

    def validate_date(self, value):
        if value > today():
            raise serializers.ValidationError("日期不能晚于今天。")
        return value

"""DRF viewsets of the reform ledger: the same scoping and FilterSets as the pages.

- Reads follow ``visible_to``; another unit's record is a 404.
- Items, sub-tasks and records are written by supervisors of reforms and admins;
  leaders and supervisors of other workstreams read only (403).
- Staff post progress reports on sub-tasks they may edit, mark their follow-up
  problems rectified, and keep (and report) their own innovation projects.
  Sub-tasks are read-only for staff.
- Nothing is deleted through the API (history keeps every change).
- A status or the units of an item, a sub-task, a follow-up problem (its lead unit) or an
  innovation project (its unit) are never changed by ``PUT``/``PATCH`` (400, naming the
  step): units through ``reassign`` (``county.scoping``: never the
  decider's own unit's work, nor to his own unit), statuses through their steps.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from county.api import ScopedModelViewSet
from county.scoping import may, require_reassign

from .. import records, workflow
from ..filtersets import (
    ExperienceFilter,
    FollowUpProblemFilter,
    InnovationFilter,
    ReformItemFilter,
    SubTaskFilter,
)
from ..models import Experience, FollowUpProblem, Innovation, ProgressReport, ReformItem, SubTask
from .serializers import (
    ExperienceSerializer,
    FollowUpProblemSerializer,
    InnovationSerializer,
    InnovationStaffSerializer,
    ItemReassignSerializer,
    ProgressReportSerializer,
    RecheckSerializer,
    RectifiedSerializer,
    ReformItemSerializer,
    SubTaskReassignSerializer,
    SubTaskSerializer,
    UnitReassignSerializer,
)


class ReformViewSet(ScopedModelViewSet):
    """Base of the reform viewsets: who writes is declared on each model (``permissions``,
    ``county.scoping``); an extra action names its scoping action in ``action_permissions``."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def run_rule(self, rule):
        """Run a rule of :mod:`reforms.records`; its ValidationError is a 400."""
        try:
            return rule()
        except ValidationError as error:
            raise serializers.ValidationError({"detail": error.messages}) from None

    def reassign_with(self, request, serializer_class, rule):
        """Run a ``reassign`` step: 404 unless visible, 403 with the Chinese reason when
        ``county.scoping`` refuses, 400 when the data or the rule say no."""
        found = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise NotFound("记录不存在，或不在您可以查看的范围内。")
        require_reassign(request.user, found)  # the reason, before DRF's generic 403
        record = self.get_object()  # ``reassign`` allowed (action_permissions)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            rule(record, data.validated_data)
        except workflow.WorkflowError as error:
            raise serializers.ValidationError({"detail": [str(error)]}) from None
        except ValidationError as error:
            raise serializers.ValidationError({"detail": error.messages}) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)


class ReformItemViewSet(ReformViewSet):
    """改革任务."""

    queryset = (
        ReformItem.objects.select_related("lead_unit", "lead_leader")
        .prefetch_related("co_units")
        .order_by("-year", "number")
    )
    serializer_class = ReformItemSerializer
    filterset_class = ReformItemFilter
    action_permissions = {"reassign": "reassign"}

    @extend_schema(request=ItemReassignSerializer, responses=ReformItemSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """调整牵头单位和责任单位 (not by a supervisor of one of the item's units)."""
        return self.reassign_with(
            request,
            ItemReassignSerializer,
            lambda item, data: workflow.reassign_item(
                item, request.user, data["lead_unit"], data.get("co_units", []), data["reason"]
            ),
        )


class SubTaskViewSet(ReformViewSet):
    """细分任务: read-only for staff, who report progress through ``progress``."""

    queryset = SubTask.objects.select_related("item").prefetch_related("units")
    serializer_class = SubTaskSerializer
    filterset_class = SubTaskFilter
    action_permissions = {"reassign": "reassign"}

    @extend_schema(request=SubTaskReassignSerializer, responses=SubTaskSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """调整责任单位 (not by a supervisor of one of its units, nor to his own unit)."""
        return self.reassign_with(
            request,
            SubTaskReassignSerializer,
            lambda task, data: workflow.reassign_subtask(
                task, request.user, data["units"], data["reason"]
            ),
        )


class ProgressReportViewSet(ReformViewSet):
    """进展报告: staff post on sub-tasks they may edit; the newest is the sub-task's progress."""

    queryset = ProgressReport.objects.select_related("author", "unit", "subtask")
    serializer_class = ProgressReportSerializer
    filterset_fields = ["subtask"]

    def perform_create(self, serializer):
        user = self.request.user
        subtask = serializer.validated_data["subtask"]
        if not subtask.is_visible_to(user):
            raise NotFound("细分任务不存在。")
        if not may(user, "report", subtask):
            raise PermissionDenied("您无权填报该细分任务的进展。")
        data = serializer.validated_data
        try:
            report = workflow.report_progress(subtask, user, data["text"], data["percent"])
        except workflow.WorkflowError as error:
            raise serializers.ValidationError({"detail": [str(error)]}) from None
        serializer.instance = report


class FollowUpProblemViewSet(ReformViewSet):
    """后半篇文章: ``rectified`` by the lead unit, ``recheck`` by supervisors of reforms."""

    queryset = FollowUpProblem.objects.select_related("lead_unit").prefetch_related("rechecks")
    serializer_class = FollowUpProblemSerializer
    filterset_class = FollowUpProblemFilter

    action_permissions = {"rectified": "rectify", "recheck": "recheck", "reassign": "reassign"}

    @extend_schema(request=UnitReassignSerializer, responses=FollowUpProblemSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """调整牵头单位 (not by a supervisor of its lead unit, nor to his own unit)."""
        return self.reassign_with(
            request,
            UnitReassignSerializer,
            lambda problem, data: records.reassign_followup(
                problem, request.user, data["unit"], data["reason"]
            ),
        )

    @extend_schema(request=RectifiedSerializer, responses=FollowUpProblemSerializer)
    @action(detail=True, methods=["post"])
    def rectified(self, request, pk=None):
        """The lead unit reports the problem rectified (整改中 → 已整改)."""
        problem = self.get_object()
        data = RectifiedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.run_rule(
            lambda: records.mark_rectified(problem, request.user, data.validated_data["note"])
        )
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=RecheckSerializer, responses={201: FollowUpProblemSerializer})
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        """回头看: 整改成效巩固 → 回头看通过; 问题反弹 → 整改中."""
        problem = self.get_object()
        data = RecheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        self.run_rule(
            lambda: records.add_recheck(
                problem,
                request.user,
                values["checked_on"],
                values["result"],
                values.get("note", ""),
            )
        )
        return Response(self.get_serializer(self.get_object()).data, status=status.HTTP_201_CREATED)


class InnovationViewSet(ReformViewSet):
    """微改革微创新: supervisors any project, a unit's staff their own; ``report`` 报送."""

    queryset = Innovation.objects.select_related("unit")
    serializer_class = InnovationSerializer
    filterset_class = InnovationFilter

    def get_serializer_class(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or may(user, "assign", Innovation):
            return InnovationSerializer
        return InnovationStaffSerializer

    action_permissions = {"report": "change", "reassign": "reassign"}

    @extend_schema(request=UnitReassignSerializer, responses=InnovationSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """调整承担单位 (not by a supervisor of its unit, nor to his own unit)."""
        return self.reassign_with(
            request,
            UnitReassignSerializer,
            lambda innovation, data: records.reassign_innovation(
                innovation, request.user, data["unit"], data["reason"]
            ),
        )

    def perform_create(self, serializer):
        user = self.request.user
        if may(user, "assign", Innovation):
            serializer.save()
        else:
            serializer.save(unit=user.unit)

    @extend_schema(request=None, responses=InnovationSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """报送县委改革办: reported, dated today."""
        innovation = self.get_object()
        self.run_rule(lambda: records.report_innovation(innovation, request.user))
        return Response(InnovationSerializer(self.get_object()).data)


class ExperienceViewSet(ReformViewSet):
    """典型经验刊载."""

    queryset = Experience.objects.select_related("unit").order_by("-published_on", "-pk")
    serializer_class = ExperienceSerializer
    filterset_class = ExperienceFilter

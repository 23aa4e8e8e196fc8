"""DRF viewsets of the planning workstream: the same scoping and FilterSet as the pages.

Areas are created by the Excel import; the API reads them, lets supervisors and the
lead unit change the details (PATCH) and the stage (``move``, the same rule as the
page), and lets townships add progress notes.
"""

from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.response import Response

from county.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from county.scoping import may

from ..filtersets import PlanAreaFilter
from ..models import PlanArea, ProgressNote, StageChange, StageError
from .serializers import (
    MoveSerializer,
    PlanAreaSerializer,
    ProgressNoteSerializer,
    StageChangeSerializer,
)


class PlanAreaViewSet(ScopedModelViewSet):
    """Plan areas; ``move`` changes the stage."""

    queryset = (
        PlanArea.objects.for_list().prefetch_related("villages").order_by("level", "batch", "pk")
    )
    serializer_class = PlanAreaSerializer
    filterset_class = PlanAreaFilter
    http_method_names = ["get", "head", "options", "patch", "put", "post"]

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST", detail="片区通过台账导入新增。")

    action_permissions = {"move": "change"}  # supervisors and the lead unit (county.scoping)

    def perform_update(self, serializer):
        serializer.instance._history_user = self.request.user
        serializer.save()

    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        area = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            area.move_to(values["to_stage"], request.user, values.get("date"), values["note"])
        except StageError as error:
            return Response(
                {"detail": "；".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST
            )
        area = self.get_queryset().get(pk=area.pk)
        return Response(self.get_serializer(area).data)


class StageChangeViewSet(ScopedReadOnlyViewSet):
    """The milestone timelines (read-only: they are written by ``move`` and the import)."""

    queryset = StageChange.objects.select_related("user").order_by("date", "pk")
    serializer_class = StageChangeSerializer
    filterset_fields = ["area", "to_stage"]


class ProgressNoteViewSet(ScopedModelViewSet):
    """Progress notes: whoever may edit the area (its townships too) adds them."""

    queryset = ProgressNote.objects.order_by("-date", "-pk")
    serializer_class = ProgressNoteSerializer
    filterset_fields = ["area"]
    http_method_names = ["get", "head", "options", "post"]

    def perform_create(self, serializer):
        area = serializer.validated_data["area"]
        if not may(self.request.user, "report", area):
            raise PermissionDenied("您无权填报该片区的进展。")
        serializer.save(author=self.request.user, unit=self.request.user.unit)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "area" in getattr(serializer, "fields", {}):
            serializer.fields["area"].queryset = PlanArea.objects.visible_to(self.request.user)
        return serializer

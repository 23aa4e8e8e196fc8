"""DRF viewsets of the environment workstream: the same scoping and FilterSets as the pages.

Who may write is declared on the models (``permissions``, ``county.scoping``): problems,
inspections and accountability records are the supervisors'; responsible units act on their
problems only through the loop's actions (``submit``: ``rectify``), another unit's supervisors
through ``accept`` / ``reject`` (``decide``). A problem's status, township and departments
are never changed by ``PUT``/``PATCH`` (400, naming the step): the units through ``reassign``
(not by a supervisor of one of the units before or after, ``county.scoping``). ``DELETE``
voids (作废, kept in history, see ``county.voiding``); voiding an inspection whose problems
are still in force answers 409.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from county.api import (
    BoundedJSONParser,
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
    void_through_api,
)
from county.concurrency import Conflict
from county.scoping import require_reassign

from ..filtersets import AccountabilityFilter, InspectionFilter, ProblemFilter
from ..models import (
    Accountability,
    Inspection,
    LoopError,
    Problem,
    ProblemCategory,
    Rectification,
)
from ..photos import check_photos
from .serializers import (
    AccountabilitySerializer,
    InspectionSerializer,
    PhotoSerializer,
    ProblemCategorySerializer,
    ProblemReassignSerializer,
    ProblemSerializer,
    ReasonSerializer,
    RectificationSerializer,
    SubmitSerializer,
)


class ProblemViewSet(ScopedModelViewSet):
    """Problems; ``submit``, ``accept``, ``reject`` run the loop's steps."""

    action_permissions = {
        "submit": "rectify",
        "accept": "decide",
        "reject": "decide",
        "reassign": "reassign",
    }

    queryset = Problem.objects.for_list().order_by("-found_on", "-number")
    serializer_class = ProblemSerializer
    filterset_class = ProblemFilter
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    def perform_create(self, serializer):
        problem = serializer.save(number=Problem.next_number())
        problem.refresh_stubborn()

    def perform_update(self, serializer):
        serializer.save().refresh_stubborn()

    def perform_destroy(self, instance):
        """作废 instead of deleting; the reason comes from ``reason`` (body or query)."""
        void_through_api(self.request, instance)

    def _step(self, request, run):
        problem = self.get_object()  # 404 when not visible
        try:
            run(problem)  # the rule locks the problem and re-checks its state
        except LoopError as error:
            refused = isinstance(error, Conflict)  # e.g. already decided meanwhile
            return Response(
                {"detail": "；".join(error.messages)},
                status=status.HTTP_409_CONFLICT if refused else status.HTTP_400_BAD_REQUEST,
            )
        problem.refresh_from_db()
        return Response(self.get_serializer(problem).data)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The responsible unit submits its rectification (multipart: note, photos)."""
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            checked = check_photos(request.FILES.getlist("photos"))
        except ValidationError as error:
            raise serializers.ValidationError({"photos": error.messages}) from None
        return self._step(
            request, lambda p: p.submit(request.user, data.validated_data["note"], checked)
        )

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._step(request, lambda p: p.accept(request.user, data.validated_data["reason"]))

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._step(request, lambda p: p.reject(request.user, data.validated_data["reason"]))

    @extend_schema(request=ProblemReassignSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """调整责任单位: township (and village) and departments, with a reason."""
        found = self.get_queryset().filter(pk=pk).first()
        if found is None:
            raise NotFound("记录不存在，或不在您可以查看的范围内。")
        require_reassign(request.user, found)  # the reason, before DRF's generic 403
        data = ProblemReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return self._step(
            request,
            lambda p: p.reassign(
                request.user,
                values["township"],
                values.get("departments", []),
                values["reason"],
                village=values.get("village"),
            ),
        )

    @extend_schema(responses=PhotoSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def photos(self, request, pk=None):
        problem = self.get_object()
        return Response(PhotoSerializer(problem.photos.all(), many=True).data)


class InspectionViewSet(ScopedModelViewSet):
    """Inspections; ``DELETE`` voids one whose problems are all voided (else 409)."""

    queryset = Inspection.objects.prefetch_related("townships").order_by("-date", "-pk")
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter

    def perform_destroy(self, instance):
        void_through_api(self.request, instance)


class AccountabilityViewSet(ScopedModelViewSet):
    """Accountability records; ``DELETE`` voids (作废, kept in history)."""

    queryset = Accountability.objects.prefetch_related("problems").order_by("-date", "-pk")
    serializer_class = AccountabilitySerializer
    filterset_class = AccountabilityFilter

    def perform_destroy(self, instance):
        void_through_api(self.request, instance)


class RectificationViewSet(ScopedReadOnlyViewSet):
    queryset = Rectification.objects.filter(problem__voided_at__isnull=True).order_by(
        "-submitted_at", "-pk"
    )
    serializer_class = RectificationSerializer
    filterset_fields = ["problem", "result"]


class ProblemCategoryViewSet(ScopedReadOnlyViewSet):
    """The category list (every signed-in user reads it; supervisors edit it in the pages)."""

    queryset = ProblemCategory.objects.all()
    serializer_class = ProblemCategorySerializer

    def get_queryset(self):
        return ProblemCategory.objects.all()

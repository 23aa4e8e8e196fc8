"""DRF viewsets of 撂荒地整治: the same scoping, FilterSet and rules as the pages.

Township staff change their own parcels' planting and status (PATCH; the loop's rules
in ``Parcel.apply_update``); base data (township, village, code, area …) and creating
or deleting parcels are for supervisors; leaders read. ``DELETE`` voids a parcel (作废,
kept in history, see ``county.voiding``) instead of deleting it and its inspections.
The township and village are never changed by ``PUT``/``PATCH`` (400, naming the step):
only by ``reassign`` (not by a supervisor of the township before or after, issue 20); a
status sent by ``PATCH`` follows the same rule as the update page (``apply_update``).
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from county.api import ScopedModelViewSet, void_through_api
from county.scoping import may, require_reassign

from ..figures import summary
from ..filtersets import ParcelFilter
from ..forms import BASE_FIELDS, OWNER_FIELDS
from ..models import Inspection, Parcel
from .serializers import ParcelInspectionSerializer, ParcelReassignSerializer, ParcelSerializer


def _as_drf_error(error):
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"detail": error.messages})


class ParcelViewSet(ScopedModelViewSet):
    """Parcels; ``reassign`` moves one to another township or village."""

    action_permissions = {"reassign": "reassign"}
    queryset = Parcel.objects.for_list().order_by("township__order", "code")
    serializer_class = ParcelSerializer
    filterset_class = ParcelFilter

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        finding = data.pop("finding", "")
        parcel = Parcel(**data)
        try:
            parcel.full_clean()
        except ValidationError as error:
            raise _as_drf_error(error) from None
        parcel._history_user = self.request.user
        parcel.save()
        serializer.instance = parcel
        if finding:
            Inspection.objects.create(parcel=parcel, finding=finding, user=self.request.user)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        finding = data.pop("finding", "")
        for name in OWNER_FIELDS:  # sent unchanged (RuledFieldsMixin refused any change)
            data.pop(name, None)
        if not may(self.request.user, "correct", serializer.instance):
            locked = sorted(set(data) & set(BASE_FIELDS))
            if locked:
                raise PermissionDenied(
                    f"乡镇只能更新整治、种植和状态，不能修改：{'、'.join(locked)}。"
                )
        parcel = Parcel.objects.get(pk=serializer.instance.pk)
        try:
            parcel.apply_update(self.request.user, data, finding)
        except ValidationError as error:
            raise _as_drf_error(error) from None
        serializer.instance = parcel

    @extend_schema(request=ParcelReassignSerializer, responses=ParcelSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """调整乡镇/村: the township and village, with a reason (not by a supervisor of the
        township before or after)."""
        found = self.get_queryset().filter(pk=pk).first()
        if found is None:
            raise NotFound("记录不存在，或不在您可以查看的范围内。")
        require_reassign(request.user, found)  # the reason, before DRF's generic 403
        parcel = self.get_object()
        data = ParcelReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            parcel.reassign(request.user, values["township"], values["village"], values["reason"])
        except ValidationError as error:
            raise _as_drf_error(error) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=parcel.pk)).data)

    def perform_destroy(self, instance):
        """作废 instead of deleting; the reason comes from ``reason`` (body or query)."""
        void_through_api(self.request, instance)

    @extend_schema(
        filters=True,
        responses=inline_serializer(
            "ParcelSummary",
            {
                "count": serializers.IntegerField(),
                "area": serializers.DecimalField(max_digits=14, decimal_places=2),
                "by_status": serializers.DictField(
                    child=inline_serializer(
                        "ParcelStatusFigures",
                        {
                            "count": serializers.IntegerField(),
                            "area": serializers.DecimalField(max_digits=14, decimal_places=2),
                        },
                    ),
                    help_text="按状态（键为状态代码）的地块数和面积（亩）",
                ),
                "still_abandoned_area": serializers.DecimalField(max_digits=14, decimal_places=2),
                "use_rate": serializers.FloatField(),
                "at_risk_count": serializers.IntegerField(),
                "reabandoned_count": serializers.IntegerField(),
            },
        ),
    )
    @action(detail=False, methods=["get"])
    def summary(self, request):
        """The overview's figures over the visible (and filtered) parcels."""
        queryset = self.filter_queryset(self.get_queryset())
        data = summary(request.user, queryset)
        return Response(
            {
                "count": data["count"],
                "area": str(data["area"]),
                "by_status": {
                    k: {"count": v["count"], "area": str(v["area"])}
                    for k, v in data["by_status"].items()
                },
                "still_abandoned_area": str(data["still_abandoned_area"]),
                "use_rate": float(data["use_rate"]),
                "at_risk_count": data["at_risk_count"],
                "reabandoned_count": data["reabandoned_count"],
            }
        )


class InspectionViewSet(ScopedModelViewSet):
    """巡查记录: read the visible ones; township staff and supervisors add them."""

    queryset = (
        Inspection.objects.filter(parcel__voided_at__isnull=True)
        .select_related("user", "parcel")
        .order_by("-inspected_on", "-pk")
    )
    serializer_class = ParcelInspectionSerializer
    filterset_fields = ["parcel"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        parcel = serializer.validated_data["parcel"]
        if not Parcel.objects.visible_to(self.request.user).filter(pk=parcel.pk).exists():
            raise serializers.ValidationError({"parcel": "地块不存在。"})
        if not parcel.is_editable_by(self.request.user):
            raise PermissionDenied("您无权为该地块登记巡查。")
        serializer.save(user=self.request.user, status_before=parcel.status,
                        status_after=parcel.status)  # fmt: skip

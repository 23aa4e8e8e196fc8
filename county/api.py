"""Base classes for the workstreams' DRF viewsets: the same row scoping as the pages."""

from django.http import Http404
from rest_framework import permissions, viewsets
from rest_framework.exceptions import NotFound


class ScopedObjectPermission(permissions.IsAuthenticated):
    """Reads follow ``visible_to``; writes follow ``editable_by``."""

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True  # the queryset already holds only visible rows
        return obj.is_editable_by(request.user)


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A viewset over ``Model.objects.visible_to(request.user)``.

    Another unit's record is a 404 (it is not in the queryset); a visible record
    the user may not change is a 403.
    """

    permission_classes = [ScopedObjectPermission]

    def get_queryset(self):
        # ``queryset`` is a ScopedQuerySet, e.g. Problem.objects.select_related(...)
        return self.queryset.all().visible_to(self.request.user)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise NotFound("记录不存在，或不在您可以查看的范围内。") from None


class ScopedReadOnlyViewSet(ScopedModelViewSet, viewsets.ReadOnlyModelViewSet):
    """Read-only variant."""

    http_method_names = ["get", "head", "options"]

"""Base classes for the workstreams' DRF viewsets: the same row scoping as the pages.

Also the API's guards, set in ``REST_FRAMEWORK`` (county/settings.py):

- ``county.inputs.BoundedJSONParser`` (the default parser) refuses JSON nested deeper than
  ``county.inputs.MAX_JSON_DEPTH`` (Python's parser would otherwise recurse until
  ``RecursionError``, a 500) and bodies larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``, with a
  400 in Chinese (it lives in ``county.inputs``: DRF imports the default parser while
  ``rest_framework.views`` loads, which this module imports);
- :func:`exception_handler` answers a delete of something still in use (``ProtectedError``,
  ``RestrictedError``) with 409 and a Chinese message naming what still uses it, and a
  model's own ``ValidationError`` with 400 — both roll the request's transaction back;
  a :class:`county.concurrency.Conflict` (the record is no longer in the state a step
  needs, e.g. decided meanwhile) with 409.

Concurrency (``county.concurrency``): a record with a version answers ``ETag: "<version>"``
on GET (and after a write); ``PUT``/``PATCH`` lock the row first, answer a stale
``If-Match`` with 412 and save only the fields that changed, so two writers changing
different fields of one record both keep their change.
"""

from collections import Counter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import permissions, status, viewsets
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response
from rest_framework.serializers import ValidationError as SerializerValidationError
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .concurrency import Conflict, VersionedModel, lock
from .inputs import BoundedJSONParser, json_depth_exceeds
from .scoping import decide_refusal, may
from .voiding import API_VOID_REASON, AlreadyVoided, VoidableModel

__all__ = [
    "BoundedJSONParser",
    "PreconditionFailed",
    "RuledFieldsMixin",
    "ScopedModelViewSet",
    "ScopedReadOnlyViewSet",
    "exception_handler",
    "json_depth_exceeds",
    "void_through_api",
]


def _still_used_message(exc):
    counts = Counter(obj._meta.verbose_name for obj in getattr(exc, "protected_objects", ()))
    counts.update(obj._meta.verbose_name for obj in getattr(exc, "restricted_objects", ()))
    used = "、".join(f"{count} 条{name}" for name, count in counts.items())
    if used:
        return f"该记录仍被{used}使用，不能删除。请先处理这些记录，或将其作废。"
    return "该记录仍在使用中，不能删除。"


def exception_handler(exc, context):
    """DRF's handler, plus 409 for deleting what is still in use and 400 for model errors."""
    if isinstance(exc, (ProtectedError, RestrictedError)):
        set_rollback()
        return Response({"detail": _still_used_message(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Conflict):
        set_rollback()
        return Response({"detail": "；".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(as_serializer_error(exc), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def void_through_api(request, instance):
    """``DELETE`` of a voidable record: lock it, void it with the given reason (or a default).

    The reason is ``reason`` in the body or the query string. Voided meanwhile: 404, as
    for any record that is no longer there.
    """
    reason = ""
    if hasattr(request.data, "get"):
        reason = request.data.get("reason") or ""
    reason = (reason if isinstance(reason, str) else "") or request.query_params.get("reason", "")
    locked = type(instance).lock_for_void(instance.pk)
    try:
        locked.void(request.user, reason.strip() or API_VOID_REASON)
    except AlreadyVoided:
        raise NotFound("记录不存在，或不在您可以查看的范围内。") from None


class PreconditionFailed(APIException):
    """``If-Match`` names a version the record no longer has (412)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "该记录已被他人修改，请重新读取后再修改。"
    default_code = "precondition_failed"


def etag_of(obj):
    """``"<version>"`` of a versioned record, else None."""
    if isinstance(obj, VersionedModel) and obj.version is not None:
        return f'"{obj.version}"'
    return None


def if_match_holds(header, etag):
    """Does an ``If-Match`` header (``*``, one tag or a list, weak or strong) name ``etag``?"""
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


# The scoping action (``county.scoping``) each of DRF's write actions needs; an extra
# ``@action`` of a viewset names its own in the viewset's ``action_permissions``.
WRITE_ACTIONS = {
    "create": "create",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


def scoping_action(view):
    """The scoping action a write through ``view`` needs (``change`` for an undeclared one)."""
    declared = getattr(view, "action_permissions", {}) or {}
    return declared.get(view.action) or WRITE_ACTIONS.get(view.action, "change")


class ScopedObjectPermission(permissions.IsAuthenticated):
    """Reads follow ``visible_to`` (the queryset); a write asks ``county.scoping.may`` for the
    action it needs (:func:`scoping_action`): ``create`` of the model before anything is
    read, the others of the record once it is found, so another unit's record is a 404
    before it is ever a 403."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS or view.action != "create":
            return True
        return may(request.user, scoping_action(view), view.queryset.model)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True  # the queryset already holds only visible rows
        action = scoping_action(view)
        if action == "decide":
            refusal = decide_refusal(request.user, obj)
            if refusal:
                self.message = refusal
            return not refusal
        return may(request.user, action, obj)


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
            obj = super().get_object()
        except Http404:
            raise NotFound("记录不存在，或不在您可以查看的范围内。") from None
        if self.request.method in ("PUT", "PATCH"):
            # Locked until the request's transaction ends and read afresh: a concurrent
            # writer waits here, and this write starts from the other's saved values.
            lock(obj)
            etag, if_match = etag_of(obj), self.request.headers.get("If-Match")
            if etag and if_match and not if_match_holds(if_match, etag):
                raise PreconditionFailed(
                    f"该记录已被他人修改（您的版本为 {if_match}，当前版本为 {etag}），"
                    "本次修改未保存；请重新读取后再修改。"
                )
        if self.action in ("retrieve", "update", "partial_update"):
            self._etag_object = obj
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        obj = getattr(self, "_etag_object", None)
        if obj is not None and 200 <= response.status_code < 300:
            if request.method in ("PUT", "PATCH"):
                obj = type(obj)._base_manager.filter(pk=obj.pk).first() or obj
            etag = etag_of(obj) if request.method in ("GET", "HEAD", "PUT", "PATCH") else None
            if etag:
                response["ETag"] = etag
        return response

    # What the API schema documents besides each operation's success body: the hook
    # ``county.web.api_errors.document_error_answers`` asks every view these two questions.

    def schema_error_statuses(self, method):
        """The 4xx statuses the current action can answer to ``method``."""
        model = self.queryset.model
        codes = {403}  # not logged in (session auth comes first, so DRF says 403, not 401), refused
        if self.detail:
            codes.add(404)  # another unit's record, or none
        elif method == "GET" and self.action == "list" and self.pagination_class:
            codes.add(404)  # a page past the last
        filtered = getattr(self, "filterset_class", None) or getattr(self, "filterset_fields", None)
        if filtered and self.filter_backends:
            codes.add(400)  # a filter value of the wrong kind (filter_queryset, get_object)
        if method in ("POST", "PUT", "PATCH") or (
            method == "DELETE" and issubclass(model, VoidableModel)
        ):
            codes |= {400, 415}  # the body (a void reads its reason from the body)
        if method in ("POST", "PUT", "PATCH"):
            codes |= self._schema_field_statuses()
        if method in ("PUT", "PATCH") and issubclass(model, VersionedModel):
            codes.add(412)  # a stale If-Match
        if method == "DELETE" or (method == "POST" and self.detail):
            codes.add(409)  # still in use; no longer in the state the step needs
        return codes

    def _schema_field_statuses(self):
        """What the body's fields answer themselves: a field's ``schema_error_statuses``
        (e.g. 404 for naming a record the user may not see, as if it did not exist)."""
        fields = self.get_serializer_class()().fields.values()
        return set().union(*(getattr(field, "schema_error_statuses", ()) for field in fields))

    def schema_answers_etag(self, method):
        """Does the current action's success answer carry ``ETag`` (see :meth:`get_object`)?"""
        return (
            self.action in ("retrieve", "update", "partial_update")
            and method in ("GET", "PUT", "PATCH")
            and issubclass(self.queryset.model, VersionedModel)
        )


class ScopedReadOnlyViewSet(ScopedModelViewSet, viewsets.ReadOnlyModelViewSet):
    """Read-only variant."""

    http_method_names = ["get", "head", "options"]


def _ids(value):
    """The set of ids a many-to-many value sent in a request names (None when it is not one)."""
    if not isinstance(value, (list, tuple)):
        return None
    try:
        return {int(getattr(v, "pk", v)) for v in value}
    except (TypeError, ValueError):
        return None


class RuledFieldsMixin:
    """A serializer whose ``ruled_fields`` (a status, the owning units: what decides who may act)
    change only through their workflow step, never by ``PUT``/``PATCH`` (issue 20).

    ``ruled_fields`` maps a field to the Chinese message naming the step to use (``{pk}`` is the
    record's id). A write that would change one is refused with 400 and that message under
    the field, whether the field is writable or read-only; a value sent unchanged (a ``PUT`` of
    what was read) passes. On create, ``creatable_fields`` may be set (the first owners) and the
    others may not, except to values outside ``closed_values`` (a new record is never created
    closed).
    """

    ruled_fields = {}
    creatable_fields = ()
    closed_values = {}

    def _changes(self, instance, name, sent):
        field = type(instance)._meta.get_field(name)
        if field.many_to_many:
            return _ids(sent) != set(getattr(instance, name).values_list("pk", flat=True))
        current = getattr(instance, field.attname)
        if field.is_relation:
            return str(getattr(sent, "pk", sent)) != str(current)
        return str(sent) != str(current) if current is not None else sent not in (None, "")

    def _ruled_errors(self, data):
        if not hasattr(data, "keys"):
            return {}
        errors = {}
        for name, message in self.ruled_fields.items():
            if name not in data:
                continue
            sent = data.getlist(name) if hasattr(data, "getlist") else data[name]
            if hasattr(data, "getlist") and len(sent) == 1 and not self._is_many(name):
                sent = sent[0]
            if self.instance is None:
                if name in self.creatable_fields:
                    continue
                if str(sent) in {str(v) for v in self.closed_values.get(name, ())}:
                    errors[name] = [message.format(pk="<id>")]
            elif self._changes(self.instance, name, sent):
                errors[name] = [message.format(pk=self.instance.pk)]
        return errors

    def _is_many(self, name):
        model = self.Meta.model
        return model._meta.get_field(name).many_to_many

    def to_internal_value(self, data):
        errors = self._ruled_errors(data)
        if errors:
            raise SerializerValidationError(errors)
        return super().to_internal_value(data)

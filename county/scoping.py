"""Row scoping: the one place that answers "which records may this user see / change".

Every business model that belongs to units inherits :class:`UnitOwnedModel` and
names the paths from itself to the owning ``Unit`` (a foreign key, a many-to-many,
or a path through related models). Every HTML view and every API viewset asks
``Model.objects.visible_to(user)`` or ``.editable_by(user)``; nothing else
decides row access.

- admin: sees and changes everything;
- leader: sees everything, changes no unit's records (writes instructions only);
- supervisor: sees everything, changes the records of the workstreams his unit supervises;
- staff: sees and changes only the records owned by his own unit.
"""

from django.db import models
from django.db.models import Q

from .choices import Role


class ScopedQuerySet(models.QuerySet):
    """QuerySet with the visibility rules of :mod:`county.scoping`."""

    def owned_by(self, unit_id):
        """Records one of whose owning units is ``unit_id``."""
        paths = self.model.unit_paths
        condition = Q()
        for path in paths:
            condition |= Q(**{path: unit_id})
        if all("__" not in p and not _is_many(self.model, p) for p in paths):
            return self.filter(condition)
        # A path through a many-to-many would repeat rows; a sub-select keeps one.
        return self.filter(pk__in=self.model._default_manager.filter(condition).values("pk"))

    def visible_to(self, user):
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.reads_all:
            return self
        if user.unit_id is None:
            return self.none()
        return self.owned_by(user.unit_id)

    def editable_by(self, user):
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_county_admin:
            return self
        if user.role == Role.SUPERVISOR:
            return self if user.supervises(self.model.workstream) else self.none()
        if user.role == Role.STAFF and user.unit_id is not None:
            return self.owned_by(user.unit_id)
        return self.none()


def _is_many(model, field_name):
    field = model._meta.get_field(field_name)
    return field.many_to_many or field.one_to_many


class UnitOwnedModel(models.Model):
    """Mixin for a record owned by one or more units.

    Subclasses set ``workstream`` (the registry key whose supervisors may edit
    it) and ``unit_paths`` (lookups from the record to the owning unit).
    """

    workstream = ""
    unit_paths = ("unit",)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_visible_to(self, user):
        return type(self)._default_manager.visible_to(user).filter(pk=self.pk).exists()

    def is_editable_by(self, user):
        return type(self)._default_manager.editable_by(user).filter(pk=self.pk).exists()

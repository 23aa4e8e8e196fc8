"""A test-only business record owned by a unit and by co-responsible units."""

from django.db import models

from county.scoping import UnitOwnedModel


class Dossier(UnitOwnedModel):
    """A dated piece of work with one lead unit and several co-responsible units."""

    workstream = "testing"
    unit_paths = ("unit", "co_units")

    title = models.CharField(max_length=100)
    unit = models.ForeignKey("county.Unit", on_delete=models.PROTECT, related_name="+")
    co_units = models.ManyToManyField("county.Unit", blank=True, related_name="+")
    leader = models.ForeignKey("county.Leader", null=True, on_delete=models.SET_NULL)
    deadline = models.DateField(null=True)
    done = models.BooleanField(default=False)

    def __str__(self):
        return self.title

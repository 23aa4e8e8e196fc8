"""App configuration of the spatial-planning workstream; registers it with the county core."""

from django.apps import AppConfig


class LandplanConfig(AppConfig):
    """乡村国土空间规划编制: 片区 plans and their milestones."""

    name = "landplan"
    verbose_name = "乡村国土空间规划编制"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import registration

        registration.register()

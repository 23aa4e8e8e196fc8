"""App configuration of the county core."""

from django.apps import AppConfig


class CountyConfig(AppConfig):
    """The shared core: units, people, roles, scoping, registry."""

    name = "county"
    verbose_name = "县域基础信息"
    default_auto_field = "django.db.models.BigAutoField"

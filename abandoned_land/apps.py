"""App configuration of 撂荒地整治; registers the workstream with the county core."""

from django.apps import AppConfig


class AbandonedLandConfig(AppConfig):
    """撂荒地整治: abandoned farmland parcels and the loop 整治一片、巩固一片、用好一片."""

    name = "abandoned_land"
    verbose_name = "撂荒地整治"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import registration

        registration.register()

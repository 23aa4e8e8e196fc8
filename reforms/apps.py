"""App configuration of the reform ledger; registers it with the county core."""

from django.apps import AppConfig


class ReformsConfig(AppConfig):
    """全面深化改革: the 88-item reform ledger."""

    name = "reforms"
    verbose_name = "全面深化改革"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import registration

        registration.register()

"""A minimal workstream used only by tests of the county core."""

from django.apps import AppConfig
from django.db.models import Q


class TestappConfig(AppConfig):
    name = "tests.testapp"
    label = "testapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from county.registry import DatedWork, Figure, Workstream, registry

        from .ledger import DossierLedger
        from .models import Dossier

        registry.register(
            Workstream(
                key="testing",
                label="测试板块",
                url_name="testapp:list",
                order=999,
                urls="tests.testapp.urls",
                ledger=DossierLedger(),
                dated_work=[
                    DatedWork(
                        key="testing.dossier",
                        label="测试事项",
                        model=Dossier,
                        deadline_field="deadline",
                        title_field="title",
                        open_filter=Q(done=False),
                        url_name="testapp:detail",
                        leader_path="leader",
                        select_related=("unit",),
                        describe=lambda dossier: f"牵头单位：{dossier.unit.name}",
                    )
                ],
                figures=lambda user: [
                    Figure(
                        "未完成事项", Dossier.objects.visible_to(user).filter(done=False).count()
                    )
                ],
            )
        )

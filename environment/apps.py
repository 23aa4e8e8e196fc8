"""The environment workstream's app config: registers it with the county core."""

import importlib.util

from django.apps import AppConfig


class EnvironmentConfig(AppConfig):
    name = "environment"
    verbose_name = "城乡环境综合提质"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from county.registry import DatedWork, Workstream, registry

        from . import measures
        from .cockpit import cockpit
        from .demo import load_demo
        from .demo import scale as demo_scale
        from .maps import map_layers
        from .models import Problem
        from .notices import cockpit_figures
        from .registration import PROBLEM_STATUS, decisions

        registry.register(
            Workstream(
                key="environment",
                label="城乡环境",
                url_name="environment:problem_list",
                icon="bi-tree",
                order=40,
                dated_work=[
                    DatedWork(
                        key="environment.problem",
                        label="环境问题整改",
                        model=Problem,
                        status=PROBLEM_STATUS,
                        title_field="description",
                        url_name="environment:problem_detail",
                        list_url_name="environment:problem_list",
                        list_overdue="overdue=1",
                        leader_path="township__liaison_leaders",
                        select_related=("township", "village", "category"),
                        describe=lambda p: f"第{p.number}号 · {p.township.name} · {p.title}",
                    )
                ],
                decisions=decisions(),
                figures=cockpit_figures,
                cockpit=cockpit,
                maps=map_layers(),
                unit_measures=measures.unit_measures,
                unit_measure_links=measures.unit_measure_links,
                weekly=measures.weekly,
                urls="environment.urls",
                api_urls="environment.api.urls",
                ledger=problem_ledger(),
                load_demo=load_demo,
                seed_scale=demo_scale.build,
                scale_pages=demo_scale.pages,
            )
        )


def problem_ledger():
    """The Excel ledger, once the shared engine (county.ledger) is there."""
    if importlib.util.find_spec("county.ledger") is None:
        return None
    from .ledger import ProblemLedger

    return ProblemLedger()

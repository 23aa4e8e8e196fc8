"""How the planning workstream plugs into county/: dated work, cockpit figures, ledger, demo."""

from county.registry import DatedWork, Figure, Workstream, registry

from .choices import Stage


def figures(user):
    from .views import figures_for

    f = figures_for(user)
    return [
        Figure("规划片区", f["total"][0], f["total"][1]),
        Figure("乡镇级未完成", f["township_open"][0], f["township_open"][1], "primary"),
        Figure("逾期片区", f["overdue"][0], f["overdue"][1], "danger"),
        Figure("临期片区", f["due_soon"][0], f["due_soon"][1], "warning"),
        Figure("编制完成率", f["rate"][0], f["rate"][1], "success"),
    ]


def describe_area(area):
    """我的待办's line under the 片区: its stage and what its deadline is for."""
    step = "报市级审查" if area.next_deadline_label.startswith("报市级") else "编制完成"
    return f"当前阶段：{area.get_stage_display()} · 下一节点：{step}"


def register():
    from django.db.models import Q

    from .demo import load_demo
    from .ledger import PlanAreaLedger
    from .models import PlanArea

    registry.register(
        Workstream(
            key="landplan",
            label="国土空间规划",
            url_name="landplan:overview",
            icon="bi-map",
            order=20,
            dated_work=[
                DatedWork(
                    key="landplan.area",
                    label="片区规划编制",
                    model=PlanArea,
                    deadline_field="next_deadline",
                    title_field="title",
                    open_filter=~Q(stage=Stage.DONE),
                    url_name="landplan:area_detail",
                    describe=describe_area,
                )
            ],
            figures=figures,
            ledger=PlanAreaLedger(),
            load_demo=load_demo,
            urls="landplan.urls",
            api_urls="landplan.api.urls",
        )
    )

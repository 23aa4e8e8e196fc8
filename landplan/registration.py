"""How the planning workstream plugs into county/: dated work, cockpit figures, ledger, demo."""

from county.registry import NONE_LATE, RATE_THRESHOLD, DatedWork, Figure, Workstream, registry
from county.status import StatusRules
from county.templatetags.dates import cn_date

from .choices import Stage

# The state inputs, declared once: an area's deadline is its next milestone (报市级审查,
# else 编制完成, kept in ``next_deadline``); it is done at 已完成, and has no waiting stage
# (a stage under review is still the area's own milestone).
AREA_STATUS = StatusRules(deadline="next_deadline", status="stage", closed=(Stage.DONE,))


def figures(user):
    from .views import figures_for

    return figures_from(figures_for(user))


def figures_from(f):
    """The figure cards of ``views.figures_for``'s numbers, coloured by their thresholds."""
    return [
        Figure("规划片区", f["total"][0], f["total"][1]),
        Figure("乡镇级未完成", f["township_open"][0], f["township_open"][1], "primary"),
        Figure("逾期片区", f["overdue"][0], f["overdue"][1], threshold=NONE_LATE),
        Figure("临期片区", f["due_soon"][0], f["due_soon"][1], "warning"),
        Figure("编制完成率", f["rate"][0], f["rate"][1], threshold=RATE_THRESHOLD),
    ]


def describe_area(area):
    """我的待办's line under the 片区: its stage and what its deadline is for."""
    step = "报市级审查" if area.next_deadline_label.startswith("报市级") else "编制完成"
    return f"当前阶段：{area.get_stage_display()} · 下一节点：{step}"


def decisions():
    """The plans waiting in review (报市级审查, 省级专班审查) for their result to be recorded.

    The rules have no approval step of their own: the review is made outside (the city's
    review, the provincial team); what waits inside the system is a supervisor of landplan
    recording its result. Accept = the next stage; send back = 修改完善 with the review's
    opinion (required). The person who sent the plan into review does not record it from
    the inbox. See docs/landplan.md.
    """
    from django.core.exceptions import ValidationError
    from django.db.models import OuterRef, Prefetch, Q, Subquery

    from county.registry import Decision
    from county.status import today

    from .choices import REVIEW_STAGES
    from .models import PlanArea, StageChange

    def areas():
        last = StageChange.objects.filter(area=OuterRef("pk")).order_by("-date", "-pk")
        return PlanArea.objects.annotate(
            review_since=Subquery(last.values("date")[:1]),
            review_by=Subquery(last.values("user")[:1]),
        )

    def last_change(area):
        changes = list(area.stage_changes.all())
        return changes[-1] if changes else None

    def describe(area):
        change = last_change(area)
        mover = change.user if change else None
        detail = f"当前阶段：{area.get_stage_display()}"
        if change:
            detail += f"（{cn_date(change.date)}进入）"
            if change.note:
                detail += f"\n说明：{change.note}"
        return {
            "title": str(area),
            "parent_label": "片区",
            "parent": f"{area.get_level_display()} · {area.get_batch_display()}",
            "unit": mover.unit.name if mover and mover.unit_id else area.lead_unit.name,
            "asker": str(mover) if mover else "（台账导入）",
            "detail": detail,
        }

    def move(to_next):
        def run(area, user, note):
            target = Stage(area.stage) + 1 if to_next else Stage.REVISING
            if not to_next and not note.strip():
                raise ValidationError("审查退回须填写审查意见（退回原因）。")
            area.move_to(target, user, today(), note)
            return f"{area}已进入“{Stage(target).label}”阶段。"

        return run

    def sent_back(area):
        change = last_change(area)
        return {
            "title": str(area),
            "parent_label": "片区",
            "parent": f"{area.get_level_display()} · {area.get_batch_display()}",
            "reason": change.note if change else "",
            "by": str(change.user) if change and change.user_id else "",
            "at": change.created_at if change else None,
        }

    changes = Prefetch("stage_changes", queryset=StageChange.objects.select_related("user__unit"))
    return [
        Decision(
            key="landplan.review",
            label="审查结果待录入",
            model=PlanArea,
            queryset=areas,
            waiting=Q(stage__in=REVIEW_STAGES),
            asked_by="review_by",
            asked_at="review_since",
            describe=describe,
            url=lambda area: area.get_absolute_url(),
            accept=move(True),
            send_back=move(False),
            related=("lead_unit",),
            prefetch=(changes,),
            accept_label="审查通过，进入下一阶段",
            send_back_label="审查退回修改完善",
            note_label="审查意见",
            sent_back=Q(stage=Stage.REVISING),
            sent_back_unit="lead_unit",
            sent_back_prefetch=(changes,),
            describe_sent_back=sent_back,
        )
    ]


def register():

    from . import measures
    from .cockpit import cockpit
    from .demo import load_demo
    from .demo import scale as demo_scale
    from .ledger import PlanAreaLedger
    from .maps import map_layers
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
                    status=AREA_STATUS,
                    title_field="title",
                    url_name="landplan:area_detail",
                    list_url_name="landplan:area_list",
                    describe=describe_area,
                )
            ],
            decisions=decisions(),
            figures=figures,
            cockpit=cockpit,
            maps=map_layers(),
            ledger=PlanAreaLedger(),
            load_demo=load_demo,
            seed_scale=demo_scale.build,
            scale_pages=demo_scale.pages,
            unit_measures=measures.unit_measures,
            weekly=measures.weekly,
            urls="landplan.urls",
            api_urls="landplan.api.urls",
        )
    )

"""Demo data of the planning workstream: the 16 sample plan areas, imported through the ledger."""

import datetime
from pathlib import Path

from county import demo_clock, history

SAMPLE = Path(__file__).resolve().parent / "plan_areas.xlsx"
# The day the 2023 sample stands on: two areas due for city review within the week.
SAMPLE_DAY = datetime.date(2023, 10, 25)
DISPATCHED = datetime.date(2023, 9, 25)  # the speech's meeting, when the work was dispatched
# The area that fell behind: its city review was due a few days before the sample's day.
LATE_AREA_STAGE, LATE_REVIEW = 1, datetime.date(2023, 10, 20)
DATE_FIELDS = ["city_review_deadline", "completion_deadline", "next_deadline"]


def move_to_demo_day():
    """Move the sample's dates so that its own day is the demo's day (county.demo_clock).

    One area still at its first stage gets a city review that is already late, so the demo
    shows 逾期 beside the 临期 and the 已完成 areas.
    """
    from ..models import PlanArea

    late = (
        PlanArea.objects.filter(stage=LATE_AREA_STAGE, city_review_deadline__isnull=False)
        .order_by("pk")
        .first()
    )
    if late is not None:
        late.city_review_deadline = LATE_REVIEW
        late._change_reason = history.marked(history.DEMO, "报市级审查时限提前，示例逾期")
        late.save(update_fields=["city_review_deadline"])
    demo_clock.move_dates(PlanArea.objects.all(), DATE_FIELDS, SAMPLE_DAY)


def seed_plan_year():
    """The sample's plan year: the speech's milestones of its year, moved like its areas.

    The sample's areas are due on those milestones, so after the move the overview and
    the cockpit name the same days as the areas' own deadlines.
    """
    from ..models import PlanYear

    review, township, village = (
        demo_clock.moved(day, SAMPLE_DAY) for day in PlanYear.rule_dates(SAMPLE_DAY.year)
    )
    PlanYear.objects.update_or_create(
        year=review.year,
        defaults={
            "city_review_by": review,
            "township_done_by": township,
            "village_done_by": village,
        },
    )


def load_demo(stdout):
    """Import the sample once (idempotent: nothing happens when areas exist).

    Every change it makes besides the import itself is kept in the history as
    系统（演示数据）.
    """
    with history.recorded_as(history.DEMO):
        _load_demo(stdout)


def _load_demo(stdout):
    from county.registry import registry

    from ..models import PlanArea, StageChange

    if PlanArea.objects.exists():
        return
    report = registry.get("landplan").ledger.run_import(SAMPLE, None, name=SAMPLE.name)
    if not report.ok:
        for error in report.sorted_errors():
            stdout.write(f"  {error}")
        raise RuntimeError("片区规划示例数据导入失败。")
    move_to_demo_day()
    seed_plan_year()
    # The timeline starts when the work was dispatched (the speech's meeting).
    first_steps = list(StageChange.objects.filter(from_stage=None))
    for change in first_steps:
        change.date = demo_clock.moved(DISPATCHED, SAMPLE_DAY)
    history.bulk_update_with_history(
        StageChange, first_steps, ["date"], history.marked(history.DEMO, "时间线从调度会开始")
    )
    stdout.write(f"国土空间规划：示例片区规划 {report.counts['created']} 个（新建）。")

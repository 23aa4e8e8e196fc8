"""Demo data of the planning workstream: the 16 sample plan areas, imported through the ledger."""

import datetime
from pathlib import Path

from county import history

SAMPLE = Path(__file__).resolve().parent / "plan_areas.xlsx"
SAMPLE_YEAR = 2023


def _shift(date, years):
    if date is None:
        return None
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def shift_to_this_year(areas):
    """Move the 2023 sample's deadlines to this year, so the demo shows a live mix of lights."""
    from county.status import today

    years = today().year - SAMPLE_YEAR
    if years <= 0:
        return
    for area in areas:  # 16 saves, each with its history record (and its m2m copy)
        area.city_review_deadline = _shift(area.city_review_deadline, years)
        area.completion_deadline = _shift(area.completion_deadline, years)
        area._change_reason = history.marked(history.DEMO, "时限由2023年移至今年")
        area.save(update_fields=["city_review_deadline", "completion_deadline"])


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
    areas = list(PlanArea.objects.all())
    shift_to_this_year(areas)
    # The timeline starts when the work was dispatched (the speech's meeting).
    start = datetime.date(max(SAMPLE_YEAR, _today_year()), 9, 25)
    first_steps = list(StageChange.objects.filter(from_stage=None))
    for change in first_steps:
        change.date = min(start, _today())
    history.bulk_update_with_history(
        StageChange, first_steps, ["date"], history.marked(history.DEMO, "时间线从调度会开始")
    )
    stdout.write(f"国土空间规划：示例片区 {report.counts['created']} 个。")


def _today():
    from county.status import today

    return today()


def _today_year():
    return _today().year

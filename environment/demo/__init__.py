"""Demo data of the environment workstream: the sample problem list, its inspections, one 约谈."""

import datetime
from pathlib import Path

from county import demo_clock, history

SAMPLE = Path(__file__).resolve().parent / "environment_problems.xlsx"
INSPECTORS = "县住建局、县委目标绩效办联合督查组"
# The day the 2023 sample list stands on: the third quarter's inspections done, a few problems
# due within the week, the 约谈 held the day before.
SAMPLE_DAY = datetime.date(2023, 10, 10)


def load_demo(stdout):
    """Import the sample problems through the ledger; idempotent (a second run changes nothing).

    The demo's own changes besides the import are kept as 系统（演示数据）.
    """
    with history.recorded_as(history.DEMO):
        _load_demo(stdout)
        _place_problems()


def _place_problems():
    """Points for the problems that have none: near the village, at the market town, or in
    the township (county.demo_places; fictional like the county)."""
    from county.demo_places import demo_point
    from environment.models import Problem

    problems = list(
        Problem.objects.filter(longitude__isnull=True).select_related("township", "village")
    )
    for problem in problems:
        problem.longitude, problem.latitude = demo_point(
            f"problem-{problem.number}", problem.township, problem.village, problem.at_market_town
        )
    problems = [p for p in problems if p.longitude is not None]
    history.bulk_update_with_history(
        Problem, problems, ["longitude", "latitude"], history.marked(history.DEMO, "示意位置")
    )


def _load_demo(stdout):
    from county.models import Unit
    from county.registry import registry
    from environment.choices import Measure
    from environment.models import Accountability, Inspection, Problem, ensure_seed_categories

    ledger = registry.get("environment").ledger
    if ledger is None:
        stdout.write("城乡环境：台账引擎尚未就绪，跳过示例问题导入。")
        return
    ensure_seed_categories()
    if Problem.objects.exists():  # idempotent: the list is in place, its dates already moved
        stdout.write(f"城乡环境：环境问题 {Problem.objects.count()} 个（已存在，未重新导入）。")
        return
    report = ledger.run_import(SAMPLE, None, name=SAMPLE.name)
    if not report.ok:
        for error in report.sorted_errors():
            stdout.write(f"  {error}")
        raise RuntimeError("城乡环境示例问题清单导入失败。")
    demo_clock.move_dates(Problem.objects.all(), ["found_on", "deadline", "closed_on"], SAMPLE_DAY)
    demo_clock.move_dates(Inspection.objects.all(), ["date"], SAMPLE_DAY)
    for inspection in Inspection.objects.filter(inspectors="").exclude(kind="routine"):
        inspection.inspectors = INSPECTORS
        inspection.save(update_fields=["inspectors"])
    town = Unit.objects.filter(name="太平镇").first()
    if town and not Accountability.objects.filter(unit=town).exists():
        record = Accountability.objects.create(
            unit=town,
            measure=Measure.INTERVIEW,
            date=demo_clock.moved(SAMPLE_DAY - datetime.timedelta(days=1), SAMPLE_DAY),
            reason="第三季度督查发现问题较多，赶集日车辆乱停乱放、占道经营问题反复出现，"
            "对镇主要负责人进行约谈。",
        )
        record.problems.set(Problem.objects.filter(township=town, status="rectifying")[:5])
    stdout.write(
        f"城乡环境：环境问题 {Problem.objects.count()} 个、督查记录 {Inspection.objects.count()} 次"
        f"（均为新建）。"
    )

"""The demo is coherent with the day it is loaded: every light shows, whatever the day.

Each workstream's sample moves with the demo's day (county.demo_clock), so reforms,
landplan and environment each have work that is 临期 and work that is 逾期 (and reforms and
environment work that is done) on the day the demo is loaded — tried here on two days far apart.
"""

import datetime
import io
import zoneinfo

import pytest
import time_machine

from county.registry import registry
from county.status import due_soon_until

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
WORKSTREAMS = ("reforms", "landplan", "environment")
DAYS = [datetime.date(2027, 3, 15), datetime.date(2029, 8, 2)]


def _empty_workstreams():
    """Remove the records the session's demo load made, so the loaders run afresh."""
    from environment.models import Accountability, Inspection, Problem
    from landplan.models import PlanArea
    from reforms.models import (
        Experience,
        FollowUpProblem,
        Innovation,
        Instruction,
        ReformItem,
        SubTask,
    )

    for model in (Accountability, Problem, Inspection, PlanArea, Instruction, Experience,
                  Innovation, FollowUpProblem, SubTask, ReformItem):  # fmt: skip
        model.objects.all().delete()


def _lights(workstream, on):
    """(临期, 逾期) counts of the workstream's open dated work on ``on``."""
    soon = late = 0
    for ws, dated in registry.dated_work():
        if ws.key != workstream:
            continue
        deadlines = dated.open_items().values_list(dated.deadline_field, flat=True)
        late += sum(1 for d in deadlines if d < on)
        soon += sum(1 for d in deadlines if on <= d <= due_soon_until(on))
    return soon, late


def _done(workstream):
    from environment.models import Problem
    from reforms.choices import TaskStatus
    from reforms.models import SubTask

    return {
        "reforms": SubTask.objects.filter(status=TaskStatus.DONE),
        "environment": Problem.objects.filter(status="closed"),
    }[workstream].count()


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_light_shows_on_the_day_the_demo_is_loaded(demo, day):
    _empty_workstreams()
    with time_machine.travel(
        datetime.datetime.combine(day, datetime.time(9), SHANGHAI), tick=False
    ):
        out = io.StringIO()
        for key in WORKSTREAMS:
            registry.get(key).load_demo(out)
        for key in WORKSTREAMS:
            soon, late = _lights(key, day)
            assert soon >= 1, f"{key}: 没有临期事项（{day}）"
            assert late >= 1, f"{key}: 没有逾期事项（{day}）"
        for key in ("reforms", "environment"):  # the planning sample has no plan approved yet
            assert _done(key) >= 1, f"{key}: 没有已完成事项（{day}）"
    text = out.getvalue()
    assert "改革任务 88 项" in text and "环境问题 320 个" in text


def test_environment_problems_are_not_years_late_and_the_notice_is_recent(demo, day=DAYS[0]):
    from environment.models import Problem

    _empty_workstreams()
    with time_machine.travel(
        datetime.datetime.combine(day, datetime.time(9), SHANGHAI), tick=False
    ):
        registry.get("environment").load_demo(io.StringIO())
    found = Problem.objects.values_list("found_on", flat=True)
    assert day - min(found) < datetime.timedelta(days=180)  # the default 通报 period
    open_deadlines = Problem.objects.exclude(status="closed").values_list("deadline", flat=True)
    assert max(day - d for d in open_deadlines) < datetime.timedelta(days=120)


def test_the_moves_are_the_systems_in_the_history(demo):
    from reforms.models import SubTask

    task = SubTask.objects.exclude(deadline=None).first()
    reasons = list(task.history.values_list("history_change_reason", flat=True))
    assert any(r and r.startswith("演示数据") for r in reasons)

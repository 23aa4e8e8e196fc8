"""The stage rule (no skipping, no moving a finished plan, back only to 修改完善 with a
reason) and the next-deadline/light rule on fixed dates."""

import datetime

import pytest

from county.status import Light
from landplan.choices import Stage
from landplan.models import PlanArea, StageError, allowed_targets, check_move, next_deadline_for

CITY = datetime.date(2023, 10, 31)
DONE_BY = datetime.date(2023, 12, 31)


@pytest.mark.parametrize("stage", [s for s in Stage if s != Stage.DONE])
def test_forward_one_step_is_allowed(stage):
    target = Stage(stage + 1)
    reason = "审查意见" if target == Stage.REVISING else ""
    assert check_move(stage, target, reason) == "forward"


@pytest.mark.parametrize(
    "current,target",
    [
        (Stage.BASE_DATA, Stage.DRAFT),
        (Stage.SURVEY, Stage.CITY_REVIEW),
        (Stage.DRAFT, Stage.DONE),
        (Stage.CITY_REVIEW, Stage.DONE),
    ],
)
def test_skipping_a_stage_is_refused(current, target):
    with pytest.raises(StageError, match="不能跳过阶段"):
        check_move(current, target)


def test_a_finished_plan_does_not_move():
    for target in Stage:
        with pytest.raises(StageError, match="已批复/完成"):
            check_move(Stage.DONE, target, "原因")
    assert allowed_targets(Stage.DONE) == []


def test_back_only_to_revising_from_a_review_and_with_a_reason():
    assert check_move(Stage.CITY_REVIEW, Stage.REVISING, "市级审查意见：用地布局需调整") == "back"
    with pytest.raises(StageError, match="须填写原因"):
        check_move(Stage.CITY_REVIEW, Stage.REVISING, "  ")
    with pytest.raises(StageError, match="审查意见"):
        check_move(Stage.PROVINCIAL_REVIEW, Stage.REVISING, "")
    with pytest.raises(StageError, match="只能从审查阶段退回"):
        check_move(Stage.CITY_REVIEW, Stage.DRAFT, "原因")
    with pytest.raises(StageError, match="只能从审查阶段退回"):
        check_move(Stage.REVISING, Stage.SURVEY, "原因")
    with pytest.raises(StageError, match="不能跳过阶段"):  # 初步成果 is not a review
        check_move(Stage.DRAFT, Stage.REVISING, "原因")
    with pytest.raises(StageError, match="已处于"):
        check_move(Stage.DRAFT, Stage.DRAFT)
    assert allowed_targets(Stage.CITY_REVIEW) == [Stage.PROVINCIAL_REVIEW, Stage.REVISING]
    assert allowed_targets(Stage.PROVINCIAL_REVIEW) == [Stage.REVISING]
    assert allowed_targets(Stage.DRAFT) == [Stage.CITY_REVIEW]


def test_next_deadline_is_city_review_before_reporting_then_completion():
    for stage in (Stage.BASE_DATA, Stage.SURVEY, Stage.DRAFT):
        assert next_deadline_for(stage, CITY, DONE_BY) == CITY
    for stage in (Stage.CITY_REVIEW, Stage.PROVINCIAL_REVIEW, Stage.REVISING, Stage.DONE):
        assert next_deadline_for(stage, CITY, DONE_BY) == DONE_BY
    # A village-level plan has no city-review deadline: its completion deadline counts.
    assert next_deadline_for(Stage.SURVEY, None, datetime.date(2024, 6, 30)) == datetime.date(
        2024, 6, 30
    )


@pytest.mark.django_db  # 临期 reads the working-day calendar
def test_light_on_fixed_dates():
    draft = PlanArea(stage=Stage.DRAFT, city_review_deadline=CITY, completion_deadline=DONE_BY)
    assert draft.light_on(datetime.date(2023, 10, 1)) == Light.NORMAL
    assert draft.light_on(datetime.date(2023, 10, 24)) == Light.DUE_SOON
    assert draft.light_on(datetime.date(2023, 10, 31)) == Light.DUE_SOON
    assert draft.light_on(datetime.date(2023, 11, 1)) == Light.OVERDUE
    reported = PlanArea(
        stage=Stage.CITY_REVIEW, city_review_deadline=CITY, completion_deadline=DONE_BY
    )
    assert reported.light_on(datetime.date(2023, 11, 1)) == Light.NORMAL
    assert reported.light_on(datetime.date(2023, 12, 28)) == Light.DUE_SOON
    assert reported.light_on(datetime.date(2024, 1, 1)) == Light.OVERDUE
    done = PlanArea(stage=Stage.DONE, city_review_deadline=CITY, completion_deadline=DONE_BY)
    assert done.light_on(datetime.date(2024, 3, 1)) == Light.DONE


@pytest.mark.django_db
def test_moving_keeps_next_deadline_and_timeline(fresh, area, user_named):
    shimen = area("石门片区")
    assert shimen.next_deadline == CITY
    assert (
        PlanArea.objects.with_light(Light.OVERDUE, datetime.date(2023, 11, 1))
        .filter(pk=shimen.pk)
        .exists()
    )
    sup = user_named("sup_d17")
    change = shimen.move_to(Stage.CITY_REVIEW, sup)
    shimen.refresh_from_db()
    assert shimen.stage == Stage.CITY_REVIEW
    assert shimen.next_deadline == DONE_BY
    assert (change.from_stage, change.to_stage, change.user) == (
        Stage.DRAFT,
        Stage.CITY_REVIEW,
        sup,
    )
    assert (
        PlanArea.objects.with_light(Light.NORMAL, datetime.date(2023, 11, 1))
        .filter(pk=shimen.pk)
        .exists()
    )
    shimen.move_to(Stage.REVISING, sup, reason="市级审查退回：补充产业布局")
    shimen.refresh_from_db()
    assert shimen.stage == Stage.REVISING
    with pytest.raises(StageError):
        shimen.move_to(Stage.CITY_REVIEW, sup)  # no way back but forward
    shimen.move_to(Stage.DONE, sup)
    with pytest.raises(StageError, match="已批复/完成"):
        shimen.move_to(Stage.REVISING, sup, reason="再改")
    steps = {s["stage"]: s for s in area("石门片区").stage_steps()}
    assert steps[Stage.DONE]["state"] == "done"
    assert steps[Stage.CITY_REVIEW]["date"] is not None
    latest = shimen.history.order_by("-history_date").first()
    assert latest.history_user == sup and "修改完善 → 批复/完成" in latest.history_change_reason


@pytest.mark.django_db
def test_open_areas_are_registered_as_dated_work(fresh, area, user_named):
    from county.registry import registry

    dated = registry.get("landplan").dated_work[0]
    assert dated.deadline_field == "next_deadline"
    assert dated.open_items().count() == 16
    yongan = area("永安片区")
    assert dated.for_unit(user_named("t01").unit_id).filter(pk=area("云峰片区").pk).exists()
    assert dated.for_unit(yongan.lead_unit_id).count() == 16
    sup = user_named("sup_d17")
    shimen = area("石门片区")
    for target in (Stage.CITY_REVIEW, Stage.PROVINCIAL_REVIEW):
        shimen.move_to(target, sup)
    shimen.move_to(Stage.REVISING, sup, reason="省级专班意见")
    shimen.move_to(Stage.DONE, sup)
    assert not dated.open_items().filter(pk=shimen.pk).exists()

"""The loop's rules: submit with photos, no self-acceptance, reject needs a reason, 回头看."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from environment.choices import ProblemStatus, RecheckResult
from environment.models import LoopError, Rectification
from environment.photos import check_photo


@pytest.fixture
def photo(jpeg):
    return lambda: [check_photo(jpeg())]


def test_township_submits_and_another_supervisor_accepts(make_problem, user_named, photo):
    problem = make_problem()
    problem.start(user_named("t02"))
    problem.submit(user_named("t02"), "已清理完毕", photo())
    assert problem.status == ProblemStatus.PENDING
    problem.accept(user_named("sup_d18"), "现场核实")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED and problem.closed_on is not None
    assert problem.rectifications.get().decided_by.username == "sup_d18"


def test_submit_needs_an_after_photo(make_problem, user_named):
    problem = make_problem()
    with pytest.raises(LoopError, match="照片"):
        problem.submit(user_named("t02"), "已清理", [])
    assert problem.status == ProblemStatus.ASSIGNED


def test_other_township_cannot_submit(make_problem, user_named, photo):
    problem = make_problem()
    with pytest.raises(PermissionDenied, match="责任单位"):
        problem.submit(user_named("t03"), "不是我的", photo())


def test_the_one_who_submits_never_accepts(make_problem, user_named, photo):
    problem = make_problem()
    supervisor = user_named("sup_d18")
    problem.submit(supervisor, "督查组代为提交", photo())
    with pytest.raises(LoopError, match="不能验收自己"):
        problem.accept(supervisor)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.PENDING
    problem.accept(user_named("sup_d21"))  # another supervisor of environment may
    assert problem.status == ProblemStatus.CLOSED


def test_database_refuses_self_acceptance_too(make_problem, user_named):
    problem = make_problem()
    staff = user_named("t02")
    with pytest.raises(IntegrityError), transaction.atomic():
        Rectification.objects.create(problem=problem, submitted_by=staff, decided_by=staff)


def test_staff_and_leaders_cannot_accept(make_problem, user_named, photo):
    problem = make_problem()
    problem.submit(user_named("t02"), "已整改", photo())
    for username in ("t02", "d18", "leader01", "sup_d03"):
        with pytest.raises(PermissionDenied, match="督查单位"):
            problem.accept(user_named(username))


def test_reject_needs_a_reason_and_returns_to_rectifying(make_problem, user_named, photo):
    problem = make_problem()
    problem.submit(user_named("t02"), "已整改", photo())
    with pytest.raises(LoopError, match="原因"):
        problem.reject(user_named("sup_d18"), "  ")
    problem.reject(user_named("sup_d18"), "照片看不出已清理")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING
    assert problem.rectifications.get().decision_note == "照片看不出已清理"
    problem.submit(user_named("t02"), "重新清理", photo())  # the loop goes on
    assert problem.status == ProblemStatus.PENDING


def _closed(make_problem, user_named, photo):
    problem = make_problem()
    problem.submit(user_named("t02"), "已整改", photo())
    problem.accept(user_named("sup_d18"))
    return problem


def test_recheck_still_fine_keeps_it_closed(make_problem, user_named, photo):
    problem = _closed(make_problem, user_named, photo)
    problem.recheck(user_named("sup_d18"), RecheckResult.STABLE, "巩固良好")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED and problem.recurrence_count == 0


def test_recheck_recurred_reopens_the_loop_and_counts(make_problem, user_named, photo):
    problem = _closed(make_problem, user_named, photo)
    on = datetime.date(2030, 6, 1)
    with pytest.raises(LoopError, match="整改时限"):
        problem.recheck(user_named("sup_d18"), RecheckResult.RECURRED, "又堆上了", on=on)
    problem.recheck(
        user_named("sup_d18"),
        RecheckResult.RECURRED,
        "又堆上了",
        new_deadline=datetime.date(2030, 6, 10),
        on=on,
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.ASSIGNED
    assert problem.recurrence_count == 1 and problem.closed_on is None
    assert problem.deadline == datetime.date(2030, 6, 10)
    problem.submit(user_named("t02"), "再次整改", photo())
    problem.accept(user_named("sup_d18"))
    problem.recheck(
        user_named("sup_d18"), RecheckResult.RECURRED, "", datetime.date(2030, 9, 1), on=on
    )
    problem.refresh_from_db()
    assert problem.recurrence_count == 2


def test_only_closed_problems_are_rechecked(make_problem, user_named):
    with pytest.raises(LoopError, match="已销号"):
        make_problem().recheck(user_named("sup_d18"), RecheckResult.STABLE)


def test_history_records_every_step(make_problem, user_named, photo):
    problem = _closed(make_problem, user_named, photo)
    statuses = list(problem.history.order_by("history_date").values_list("status", flat=True))
    assert statuses[0] == "assigned" and statuses[-1] == "closed" and "pending" in statuses

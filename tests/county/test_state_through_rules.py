"""State only through its rule (issue 20): a status or a responsible unit that decides who may
act is never written by a plain edit (form or API), only by its workflow step; the units move
through ``reassign``, which the decider may not use on his own unit's work, nor to take it."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from county.status import today
from environment.models import Problem, ProblemCategory, Rectification, ensure_seed_categories
from reforms.models import ReformItem, SubTask

REFORM_OFFICE = "县委改革办"
HOUSING = "县住房和城乡建设局"  # sup_d18's unit, a supervisor of environment


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def snapshot(record):
    """The row, its units and its history as they are now."""
    fresh = type(record)._base_manager.get(pk=record.pk)
    units = fresh.units if isinstance(fresh, SubTask) else fresh.departments
    return (
        fresh.status,
        fresh.version,
        sorted(units.values_list("pk", flat=True)),
        getattr(fresh, "township_id", None),
        fresh.history.count(),
    )


@pytest.fixture
def own_task(demo, unit_named):
    """A sub-task of 县委改革办's own (sup_d03's unit), not started, under another unit's item."""
    item = ReformItem.objects.create(
        year=2099, number=7, title="测试改革（本单位）", lead_unit=unit_named("县财政局")
    )
    task = SubTask.objects.create(
        item=item, order=1, name="改革办举措", deadline=today() + datetime.timedelta(days=30)
    )
    task.units.set([unit_named(REFORM_OFFICE)])
    return task


@pytest.fixture
def housing_problem(demo, unit_named, user_named):
    """A 城关镇 problem owned also by 县住建局, submitted by the township, awaiting acceptance."""
    ensure_seed_categories()
    problem = Problem.objects.create(
        number=Problem.next_number(),
        township=unit_named("城关镇"),
        category=ProblemCategory.objects.get(name="乱堆乱放"),
        description="测试：建筑垃圾乱堆",
        found_on=datetime.date(2030, 3, 1),
        deadline=datetime.date(2030, 3, 15),
        status="pending",
    )
    problem.departments.set([unit_named(HOUSING)])
    Rectification.objects.create(problem=problem, submitted_by=user_named("t02"), note="已清运")
    return problem


# --- reforms: a supervisor never closes his own unit's sub-task by an edit ---------------
def test_supervisor_cannot_mark_his_units_subtask_done_through_the_api(own_task, user_named):
    before = snapshot(own_task)
    answer = api_as(user_named("sup_d03")).patch(
        f"/api/reforms/subtasks/{own_task.pk}/", {"status": "done"}, format="json"
    )
    assert answer.status_code == 400
    assert "申请完成/审核" in answer.json()["status"][0]
    assert snapshot(own_task) == before


def test_supervisor_cannot_mark_a_subtask_done_through_its_edit_page(own_task, client, user_named):
    client.force_login(user_named("sup_d03"))
    url = reverse("reforms:subtask_edit", args=[own_task.pk])
    form = client.get(url).context["form"]
    assert "status" not in form.fields and "units" not in form.fields
    before = snapshot(own_task)
    answer = client.post(
        url,
        {
            "version": form.initial["version"],
            "name": own_task.name,
            "deadline": own_task.deadline.isoformat(),
            "status": "done",
            "units": [],
        },
    )
    assert answer.status_code == 302  # the other fields saved; status and units untouched
    fresh = SubTask.objects.get(pk=own_task.pk)
    assert fresh.status == "not_started" and fresh.completed_on is None
    assert sorted(fresh.units.values_list("pk", flat=True)) == before[2]
    assert not fresh.history.filter(status="done").exists()


def test_a_subtask_cannot_be_created_closed(demo, user_named, unit_named):
    item = ReformItem.objects.create(year=2099, number=8, title="测试改革（新建）")
    payload = {
        "item": item.pk,
        "name": "新举措",
        "units": [unit_named("县财政局").pk],
        "deadline": "2099-06-30",
        "status": "done",
    }
    answer = api_as(user_named("admin")).post("/api/reforms/subtasks/", payload, format="json")
    assert answer.status_code == 400 and "status" in answer.json()
    assert not item.subtasks.exists()
    opened = api_as(user_named("admin")).post(
        "/api/reforms/subtasks/", {**payload, "status": "in_progress"}, format="json"
    )
    assert opened.status_code == 201


def test_subtask_units_change_only_through_reassign(own_task, user_named, unit_named):
    sup = api_as(user_named("sup_d03"))
    before = snapshot(own_task)
    finance = unit_named("县财政局")
    edit = sup.patch(
        f"/api/reforms/subtasks/{own_task.pk}/", {"units": [finance.pk]}, format="json"
    )
    assert edit.status_code == 400 and "/reassign/" in edit.json()["units"][0]
    # his own unit's sub-task: refused with the reason, nothing changes
    moved = sup.post(
        f"/api/reforms/subtasks/{own_task.pk}/reassign/",
        {"units": [finance.pk], "reason": "交财政局办理"},
        format="json",
    )
    assert moved.status_code == 403 and REFORM_OFFICE in moved.json()["detail"]
    assert snapshot(own_task) == before
    # the admin (no unit) may; the history says who and why
    done = api_as(user_named("admin")).post(
        f"/api/reforms/subtasks/{own_task.pk}/reassign/",
        {"units": [finance.pk], "reason": "交财政局办理"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["units"] == [finance.pk]
    assert own_task.history.count() > before[4]
    assert own_task.history.filter(history_change_reason__contains="交财政局办理").exists()
    # an unchanged PUT of what was read passes (units and status sent as they are)
    read = sup.get(f"/api/reforms/subtasks/{own_task.pk}/").json()
    assert sup.put(f"/api/reforms/subtasks/{own_task.pk}/", read, format="json").status_code == 200


def test_reassign_page_refuses_to_take_work_into_his_own_unit(demo, client, user_named, unit_named):
    item = ReformItem.objects.create(
        year=2099, number=9, title="测试改革（调整）", lead_unit=unit_named("县财政局")
    )
    task = SubTask.objects.create(item=item, order=1, name="财政举措", long_term=True)
    task.units.set([unit_named("县财政局")])
    client.force_login(user_named("sup_d03"))
    url = reverse("reforms:subtask_reassign", args=[task.pk])
    assert client.get(url).status_code == 200
    before = snapshot(task)
    taken = client.post(url, {"units": [unit_named(REFORM_OFFICE).pk], "reason": "收回"})
    assert taken.status_code == 403
    assert snapshot(task) == before
    moved = client.post(url, {"units": [unit_named("县农业农村局").pk], "reason": "改由农业"})
    assert moved.status_code == 302
    assert list(task.units.values_list("name", flat=True)) == ["县农业农村局"]
    # staff never reassign
    client.force_login(user_named("d21"))
    assert (
        client.post(url, {"units": [unit_named("县财政局").pk], "reason": "x"}).status_code == 403
    )


def test_item_units_change_only_through_reassign(demo, user_named, unit_named):
    item = ReformItem.objects.create(
        year=2099, number=10, title="测试改革（牵头）", lead_unit=unit_named("县财政局")
    )
    sup = api_as(user_named("sup_d03"))
    office = unit_named(REFORM_OFFICE)
    edit = sup.patch(f"/api/reforms/items/{item.pk}/", {"lead_unit": office.pk}, format="json")
    assert edit.status_code == 400 and "lead_unit" in edit.json()
    taken = sup.post(
        f"/api/reforms/items/{item.pk}/reassign/",
        {"lead_unit": office.pk, "reason": "收回"},
        format="json",
    )
    assert taken.status_code == 403
    agri = unit_named("县农业农村局")
    moved = sup.post(
        f"/api/reforms/items/{item.pk}/reassign/",
        {"lead_unit": agri.pk, "co_units": [unit_named("县财政局").pk], "reason": "改由农业"},
        format="json",
    )
    assert moved.status_code == 200
    item.refresh_from_db()
    assert item.lead_unit == agri


# --- environment: a supervisor never removes his unit and then accepts ----------------------
def test_supervisor_cannot_drop_his_unit_then_accept(housing_problem, user_named):
    sup = api_as(user_named("sup_d18"))
    url = f"/api/environment/problems/{housing_problem.pk}/"
    before = snapshot(housing_problem)
    dropped = sup.patch(url, {"departments": []}, format="json")
    assert dropped.status_code == 400 and "/reassign/" in dropped.json()["departments"][0]
    moved = sup.post(f"{url}reassign/", {"township": housing_problem.township_id,
                                         "departments": [], "reason": "非我局问题"},
                     format="json")  # fmt: skip
    assert moved.status_code == 403 and "住房和城乡建设局" in moved.json()["detail"]
    assert snapshot(housing_problem) == before
    assert sup.post(f"{url}accept/").status_code == 403
    assert Problem.objects.get(pk=housing_problem.pk).status == "pending"
    assert sup.patch(url, {"status": "closed"}, format="json").status_code == 400
    assert snapshot(housing_problem) == before


def test_edit_page_no_longer_offers_the_units(housing_problem, client, user_named):
    client.force_login(user_named("sup_d18"))
    form = client.get(reverse("environment:problem_update", args=[housing_problem.pk]))
    fields = form.context["form"].fields
    assert "departments" not in fields and "township" not in fields
    assert "status" not in fields


def test_another_supervisor_reassigns_and_the_decider_stays_refused(
    housing_problem, client, user_named, unit_named
):
    url = f"/api/environment/problems/{housing_problem.pk}/"
    other = api_as(user_named("sup_d21"))  # 县农业农村局, also a supervisor of environment
    # adding his own unit is refused, as is removing it
    added = other.post(f"{url}reassign/", {"township": housing_problem.township_id,
                                           "departments": [unit_named("县农业农村局").pk],
                                           "reason": "x"}, format="json")  # fmt: skip
    assert added.status_code == 403
    history = housing_problem.history.count()
    moved = other.post(f"{url}reassign/", {"township": housing_problem.township_id,
                                           "departments": [], "reason": "属乡镇问题"},
                       format="json")  # fmt: skip
    assert moved.status_code == 200 and moved.json()["departments"] == []
    assert housing_problem.history.count() > history
    assert housing_problem.history.filter(history_change_reason__contains="属乡镇问题").exists()
    # 住建局 is no longer one of its units: it may decide now, but not take it back
    sup = api_as(user_named("sup_d18"))
    back = sup.post(f"{url}reassign/", {"township": housing_problem.township_id,
                                        "departments": [unit_named(HOUSING).pk],
                                        "reason": "收回"}, format="json")  # fmt: skip
    assert back.status_code == 403
    # given back to 住建局 by the other supervisor, its own supervisor is refused again
    again = other.post(f"{url}reassign/", {"township": housing_problem.township_id,
                                           "departments": [unit_named(HOUSING).pk],
                                           "reason": "仍属住建"}, format="json")  # fmt: skip
    assert again.status_code == 200
    assert sup.post(f"{url}accept/").status_code == 403
    client.force_login(user_named("sup_d18"))
    page = client.get(reverse("environment:problem_reassign", args=[housing_problem.pk]))
    assert page.status_code == 403
    client.force_login(user_named("sup_d21"))
    page = client.get(reverse("environment:problem_reassign", args=[housing_problem.pk]))
    assert page.status_code == 200


def test_problem_reassign_page_moves_the_township(housing_problem, client, user_named, unit_named):
    client.force_login(user_named("sup_d21"))
    url = reverse("environment:problem_reassign", args=[housing_problem.pk])
    east = unit_named("东兴镇")
    answer = client.post(
        url,
        {"township": east.pk, "departments": [unit_named(HOUSING).pk], "reason": "地点属东兴镇"},
    )
    assert answer.status_code == 302
    fresh = Problem.objects.get(pk=housing_problem.pk)
    assert fresh.township == east and fresh.village is None
    staff = user_named("t02")  # 城关镇 no longer sees it
    assert not Problem.objects.visible_to(staff).filter(pk=fresh.pk).exists()

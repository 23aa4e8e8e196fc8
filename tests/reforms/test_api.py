"""The reform API: the same row scoping as the pages, and who may write what."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from county.status import today
from reforms.choices import FollowUpStatus, RecheckResult, TaskStatus
from reforms.models import (
    Experience,
    FollowUpProblem,
    Innovation,
    ProgressReport,
    ReformItem,
    SubTask,
)

OWN, OTHER = "县发展和改革局", "县财政局"  # units of d09 and d15
API = "/api/reforms"


@pytest.fixture
def api_as(user_named):
    """api_as("d09") → a DRF client signed in as that demo account."""

    def sign_in(username):
        client = APIClient()
        client.force_login(user_named(username))
        return client

    return sign_in


@pytest.fixture
def tasks(demo, user_named):
    """A sub-task d09 may edit (未启动) and one of another unit."""
    staff = user_named("d09")
    own = SubTask.objects.restrict(staff, "report").order_by("pk").first()
    other = SubTask.objects.exclude(pk__in=SubTask.objects.visible_to(staff)).first()
    SubTask.objects.filter(pk=own.pk).update(status=TaskStatus.NOT_STARTED, percent=0, progress="")
    own.refresh_from_db()
    return {"own": own, "other": other}


@pytest.fixture
def problems(demo, unit_named):
    make = FollowUpProblem.objects.create
    return {
        "own": make(number=901, area="便民服务", problem="测试甲", lead_unit=unit_named(OWN)),
        "other": make(number=902, area="基础设施", problem="测试乙", lead_unit=unit_named(OTHER)),
    }


@pytest.fixture
def innovations(demo, unit_named):
    make = Innovation.objects.create
    return {
        "own": make(title="测试：一窗通办", unit=unit_named(OWN), experience="经验材料"),
        "other": make(title="测试：积分治理", unit=unit_named(OTHER)),
    }


def snapshot(task):
    task.refresh_from_db()
    units = sorted(task.units.values_list("pk", flat=True))
    return (task.name, task.deadline, task.status, task.percent, task.progress, units)


# --- reads ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["items", "subtasks", "progress", "followups", "innovations", "experiences"]
)
def test_staff_read_only_their_units_rows(api_as, user_named, path):
    staff = user_named("d09")
    model = {
        "items": ReformItem,
        "subtasks": SubTask,
        "progress": ProgressReport,
        "followups": FollowUpProblem,
        "innovations": Innovation,
        "experiences": Experience,
    }[path]
    response = api_as("d09").get(f"{API}/{path}/")
    assert response.status_code == 200
    assert response.data["count"] == model.objects.visible_to(staff).count()
    assert api_as("leader01").get(f"{API}/{path}/").data["count"] == model.objects.count()


def test_another_units_records_are_404(api_as, tasks, problems, innovations):
    client = api_as("d09")
    assert client.get(f"{API}/subtasks/{tasks['own'].pk}/").status_code == 200
    assert client.get(f"{API}/subtasks/{tasks['other'].pk}/").status_code == 404
    assert client.get(f"{API}/followups/{problems['other'].pk}/").status_code == 404
    assert client.get(f"{API}/innovations/{innovations['other'].pk}/").status_code == 404
    patch = client.patch(f"{API}/subtasks/{tasks['other'].pk}/", {"name": "改"}, format="json")
    assert patch.status_code == 404


def test_anonymous_gets_nothing(demo):
    assert APIClient().get(f"{API}/items/").status_code in (401, 403)


def test_item_filters_work_through_the_api(api_as, demo):
    item = ReformItem.objects.order_by("number").first()
    response = api_as("leader01").get(f"{API}/items/", {"q": item.title})
    assert item.pk in [row["id"] for row in response.data["results"]]
    response = api_as("leader01").get(f"{API}/subtasks/", {"status": "done"})
    assert all(row["status"] == "done" for row in response.data["results"])


@pytest.mark.parametrize(
    "path,text",
    [
        ("items", "title"),
        ("subtasks", "name"),
        ("followups", "problem"),
        ("innovations", "title"),
        ("experiences", "title"),
    ],
)
def test_list_queries_do_not_grow_with_rows(api_as, demo, path, text):
    client = api_as("leader01")
    with CaptureQueriesContext(connection) as many:
        rows = client.get(f"{API}/{path}/").data["results"]
    assert len(rows) > 20
    with CaptureQueriesContext(connection) as few:
        narrowed = client.get(f"{API}/{path}/", {"q": rows[-1][text]}).data["results"]
    assert len(narrowed) < 10
    assert len(many) == len(few)


# --- items and sub-tasks -------------------------------------------------------------------
@pytest.mark.parametrize("username", ["d09", "leader01", "sup_d21"])
def test_items_and_subtasks_are_read_only_except_for_supervisors_of_reforms(
    api_as, tasks, username
):
    client = api_as(username)
    before = snapshot(tasks["own"])
    response = client.patch(
        f"{API}/subtasks/{tasks['own'].pk}/",
        {"name": "改名", "deadline": "2030-01-01", "status": "done", "units": []},
        format="json",
    )
    assert response.status_code == 403
    assert snapshot(tasks["own"]) == before
    item = tasks["own"].item
    response = client.patch(f"{API}/items/{item.pk}/", {"title": "改名"}, format="json")
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.title != "改名"
    response = client.post(f"{API}/items/", {"year": 2024, "number": 1, "title": "新"})
    assert response.status_code == 403
    assert not ReformItem.objects.filter(year=2024).exists()


def test_supervisor_of_reforms_changes_items_and_subtasks(api_as, tasks, unit_named):
    client = api_as("sup_d03")
    task = tasks["own"]
    response = client.patch(f"{API}/subtasks/{task.pk}/", {"deadline": "2023-12-31"}, format="json")
    assert response.status_code == 200, response.data
    task.refresh_from_db()
    assert task.deadline == datetime.date(2023, 12, 31)
    # the units change only through their step (issue 20)
    units = {"units": [unit_named(OTHER).pk]}
    assert client.patch(f"{API}/subtasks/{task.pk}/", units, format="json").status_code == 400
    response = client.post(
        f"{API}/subtasks/{task.pk}/reassign/", {**units, "reason": "改由财政局"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert list(task.units.all()) == [unit_named(OTHER)]
    assert task.history.first().history_user.username == "sup_d03"
    response = client.post(
        f"{API}/items/",
        {"year": 2024, "number": 1, "title": "测试新任务", "lead_unit": unit_named(OWN).pk},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert ReformItem.objects.get(year=2024, number=1).history.first().history_user.username == (
        "sup_d03"
    )


def test_admin_changes_items(api_as, tasks):
    item = tasks["own"].item
    response = api_as("admin").patch(f"{API}/items/{item.pk}/", {"note": "管理员"}, format="json")
    assert response.status_code == 200


def test_nothing_is_deleted_through_the_api(api_as, tasks):
    response = api_as("sup_d03").delete(f"{API}/subtasks/{tasks['own'].pk}/")
    assert response.status_code == 405
    assert SubTask.objects.filter(pk=tasks["own"].pk).exists()


# --- progress reports ----------------------------------------------------------------------
def test_staff_report_progress_on_own_subtask(api_as, tasks, user_named):
    task = tasks["own"]
    response = api_as("d09").post(
        f"{API}/progress/",
        {"subtask": task.pk, "text": "已完成方案起草", "percent": 40, "author": 1, "unit": 1},
        format="json",
    )
    assert response.status_code == 201, response.data
    report = ProgressReport.objects.get(pk=response.data["id"])
    staff = user_named("d09")
    assert report.author == staff and report.unit == staff.unit
    task.refresh_from_db()
    assert (task.progress, task.percent, task.status) == ("已完成方案起草", 40, "in_progress")
    assert task.history.first().history_user == staff
    assert report.history.first().history_user == staff


def test_progress_keeps_a_status_other_than_not_started(api_as, tasks):
    task = tasks["own"]
    SubTask.objects.filter(pk=task.pk).update(status=TaskStatus.LAGGING)
    api_as("d09").post(
        f"{API}/progress/", {"subtask": task.pk, "text": "加快推进", "percent": 10}, format="json"
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.LAGGING and task.progress == "加快推进"


def test_staff_progress_on_another_units_subtask_is_404_and_changes_nothing(api_as, tasks):
    task = tasks["other"]
    before = snapshot(task)
    count = ProgressReport.objects.count()
    response = api_as("d09").post(
        f"{API}/progress/", {"subtask": task.pk, "text": "越权", "percent": 90}, format="json"
    )
    assert response.status_code == 404
    assert snapshot(task) == before
    assert ProgressReport.objects.count() == count


@pytest.mark.parametrize("username", ["leader01", "sup_d21"])
def test_readers_cannot_report_progress(api_as, tasks, username):
    before = snapshot(tasks["own"])
    response = api_as(username).post(
        f"{API}/progress/", {"subtask": tasks["own"].pk, "text": "x", "percent": 5}, format="json"
    )
    assert response.status_code == 403
    assert snapshot(tasks["own"]) == before


def test_progress_is_validated_and_a_refused_report_changes_nothing(api_as, tasks):
    before = snapshot(tasks["own"])
    client = api_as("d09")
    response = client.post(
        f"{API}/progress/", {"subtask": tasks["own"].pk, "text": "x", "percent": 120}, format="json"
    )
    assert response.status_code == 400 and "percent" in response.data
    response = client.post(
        f"{API}/progress/", {"subtask": tasks["own"].pk, "text": "", "percent": 5}, format="json"
    )
    assert response.status_code == 400
    assert "请填写进展情况。" in str(response.data["text"])
    assert snapshot(tasks["own"]) == before


def test_no_progress_on_a_finished_subtask(api_as, tasks):
    SubTask.objects.filter(pk=tasks["own"].pk).update(status=TaskStatus.DONE)
    before = snapshot(tasks["own"])
    response = api_as("d09").post(
        f"{API}/progress/", {"subtask": tasks["own"].pk, "text": "x", "percent": 5}, format="json"
    )
    assert response.status_code == 400
    assert snapshot(tasks["own"]) == before


def test_staff_cannot_change_a_progress_report(api_as, tasks):
    client = api_as("d09")
    created = client.post(
        f"{API}/progress/",
        {"subtask": tasks["own"].pk, "text": "原文", "percent": 5},
        format="json",
    )
    url = f"{API}/progress/{created.data['id']}/"
    assert client.patch(url, {"text": "改写"}, format="json").status_code == 403
    assert ProgressReport.objects.get(pk=created.data["id"]).text == "原文"


def test_supervisor_of_reforms_reports_progress(api_as, tasks):
    SubTask.objects.filter(pk=tasks["other"].pk).update(status=TaskStatus.IN_PROGRESS)
    response = api_as("sup_d03").post(
        f"{API}/progress/",
        {"subtask": tasks["other"].pk, "text": "督查", "percent": 50},
        format="json",
    )
    assert response.status_code == 201


# --- follow-up problems --------------------------------------------------------------------
def test_followup_rectified_and_recheck_through_the_api(api_as, problems):
    problem = problems["own"]
    url = f"{API}/followups/{problem.pk}"
    response = api_as("d09").post(f"{url}/rectified/", {"note": "已整改"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "rectified"
    assert api_as("d09").post(f"{url}/recheck/", {}, format="json").status_code == 403
    supervisor = api_as("sup_d03")
    body = {"checked_on": today().isoformat(), "result": RecheckResult.RECURRED, "note": "反弹"}
    response = supervisor.post(f"{url}/recheck/", body, format="json")
    assert response.status_code == 201 and response.data["status"] == "rectifying"
    assert len(response.data["rechecks"]) == 1
    response = supervisor.post(f"{url}/recheck/", body, format="json")
    assert response.status_code == 400  # still rectifying
    problem.refresh_from_db()
    assert problem.status == FollowUpStatus.RECTIFYING and problem.rechecks.count() == 1


def test_followup_rectified_by_another_unit_is_404(api_as, problems):
    url = f"{API}/followups/{problems['other'].pk}/rectified/"
    assert api_as("d09").post(url, {"note": "x"}, format="json").status_code == 404


@pytest.mark.parametrize("username", ["d09", "leader01", "sup_d21"])
def test_followups_written_only_by_supervisors_of_reforms(api_as, problems, username):
    client = api_as(username)
    problem = problems["own"]
    response = client.patch(f"{API}/followups/{problem.pk}/", {"area": "改"}, format="json")
    assert response.status_code == 403
    response = client.post(
        f"{API}/followups/",
        {"number": 990, "area": "a", "problem": "p", "lead_unit": problem.lead_unit_id},
        format="json",
    )
    assert response.status_code == 403
    assert not FollowUpProblem.objects.filter(number=990).exists()
    problem.refresh_from_db()
    assert problem.area == "便民服务"


def test_followup_status_is_not_writable_directly(api_as, problems):
    problem = problems["own"]
    response = api_as("sup_d03").patch(
        f"{API}/followups/{problem.pk}/", {"status": "rechecked", "area": "改"}, format="json"
    )
    assert response.status_code == 400 and "回头看" in response.json()["status"][0]
    problem.refresh_from_db()
    assert problem.status == FollowUpStatus.RECTIFYING and problem.area != "改"


# --- innovations and experiences ----------------------------------------------------------
def test_staff_create_and_edit_own_innovation_but_not_its_reporting(
    api_as, innovations, unit_named
):
    client = api_as("d09")
    response = client.post(
        f"{API}/innovations/",
        {"title": "测试：院坝说事", "unit": unit_named(OTHER).pk, "reported_on": "2023-09-01"},
        format="json",
    )
    assert response.status_code == 201, response.data
    created = Innovation.objects.get(pk=response.data["id"])
    assert created.unit == unit_named(OWN) and not created.reported
    own = innovations["own"]
    response = client.patch(
        f"{API}/innovations/{own.pk}/", {"experience": "新材料", "reported_on": "2023-01-01"}
    )
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.experience == "新材料" and own.reported_on is None
    other = innovations["other"]
    assert client.patch(f"{API}/innovations/{other.pk}/", {"title": "x"}).status_code == 404


def test_staff_report_innovation_through_the_api(api_as, innovations):
    client = api_as("d09")
    own = innovations["own"]
    response = client.post(f"{API}/innovations/{own.pk}/report/")
    assert response.status_code == 200
    assert response.data["reported"] and response.data["reported_on"] == today().isoformat()
    assert client.post(f"{API}/innovations/{own.pk}/report/").status_code == 400


@pytest.mark.parametrize("username", ["leader01", "sup_d21"])
def test_readers_cannot_write_innovations(api_as, innovations, username):
    client = api_as(username)
    own = innovations["own"]
    assert client.post(f"{API}/innovations/{own.pk}/report/").status_code == 403
    assert client.patch(f"{API}/innovations/{own.pk}/", {"title": "x"}).status_code == 403
    assert (
        client.post(f"{API}/innovations/", {"title": "x", "unit": own.unit_id}).status_code == 403
    )
    own.refresh_from_db()
    assert not own.reported and own.title == "测试：一窗通办"


def test_supervisor_sets_innovation_reporting(api_as, innovations):
    own = innovations["own"]
    response = api_as("sup_d03").patch(
        f"{API}/innovations/{own.pk}/", {"reported_on": "2023-09-02"}, format="json"
    )
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.reported and own.reported_on == datetime.date(2023, 9, 2)


@pytest.mark.parametrize("username,allowed", [("d09", False), ("leader01", False),
                                               ("sup_d21", False), ("sup_d03", True)])  # fmt: skip
def test_experiences_written_only_by_supervisors_of_reforms(api_as, demo, username, allowed):
    response = api_as(username).post(
        f"{API}/experiences/",
        {"title": "测试经验", "outlet": "简报", "level": "city", "published_on": "2023-10-01"},
        format="json",
    )
    assert response.status_code == (201 if allowed else 403)
    assert Experience.objects.filter(title="测试经验").exists() == allowed


def test_experience_filters_through_the_api(api_as, demo):
    response = api_as("leader01").get(f"{API}/experiences/", {"level": "national"})
    assert response.data["count"] == Experience.objects.filter(level="national").count()
    assert all(row["level"] == "national" for row in response.data["results"])


def test_schema_generates_without_warnings(demo, tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert "/api/reforms/progress/" in (tmp_path / "schema.yml").read_text()


@pytest.mark.parametrize(
    "path", ["items", "subtasks", "progress", "followups", "innovations", "experiences"]
)
def test_api_lists_stay_within_a_fixed_number_of_queries(
    api_as, demo, django_assert_max_num_queries, path
):
    client = api_as("leader01")
    # 8, +2 for the request's savepoint (ATOMIC_REQUESTS inside the test's transaction)
    with django_assert_max_num_queries(8 + 2):
        assert client.get(f"{API}/{path}/").status_code == 200


def test_api_404_is_chinese_and_names_no_model(client, demo, user_named):
    client.force_login(user_named("d21"))
    response = client.get("/api/reforms/items/99999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "记录不存在，或不在您可以查看的范围内。"}


def test_staff_link_innovations_only_to_items_they_may_see(client, demo, user_named):
    from reforms.models import ReformItem

    staff = user_named("d21")
    hidden = ReformItem.objects.exclude(pk__in=ReformItem.objects.visible_to(staff)).first()
    client.force_login(staff)
    response = client.post(
        "/api/reforms/innovations/",
        {"title": "试点", "item": hidden.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "item" in response.json()
    page = client.get("/reforms/innovations/new/")
    assert page.status_code == 200
    assert f">{hidden.year}年 {hidden.number}. " not in page.content.decode()

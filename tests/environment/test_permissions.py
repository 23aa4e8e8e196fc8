"""Who sees and changes what, in pages and API: another unit's problem is a 404 and unwritable."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from environment.models import Problem


@pytest.fixture
def problems(make_problem):
    return {
        "town": make_problem("城关镇"),
        "power": make_problem("东兴镇", departments=["国网示范县供电公司"], cat="“三线”杂乱"),
        "other": make_problem("石门镇"),
    }


@pytest.fixture
def api():
    return APIClient()


def visible_numbers(username, user_named):
    return set(Problem.objects.visible_to(user_named(username)).values_list("number", flat=True))


def test_townships_and_departments_see_only_their_own(problems, user_named):
    mine = {problems["town"].number, problems["power"].number, problems["other"].number}
    assert visible_numbers("t02", user_named) & mine == {problems["town"].number}
    assert visible_numbers("t03", user_named) & mine == {problems["power"].number}
    assert visible_numbers("d37", user_named) & mine == {problems["power"].number}
    for reader in ("sup_d18", "sup_d21", "leader01"):
        assert visible_numbers(reader, user_named) >= mine


def test_another_units_problem_is_404_in_pages(client, problems, user_named):
    client.force_login(user_named("t02"))
    other = problems["other"]
    assert client.get(other.get_absolute_url()).status_code == 404
    for step in ("start", "submit", "accept", "reject", "recheck"):
        url = reverse(f"environment:problem_{step}", args=[other.pk])
        assert client.post(url, {"note": "x", "reason": "x"}).status_code == 404
    assert client.get(problems["town"].get_absolute_url()).status_code == 200


def test_staff_cannot_edit_problem_data_or_create(client, problems, user_named):
    client.force_login(user_named("t02"))
    assert (
        client.get(reverse("environment:problem_update", args=[problems["town"].pk])).status_code
        == 403
    )
    assert client.get(reverse("environment:problem_create")).status_code == 403
    assert client.get(reverse("environment:notice_issue")).status_code == 403


def test_leader_reads_but_cannot_act(client, problems, user_named):
    client.force_login(user_named("leader01"))
    page = client.get(problems["town"].get_absolute_url())
    assert page.status_code == 200 and "提交验收" not in page.content.decode()
    response = client.post(reverse("environment:problem_start", args=[problems["town"].pk]))
    assert response.status_code == 403  # refused before the problem's state is looked at
    problems["town"].refresh_from_db()
    assert problems["town"].status == "assigned"


def test_api_list_and_detail_follow_scoping(api, problems, user_named):
    api.force_authenticate(user_named("t02"))
    listed = api.get("/api/environment/problems/", {"page_size": 500}).json()
    numbers = {row["number"] for row in listed["results"]}
    assert problems["town"].number in numbers and problems["other"].number not in numbers
    assert api.get(f"/api/environment/problems/{problems['other'].pk}/").status_code == 404
    assert (
        api.patch(
            f"/api/environment/problems/{problems['other'].pk}/",
            {"description": "改"},
            format="json",
        ).status_code
        == 404
    )
    assert api.post(f"/api/environment/problems/{problems['other'].pk}/accept/").status_code == 404
    own = api.patch(
        f"/api/environment/problems/{problems['town'].pk}/", {"description": "改"}, format="json"
    )
    assert own.status_code == 403  # a township does not rewrite the problem
    problems["other"].refresh_from_db()
    assert problems["other"].description == "测试问题：路边乱堆乱放"


def test_api_filters_and_loop_actions(api, problems, user_named, jpeg):
    api.force_authenticate(user_named("t02"))
    town = problems["town"]
    bad = api.post(f"/api/environment/problems/{town.pk}/submit/", {"note": "好了"})
    assert bad.status_code == 400
    done = api.post(
        f"/api/environment/problems/{town.pk}/submit/",
        {"note": "好了", "photos": [jpeg()]},
        format="multipart",
    )
    assert done.status_code == 200 and done.json()["status"] == "pending"
    assert api.post(f"/api/environment/problems/{town.pk}/accept/").status_code == 403
    api.force_authenticate(user_named("sup_d18"))
    assert api.post(f"/api/environment/problems/{town.pk}/reject/").status_code == 400
    accepted = api.post(f"/api/environment/problems/{town.pk}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "closed"
    filtered = api.get(
        "/api/environment/problems/", {"status": "closed", "township": town.township_id}
    )
    assert town.number in {r["number"] for r in filtered.json()["results"]}


def test_api_supervisor_creates_problem_staff_cannot(api, user_named, unit_named, category):
    town = unit_named("城关镇")
    payload = {
        "found_on": "2030-02-01",
        "deadline": "2030-02-10",
        "township": town.pk,
        "category": category().pk,
        "description": "新发现",
    }
    api.force_authenticate(user_named("t02"))
    assert api.post("/api/environment/problems/", payload, format="json").status_code == 403
    api.force_authenticate(user_named("sup_d18"))
    created = api.post("/api/environment/problems/", payload, format="json")
    assert created.status_code == 201 and created.json()["status"] == "assigned"
    wrong = api.post(
        "/api/environment/problems/", {**payload, "deadline": "2030-01-01"}, format="json"
    )
    assert wrong.status_code == 400 and "整改时限" in str(wrong.json())


def test_list_query_count_does_not_grow_with_rows(
    client, make_problem, user_named, django_assert_max_num_queries
):
    client.force_login(user_named("t02"))
    make_problem(departments=["县住房和城乡建设局"])
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("environment:problem_list"))
    for _ in range(30):
        make_problem(departments=["县住房和城乡建设局"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("environment:problem_list"))


def test_supervisor_pages_render(client, problems, user_named):
    client.force_login(user_named("sup_d18"))
    for name in (
        "problem_list",
        "stubborn_list",
        "problem_create",
        "inspection_list",
        "inspection_create",
        "category_list",
        "category_create",
        "accountability_list",
        "accountability_create",
        "notice",
        "notice_issue",
    ):
        assert client.get(reverse(f"environment:{name}")).status_code == 200, name


def test_problem_form_errors_are_chinese_beside_fields(client, user_named, unit_named, category):
    client.force_login(user_named("sup_d18"))
    village = unit_named("东兴镇").villages.first()
    response = client.post(
        reverse("environment:problem_create"),
        {
            "found_on": "2030-02-10",
            "deadline": "2030-02-01",
            "township": unit_named("城关镇").pk,
            "village": village.pk,
            "category": category().pk,
            "description": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "该村（社区）不属于所选乡镇" in html and "整改时限不能早于发现日期" in html
    assert html.count("必填项") >= 1  # the empty description

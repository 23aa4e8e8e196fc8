"""Pages of follow-up problems, micro-innovations and typical experiences: who may do what."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from county.status import today
from reforms.choices import ExperienceLevel, FollowUpStatus, RecheckResult
from reforms.models import Experience, FollowUpProblem, Innovation, Recheck

OWN, OTHER = "县发展和改革局", "县财政局"  # units of d09 and d15


@pytest.fixture
def client_as(client, user_named):
    """client_as("d09") → the test client signed in as that demo account."""

    def sign_in(username):
        client.force_login(user_named(username))
        return client

    return sign_in


@pytest.fixture
def problems(demo, unit_named):
    own = FollowUpProblem.objects.create(
        number=901, area="便民服务", problem="测试：群众办事跑腿多", lead_unit=unit_named(OWN)
    )
    other = FollowUpProblem.objects.create(
        number=902, area="基础设施", problem="测试：饮水保障不稳定", lead_unit=unit_named(OTHER)
    )
    return {"own": own, "other": other}


@pytest.fixture
def innovations(demo, unit_named):
    own = Innovation.objects.create(
        title="测试：一窗通办", unit=unit_named(OWN), experience="形成可复制的流程。"
    )
    other = Innovation.objects.create(title="测试：积分治理", unit=unit_named(OTHER))
    return {"own": own, "other": other}


def numbers(response):
    return {p.number for p in response.context["object_list"]}


# --- 后半篇文章 ----------------------------------------------------------------------------
def test_staff_list_shows_only_own_units_problems(client_as, problems, unit_named):
    response = client_as("d09").get(reverse("reforms:followups"))
    assert response.status_code == 200
    assert 901 in numbers(response) and 902 not in numbers(response)
    lead_units = {p.lead_unit_id for p in response.context["paginator"].object_list}
    assert lead_units == {unit_named(OWN).pk}


def test_leader_list_shows_all_problems(client_as, problems):
    response = client_as("leader01").get(reverse("reforms:followups"), {"q": "测试："})
    assert numbers(response) == {901, 902}


def test_problem_filters_by_area_status_unit_and_text(client_as, problems, unit_named):
    client = client_as("sup_d03")
    url = reverse("reforms:followups")
    assert numbers(client.get(url, {"q": "测试：饮水"})) == {902}
    assert 901 in numbers(client.get(url, {"area": "便民服务", "q": "测试"}))
    assert numbers(client.get(url, {"lead_unit": unit_named(OWN).pk, "q": "测试"})) == {901}
    problems["other"].status = FollowUpStatus.RECHECKED
    problems["other"].save()
    assert numbers(client.get(url, {"status": "rechecked", "q": "测试"})) == {902}


def test_problem_list_paginates(client_as, problems):
    response = client_as("sup_d03").get(reverse("reforms:followups"))
    assert response.context["is_paginated"]
    assert len(response.context["object_list"]) == 20
    assert "page=2" in response.content.decode()


def test_problem_list_queries_do_not_grow_with_rows(client_as, problems, unit_named):
    client = client_as("sup_d03")
    url = reverse("reforms:followups")
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(40):
        FollowUpProblem.objects.create(
            number=1000 + n, area=f"领域{n}", problem="批量", lead_unit=unit_named(OTHER)
        )
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_another_units_problem_is_404_for_staff(client_as, problems):
    client = client_as("d09")
    assert client.get(reverse("reforms:followup", args=[problems["own"].pk])).status_code == 200
    assert client.get(reverse("reforms:followup", args=[problems["other"].pk])).status_code == 404
    post = client.post(
        reverse("reforms:followup_rectified", args=[problems["other"].pk]), {"note": "已整改"}
    )
    assert post.status_code == 404


@pytest.mark.parametrize("username", ["d09", "leader01", "sup_d21"])
def test_only_supervisors_of_reforms_create_or_edit_problems(client_as, problems, username):
    client = client_as(username)
    assert client.get(reverse("reforms:followup_create")).status_code == 403
    response = client.post(
        reverse("reforms:followup_edit", args=[problems["own"].pk]),
        {
            "number": 901,
            "area": "改了",
            "problem": "改了",
            "lead_unit": problems["own"].lead_unit_id,
        },
    )
    assert response.status_code == 403
    problems["own"].refresh_from_db()
    assert problems["own"].area == "便民服务"


def test_supervisor_creates_and_edits_a_problem_kept_in_history(client_as, problems, unit_named):
    client = client_as("sup_d03")
    form = client.get(reverse("reforms:followup_create")).context["form"]
    assert form.initial["number"] > 902
    response = client.post(
        reverse("reforms:followup_create"),
        {
            "number": 950,
            "area": "公共服务",
            "problem": "村卫生室人员不足",
            "lead_unit": unit_named(OWN).pk,
        },
    )
    problem = FollowUpProblem.objects.get(number=950)
    assert response.status_code == 302
    assert problem.status == FollowUpStatus.RECTIFYING
    response = client.post(
        reverse("reforms:followup_edit", args=[problem.pk]),
        {
            "number": 950,
            "area": "公共服务",
            "problem": "村卫生室人员不足",
            "lead_unit": unit_named(OTHER).pk,  # not the edit's: 调整牵头单位 (issue 20)
            "deadline": "2023-12-28",
            "version": problem.version,
        },
    )
    assert response.status_code == 302
    latest = problem.history.first()
    assert latest.history_user.username == "sup_d03"
    page = client.get(reverse("reforms:followup", args=[problem.pk])).content.decode()
    assert "牵头单位：" in page and OWN in page and "2023年12月28日" in page
    moved = client.post(
        reverse("reforms:followup_reassign", args=[problem.pk]),
        {"unit": unit_named(OTHER).pk, "reason": "改由财政局牵头"},
    )
    assert moved.status_code == 302
    page = client.get(reverse("reforms:followup", args=[problem.pk])).content.decode()
    assert "牵头单位：" in page and OTHER in page


def test_problem_form_errors_are_chinese_beside_the_field(client_as, problems):
    client = client_as("sup_d03")
    response = client.post(
        reverse("reforms:followup_create"),
        {"number": 901, "area": "", "problem": "", "lead_unit": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    for message in ("该序号已被其他问题使用。", "请填写领域。", "请填写问题。", "请选择牵头单位。"):
        assert message in page
    assert 'class="invalid-feedback d-block"' in page


def test_lead_unit_staff_marks_problem_rectified_with_a_note(client_as, problems):
    problem = problems["own"]
    response = client_as("d09").post(
        reverse("reforms:followup_rectified", args=[problem.pk]), {"note": "已增设代办点"}
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == FollowUpStatus.RECTIFIED
    latest = problem.history.first()
    assert latest.history_user.username == "d09"
    assert "已增设代办点" in latest.history_change_reason


def test_rectified_needs_a_note_and_a_problem_under_rectification(client_as, problems):
    problem = problems["own"]
    client = client_as("d09")
    url = reverse("reforms:followup_rectified", args=[problem.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 400
    assert "请简要说明整改情况。" in response.content.decode()
    problem.status = FollowUpStatus.RECHECKED
    problem.save()
    client.post(url, {"note": "再次整改"})
    problem.refresh_from_db()
    assert problem.status == FollowUpStatus.RECHECKED


@pytest.mark.parametrize("username", ["leader01", "sup_d21"])
def test_readers_cannot_mark_rectified(client_as, problems, username):
    problem = problems["own"]
    response = client_as(username).post(
        reverse("reforms:followup_rectified", args=[problem.pk]), {"note": "整改"}
    )
    assert response.status_code == 403
    problem.refresh_from_db()
    assert problem.status == FollowUpStatus.RECTIFYING


def recheck(client, problem, result, note="复查"):
    return client.post(
        reverse("reforms:followup_recheck", args=[problem.pk]),
        {"checked_on": today().isoformat(), "result": result, "note": note},
    )


def test_recheck_fine_sets_rechecked(client_as, problems):
    problem = problems["own"]
    problem.status = FollowUpStatus.RECTIFIED
    problem.save()
    assert recheck(client_as("sup_d03"), problem, RecheckResult.FINE).status_code == 302
    problem.refresh_from_db()
    assert problem.status == FollowUpStatus.RECHECKED
    saved = problem.rechecks.get()
    assert saved.checked_by.username == "sup_d03" and saved.result == RecheckResult.FINE


def test_recheck_recurred_puts_problem_back_to_rectifying(client_as, problems):
    problem = problems["own"]
    problem.status = FollowUpStatus.RECHECKED
    problem.save()
    client = client_as("sup_d03")
    assert recheck(client, problem, RecheckResult.RECURRED, "原址又出现").status_code == 302
    problem.refresh_from_db()
    assert problem.status == FollowUpStatus.RECTIFYING
    assert problem.history.first().history_user.username == "sup_d03"
    page = client.get(reverse("reforms:followup", args=[problem.pk])).content.decode()
    assert "问题反弹" in page and "原址又出现" in page


def test_recheck_refused_while_rectifying_and_without_note_on_recurrence(client_as, problems):
    problem = problems["own"]
    client = client_as("sup_d03")
    recheck(client, problem, RecheckResult.FINE)
    problem.refresh_from_db()
    assert problem.status == FollowUpStatus.RECTIFYING
    assert not Recheck.objects.filter(problem=problem).exists()
    problem.status = FollowUpStatus.RECTIFIED
    problem.save()
    response = recheck(client, problem, RecheckResult.RECURRED, note="")
    assert response.status_code == 400
    assert "问题反弹时请说明反弹情况。" in response.content.decode()
    future = client.post(
        reverse("reforms:followup_recheck", args=[problem.pk]),
        {"checked_on": (today() + datetime.timedelta(days=3)).isoformat(), "result": "fine"},
    )
    assert "回头看日期不能晚于今天。" in future.content.decode()
    problem.refresh_from_db()
    assert problem.status == FollowUpStatus.RECTIFIED


@pytest.mark.parametrize("username", ["d09", "leader01", "sup_d21"])
def test_only_supervisors_of_reforms_recheck(client_as, problems, username):
    problem = problems["own"]
    problem.status = FollowUpStatus.RECTIFIED
    problem.save()
    assert recheck(client_as(username), problem, RecheckResult.FINE).status_code == 403
    problem.refresh_from_db()
    assert problem.status == FollowUpStatus.RECTIFIED
    assert not problem.rechecks.exists()


def test_problem_page_shows_the_forms_each_role_may_use(client_as, problems):
    problem = problems["own"]
    url = reverse("reforms:followup", args=[problem.pk])
    staff = client_as("d09").get(url).context
    assert "rectified_form" in staff and "recheck_form" not in staff and not staff["can_edit"]
    leader = client_as("leader01").get(url).context
    assert "rectified_form" not in leader and "recheck_form" not in leader
    problem.status = FollowUpStatus.RECTIFIED
    problem.save()
    supervisor = client_as("sup_d03").get(url).context
    assert "recheck_form" in supervisor and supervisor["can_edit"]


# --- 微改革微创新 --------------------------------------------------------------------------
def test_staff_list_shows_only_own_innovations_and_filters(client_as, innovations, unit_named):
    client = client_as("d09")
    url = reverse("reforms:innovations")
    rows = client.get(url).context["paginator"].object_list
    assert {r.unit_id for r in rows} == {unit_named(OWN).pk}
    supervisor = client_as("sup_d03")
    titles = {r.title for r in supervisor.get(url, {"q": "测试："}).context["object_list"]}
    assert titles == {"测试：一窗通办", "测试：积分治理"}
    unreported = supervisor.get(url, {"q": "测试：", "reported": "false"}).context["object_list"]
    assert len(unreported) == 2
    assert not supervisor.get(url, {"q": "测试：", "reported": "true"}).context["object_list"]
    by_unit = supervisor.get(url, {"q": "测试：", "unit": unit_named(OTHER).pk})
    assert [r.title for r in by_unit.context["object_list"]] == ["测试：积分治理"]


def test_innovation_list_queries_do_not_grow_with_rows(client_as, innovations, unit_named):
    client = client_as("sup_d03")
    url = reverse("reforms:innovations")
    cache.clear()  # both views compute every figure (the frame's too)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    Innovation.objects.bulk_create(
        Innovation(title=f"批量{n}", unit=unit_named(OWN)) for n in range(40)
    )
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_staff_create_innovation_for_own_unit_only(client_as, demo, unit_named):
    client = client_as("d09")
    response = client.post(
        reverse("reforms:innovation_create"),
        {
            "title": "测试：院坝说事",
            "unit": unit_named(OTHER).pk,  # ignored: staff have no unit field
            "innovation_point": "群众议事",
            "reported_on": "2023-09-01",  # ignored: reporting is the report action
        },
    )
    assert response.status_code == 302
    created = Innovation.objects.get(title="测试：院坝说事")
    assert created.unit == unit_named(OWN)
    assert not created.reported and created.reported_on is None
    assert created.history.first().history_user.username == "d09"


def test_innovation_form_errors_are_chinese(client_as, demo):
    response = client_as("sup_d03").post(reverse("reforms:innovation_create"), {"title": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写项目名称。" in page and "请选择承担单位。" in page


def test_staff_edit_own_innovation_not_another_units(client_as, innovations):
    client = client_as("d09")
    own_url = reverse("reforms:innovation_edit", args=[innovations["own"].pk])
    data = {"title": "测试：一窗通办", "innovation_point": "新的创新点"}
    response = client.post(own_url, {**data, "version": innovations["own"].version})
    assert response.status_code == 302
    innovations["own"].refresh_from_db()
    assert innovations["own"].innovation_point == "新的创新点"
    other_url = reverse("reforms:innovation_edit", args=[innovations["other"].pk])
    assert client.post(other_url, {"title": "改"}).status_code == 404
    assert (
        client.get(reverse("reforms:innovation", args=[innovations["other"].pk])).status_code == 404
    )


@pytest.mark.parametrize("username", ["leader01", "sup_d21"])
def test_readers_cannot_create_edit_or_report_innovations(client_as, innovations, username):
    client = client_as(username)
    own = innovations["own"]
    assert client.get(reverse("reforms:innovation_create")).status_code == 403
    assert client.post(reverse("reforms:innovation_edit", args=[own.pk]), {}).status_code == 403
    assert client.post(reverse("reforms:innovation_report", args=[own.pk])).status_code == 403
    own.refresh_from_db()
    assert not own.reported


def test_supervisor_sets_unit_and_reporting(client_as, innovations, unit_named):
    own = innovations["own"]
    response = client_as("sup_d03").post(
        reverse("reforms:innovation_edit", args=[own.pk]),
        {
            "title": own.title,
            "unit": unit_named(OTHER).pk,  # not the edit's: 调整承担单位 (issue 20)
            "reported_on": "2023-09-10",
            "version": own.version,
        },
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.unit == unit_named(OWN)
    moved = client_as("sup_d03").post(
        reverse("reforms:innovation_reassign", args=[own.pk]),
        {"unit": unit_named(OTHER).pk, "reason": "改由财政局承担"},
    )
    assert moved.status_code == 302
    own.refresh_from_db()
    assert own.unit == unit_named(OTHER)
    assert own.reported and own.reported_on == datetime.date(2023, 9, 10)


def test_staff_report_innovation_to_the_reform_office(client_as, innovations):
    own = innovations["own"]
    response = client_as("d09").post(reverse("reforms:innovation_report", args=[own.pk]))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.reported and own.reported_on == today()
    assert own.history.first().history_change_reason == "报送县委改革办"


def test_report_needs_the_experience_write_up(client_as, innovations):
    own = innovations["own"]
    own.experience = ""
    own.save()
    client = client_as("d09")
    response = client.post(reverse("reforms:innovation_report", args=[own.pk]), follow=True)
    assert "请先填写经验材料" in response.content.decode()
    own.refresh_from_db()
    assert not own.reported
    other = innovations["other"]
    assert client.post(reverse("reforms:innovation_report", args=[other.pk])).status_code == 404


# --- 典型经验刊载 --------------------------------------------------------------------------
@pytest.fixture
def experiences(demo, unit_named):
    make = Experience.objects.create
    return [
        make(title="测试甲", outlet="市委改革办《改革简报》", level=ExperienceLevel.CITY,
             published_on=datetime.date(2023, 3, 1), unit=unit_named(OWN)),
        make(title="测试乙", outlet="省委改革办《改革情况交流》", level=ExperienceLevel.PROVINCE,
             published_on=datetime.date(2023, 6, 1), unit=unit_named(OWN)),
        make(title="测试丙", outlet="国家发展改革委《改革内参》", level=ExperienceLevel.NATIONAL,
             published_on=datetime.date(2023, 9, 1), unit=unit_named(OTHER)),
    ]  # fmt: skip


def test_experience_list_counts_by_level_of_what_is_filtered(client_as, experiences):
    response = client_as("sup_d03").get(reverse("reforms:experiences"), {"q": "测试"})
    counts = {label: n for label, n, _ in response.context["level_counts"]}
    assert counts == {"市级": 1, "省级": 1, "国家级": 1}
    assert response.context["total"] == 3
    all_rows = client_as("sup_d03").get(reverse("reforms:experiences"))
    assert all_rows.context["total"] == Experience.objects.count()


def test_experience_filters(client_as, experiences, unit_named):
    client = client_as("leader01")
    url = reverse("reforms:experiences")

    def titles(**params):
        rows = client.get(url, {"q": "测试", **params}).context["object_list"]
        return {r.title for r in rows}

    assert titles(level="province") == {"测试乙"}
    assert titles(outlet="改革内参") == {"测试丙"}
    assert titles(published_from="2023-05-01", published_to="2023-08-31") == {"测试乙"}
    assert titles(unit=unit_named(OTHER).pk) == {"测试丙"}
    item = experiences[0].item = Experience.objects.exclude(item=None).first().item
    experiences[0].save()
    assert titles(item=item.pk) == {"测试甲"}


def test_staff_see_only_own_units_experiences(client_as, experiences, unit_named):
    response = client_as("d09").get(reverse("reforms:experiences"))
    assert {r.unit_id for r in response.context["paginator"].object_list} == {unit_named(OWN).pk}
    assert not response.context["can_edit"]


def test_experience_list_queries_do_not_grow_with_rows(client_as, experiences, unit_named):
    client = client_as("sup_d03")
    url = reverse("reforms:experiences")
    cache.clear()  # both views compute every figure (the frame's too)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    Experience.objects.bulk_create(
        Experience(title=f"批量{n}", outlet="简报", level="city", published_on=today())
        for n in range(40)
    )
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


@pytest.mark.parametrize("username", ["d09", "leader01", "sup_d21"])
def test_only_supervisors_of_reforms_record_experiences(client_as, experiences, username):
    client = client_as(username)
    assert client.get(reverse("reforms:experience_create")).status_code == 403
    edit = reverse("reforms:experience_edit", args=[experiences[0].pk])
    assert client.post(edit, {"title": "改"}).status_code == 403
    experiences[0].refresh_from_db()
    assert experiences[0].title == "测试甲"


def test_supervisor_records_an_experience(client_as, demo, unit_named):
    client = client_as("sup_d03")
    data = {"title": "测试：积分治理经验", "outlet": "省委办公厅《决策参考》", "level": "province"}
    future = (today() + datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("reforms:experience_create"), {**data, "published_on": future})
    assert response.status_code == 400
    assert "刊载日期不能晚于今天。" in response.content.decode()
    response = client.post(
        reverse("reforms:experience_create"),
        {**data, "published_on": "2023-10-08", "unit": unit_named(OWN).pk},
    )
    assert response.status_code == 302
    created = Experience.objects.get(title="测试：积分治理经验")
    assert created.history.first().history_user.username == "sup_d03"


def test_tabs_mark_the_current_section(client_as, problems):
    page = client_as("d09").get(reverse("reforms:followups")).content.decode()
    assert 'data-testid="reform-tabs"' in page
    tab = page.split('href="/reforms/followups/"')[0].rsplit("<a", 1)[1]
    assert "active" in tab


@pytest.mark.parametrize(
    "name", ["reforms:followups", "reforms:innovations", "reforms:experiences"]
)
def test_list_pages_stay_within_a_fixed_number_of_queries(
    client_as, problems, innovations, django_assert_max_num_queries, name
):
    client = client_as("leader01")
    # 12, +2 for the request's savepoint (ATOMIC_REQUESTS inside the test's transaction)
    with django_assert_max_num_queries(12 + 2):
        assert client.get(reverse(name)).status_code == 200

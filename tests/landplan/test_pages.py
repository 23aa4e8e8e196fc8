"""The planning pages: overview figures and links, list filters, the stage form with its
confirm step, the details form, and the registry (我的待办, cockpit)."""

import datetime

import pytest
from django.urls import reverse

from landplan.choices import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def sup(client, user_named):
    client.force_login(user_named("sup_d17"))
    return client


def test_overview_figures_link_to_filtered_lists(fresh, sup):
    response = sup.get(reverse("landplan:overview"))
    assert response.status_code == 200
    html = response.content.decode()
    stages = {s["stage"]: s["count"] for s in response.context["stages"]}
    assert stages[Stage.PROVINCIAL_REVIEW] == 2
    assert stages[Stage.SURVEY] == 7
    assert stages[Stage.DRAFT] == 6
    assert stages[Stage.BASE_DATA] == 1
    figs = response.context["figs"]
    assert figs["total"][0] == 16
    assert figs["overdue"][0] == 16  # the sample's 2023 deadlines are long past
    assert figs["rate"][0] == "0%"
    assert f'href="{reverse("landplan:area_list")}?stage=5"' in html
    assert f'href="{reverse("landplan:area_list")}?light=overdue"' in html
    chart = response.context["chart"]
    assert chart["labels"] == ["乡镇级·第一批次", "乡镇级·第二批次", "村级·按需编制"]
    by_stage = {s["key"]: s["data"] for s in chart["stages"]}
    assert by_stage[Stage.PROVINCIAL_REVIEW] == [2, 0, 0]
    assert by_stage[Stage.SURVEY] == [0, 1, 6]
    assert "echarts-6.1.0/echarts.min.js" in html


@pytest.mark.parametrize(
    "query,count",
    [
        ("", 16),
        ("level=township", 5),
        ("level=village&stage=3", 5),
        ("batch=first", 2),
        ("stage=open", 16),
        ("stage=7", 0),
        ("light=overdue", 16),
        ("light=done", 0),
        ("q=东安", 2),
    ],
)
def test_list_filters(fresh, sup, query, count):
    response = sup.get(f"{reverse('landplan:area_list')}?{query}")
    assert response.context["paginator"].count == count


def test_list_filters_by_township(fresh, sup, unit_named):
    town = unit_named("城关镇")
    response = sup.get(f"{reverse('landplan:area_list')}?township={town.pk}")
    names = sorted(a.name for a in response.context["object_list"])
    assert names == ["东安村级片区", "城关片区"]


def test_list_paginates(fresh, sup):
    from landplan.models import PlanArea

    template = PlanArea.objects.first()
    for n in range(20):
        PlanArea.objects.create(
            name=f"加片{n}",
            level=template.level,
            batch=template.batch,
            lead_unit=template.lead_unit,
            completion_deadline=datetime.date(2024, 6, 30),
        )
    first = sup.get(reverse("landplan:area_list"))
    assert len(first.context["object_list"]) == 30
    second = sup.get(f"{reverse('landplan:area_list')}?page=2")
    assert len(second.context["object_list"]) == 6


def test_stage_form_confirms_before_saving(fresh, area, client, user_named):
    client.force_login(user_named("d17"))
    target = area("石门片区")
    url = reverse("landplan:area_stage", args=[target.pk])
    page = client.get(url)
    assert [c[0] for c in page.context["form"].fields["to_stage"].choices] == [Stage.CITY_REVIEW]
    today = datetime.date.today().isoformat()
    data = {"to_stage": Stage.CITY_REVIEW, "date": today, "note": "已报市自然资源和规划局"}
    confirm = client.post(url, data)
    assert confirm.status_code == 200
    assert "确认变更" in confirm.content.decode()
    target.refresh_from_db()
    assert target.stage == Stage.DRAFT  # nothing saved before the confirm step
    done = client.post(url, {**data, "confirmed": "1"})
    assert done.status_code == 302
    target.refresh_from_db()
    assert target.stage == Stage.CITY_REVIEW
    detail = client.get(reverse("landplan:area_detail", args=[target.pk]))
    html = detail.content.decode()
    assert "已报市自然资源和规划局" in html
    assert "阶段：初步成果 → 报市级审查" in html  # the history
    steps = {s["stage"]: s for s in detail.context["steps"]}
    assert steps[Stage.CITY_REVIEW]["state"] == "current"


def test_stage_form_errors_next_to_the_fields(fresh, area, sup):
    target = area("城关片区")  # 省级专班审查
    url = reverse("landplan:area_stage", args=[target.pk])
    response = sup.post(url, {"to_stage": Stage.REVISING, "date": "2099-01-01", "note": ""})
    form = response.context["form"]
    assert "日期不能晚于今天。" in form.errors["date"]
    assert any("原因" in e for e in form.errors["note"])
    skip = sup.post(url, {"to_stage": Stage.DONE, "date": datetime.date.today().isoformat()})
    assert "to_stage" in skip.context["form"].errors  # not a choice: no skipping
    target.refresh_from_db()
    assert target.stage == Stage.PROVINCIAL_REVIEW


def test_details_form(fresh, area, sup):
    target = area("石门片区")
    url = reverse("landplan:area_update", args=[target.pk])
    bad = sup.post(url, {"compiler": "某院", "city_review_deadline": "2024-01-31",
                         "completion_deadline": "2023-12-31", "note": "",
                         "version": target.version})  # fmt: skip
    assert "报市级审查时限不能晚于完成时限。" in bad.context["form"].errors["city_review_deadline"]
    values = {"compiler": "某院", "city_review_deadline": "2023-11-15",
              "completion_deadline": "2023-12-31", "note": "延期至11月中旬",
              "version": target.version}  # fmt: skip
    good = sup.post(url, values)
    assert good.status_code == 302
    target.refresh_from_db()
    assert target.next_deadline == datetime.date(2023, 11, 15)


def test_finished_area_has_no_stage_button(fresh, area, sup, user_named):
    target = area("城关片区")
    boss = user_named("sup_d17")
    target.move_to(Stage.REVISING, boss, reason="按三区三线成果修改")
    target.move_to(Stage.DONE, boss)
    html = sup.get(reverse("landplan:area_detail", args=[target.pk])).content.decode()
    assert 'data-testid="stage-button"' not in html
    response = sup.get(reverse("landplan:area_stage", args=[target.pk]))
    assert response.status_code == 302


def test_todo_and_cockpit_show_the_areas(fresh, client, user_named):
    client.force_login(user_named("t02"))
    html = client.get(reverse("county:todo")).content.decode()
    assert "东安村级片区（城关镇）" in html
    assert "东安村级片区（新场镇）" not in html
    client.force_login(user_named("leader01"))
    html = client.get(reverse("county:cockpit")).content.decode()
    assert "逾期片区" in html and "编制完成率" in html


def test_demo_hook_is_idempotent(demo):
    import io

    from landplan.demo import load_demo
    from landplan.models import PlanArea

    before = list(PlanArea.objects.order_by("pk").values_list("pk", "next_deadline"))
    load_demo(io.StringIO())
    assert list(PlanArea.objects.order_by("pk").values_list("pk", "next_deadline")) == before
    assert len(before) == 16


def test_export_follows_the_list_filters_and_import_is_for_supervisors(fresh, client, user_named):
    import io

    import openpyxl

    client.force_login(user_named("t02"))
    response = client.get(reverse("ledger:export", args=["landplan"]) + "?level=village")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [c for row in sheet.iter_rows(values_only=True) for c in row[:1] if c]
    assert names.count("东安村级片区") == 1  # only 城关镇's, and only village-level
    assert "城关片区" not in names
    assert client.get(reverse("ledger:import", args=["landplan"])).status_code == 403
    client.force_login(user_named("sup_d17"))
    assert client.get(reverse("ledger:import", args=["landplan"])).status_code == 200


def test_review_sends_a_plan_back_with_its_reason(fresh, area, sup):
    target = area("石门片区")
    target.move_to(Stage.CITY_REVIEW)
    url = reverse("landplan:area_stage", args=[target.pk])
    choices = sup.get(url).context["form"].fields["to_stage"].choices
    assert choices == [
        (Stage.PROVINCIAL_REVIEW, "省级专班审查"),
        (Stage.REVISING, "修改完善（审查退回）"),
    ]
    today = datetime.date.today().isoformat()
    reason = "市级审查意见：村庄分类需与三区三线衔接"
    response = sup.post(url, {"to_stage": Stage.REVISING, "date": today, "note": reason,
                              "confirmed": "1"})  # fmt: skip
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.stage == Stage.REVISING
    html = sup.get(reverse("landplan:area_detail", args=[target.pk])).content.decode()
    assert reason in html and "审查退回" in html

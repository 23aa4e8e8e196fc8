"""In headless Chromium: 县自然资源局 staff move an area from 初步成果 to 报市级审查,
and the leader's overview shows it in the new stage."""

import pytest

pytestmark = pytest.mark.browser


def test_staff_reports_to_city_review_and_leader_sees_it(login, page, live_server):
    from landplan.choices import Stage
    from landplan.models import PlanArea

    area = PlanArea.objects.get(name="石门片区")
    assert area.stage == Stage.DRAFT
    city_review = f'[data-testid="stage-counts"] a[data-stage="{Stage.CITY_REVIEW.value}"]'

    login("leader01")
    page.goto(f"{live_server.url}/landplan/")
    before = int(page.locator(f"{city_review} [data-testid=stage-count]").inner_text())
    page.context.clear_cookies()

    login("d17")
    page.goto(f"{live_server.url}/landplan/areas/?q=石门")
    page.get_by_role("link", name="石门片区").first.click()
    page.get_by_test_id("stage-button").click()
    # the only move from 初步成果: stated as a sentence, not one radio button (issue 13)
    assert "报市级审查" in page.locator("[data-sole-choice]").inner_text()
    page.get_by_label("说明").fill("成果已报市自然资源和规划局审查")
    page.get_by_role("button", name="下一步").click()
    page.wait_for_load_state()
    assert "初步成果" in page.get_by_test_id("stage-confirm").inner_text()
    page.get_by_role("button", name="确认变更").click()
    page.wait_for_load_state()
    assert "已进入“报市级审查”阶段" in page.content()
    current = page.locator('[data-testid="stepper"] [data-state="current"]')
    assert "报市级审查" in current.inner_text()
    assert "成果已报市自然资源和规划局审查" in page.get_by_test_id("timeline").inner_text()
    page.context.clear_cookies()

    login("leader01")
    page.goto(f"{live_server.url}/landplan/")
    assert int(page.locator(f"{city_review} [data-testid=stage-count]").inner_text()) == before + 1
    assert page.locator("#chart-stages canvas").count() >= 1  # ECharts drew the chart
    page.locator(city_review).click()
    page.wait_for_load_state()
    assert "石门片区" in page.get_by_test_id("area-table").inner_text()
    assert page.get_by_role("button", name="变更阶段").count() == 0

"""In headless Chromium: staff report with evidence, a supervisor accepts, a leader sees it done."""

import datetime

import pytest

from county.models import Unit
from county.status import LIGHT_TONES, Light, today
from reforms.models import ReformItem, SubTask

pytestmark = pytest.mark.browser


@pytest.fixture
def agri_item(demo):
    item = ReformItem.objects.create(
        year=2099, number=901, title="浏览器测试改革", lead_unit=Unit.objects.get(name="县财政局")
    )
    task = SubTask.objects.create(
        item=item, order=1, name="制定高标准农田建设方案", deadline=today() + datetime.timedelta(20)
    )
    task.units.set([Unit.objects.get(name="县农业农村局")])
    return item


def test_progress_with_evidence_then_accepted_then_green_for_the_leader(
    login, live_server, agri_item, tmp_path
):
    evidence = tmp_path / "实施方案.pdf"
    # a PDF with objects and a trailer: county.evidence checks the structure, not the name
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    item_url = f"{live_server.url}/reforms/items/{agri_item.pk}/"

    page = login("d21")
    page.goto(item_url)
    page.get_by_role("link", name="填报进展").click()
    page.get_by_label("进展情况").fill("方案已起草，正在征求意见。")
    page.get_by_label("完成进度（%）").fill("80")
    page.get_by_label("佐证材料").set_input_files(str(evidence))
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert "进展已报送" in page.content()
    assert page.get_by_role("link", name="实施方案.pdf").is_visible()
    page.get_by_role("link", name="申请完成").click()
    page.get_by_label("完成情况说明").fill("方案已印发")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("pending-completion").is_visible()

    page.context.clear_cookies()
    page = login("sup_d03")
    page.goto(item_url)
    page.get_by_role("button", name="同意验收").click()
    page.wait_for_load_state()
    assert "已同意" in page.content()

    page.context.clear_cookies()
    page = login("leader01")
    page.goto(item_url)
    card = page.get_by_test_id("task-card")
    assert card.locator("[data-light]").first.get_attribute("data-light") == "done"
    page.goto(f"{live_server.url}/reforms/items/?q=浏览器测试")
    light = page.get_by_test_id("item-table").locator("[data-light]").first
    assert light.get_attribute("data-light") == "done"
    assert f"text-bg-{LIGHT_TONES[Light.DONE]}" in light.get_attribute("class")

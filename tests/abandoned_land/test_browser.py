"""In headless Chromium on a phone-sized window: a township records what to plant and who farms
a remediated parcel, and the overview's at-risk count goes down."""

import pytest

from abandoned_land.models import Parcel

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_township_records_crop_and_operator_at_risk_count_goes_down(login, page, live_server):
    parcel = Parcel.objects.at_risk().filter(township__name="城关镇").order_by("code").first()
    page.set_viewport_size(PHONE)
    login("t02")

    page.goto(f"{live_server.url}/abandoned_land/")
    before = int(page.get_by_test_id("at-risk-count").inner_text())
    assert before == Parcel.objects.at_risk().filter(township__name="城关镇").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_test_id("figure-at-risk").click()
    page.wait_for_load_state()
    page.locator(f'[data-testid="parcel-cards"] [data-code="{parcel.code}"]').click()
    page.wait_for_load_state()
    assert page.get_by_test_id("at-risk-alert").is_visible()
    page.get_by_test_id("update-link").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("种植作物").fill("油菜")
    page.get_by_label("种植季节").select_option(label="小春")
    page.get_by_label("经营主体", exact=True).fill("南乐村油菜种植合作社")
    page.get_by_label("经营主体类型").select_option(label="合作社")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已更新" in page.content()
    assert page.get_by_test_id("crop").inner_text().startswith("油菜")
    assert page.get_by_test_id("at-risk-alert").count() == 0

    page.goto(f"{live_server.url}/abandoned_land/")
    assert int(page.get_by_test_id("at-risk-count").inner_text()) == before - 1

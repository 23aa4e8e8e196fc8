"""In headless Chromium on a phone-sized window: a township rectifies, a supervisor accepts."""

import datetime

import pytest

from tests.environment.conftest import jpeg_bytes

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_township_uploads_after_photo_supervisor_accepts_rate_goes_up(
    login, page, live_server, make_problem
):
    today = datetime.date.today()
    problem = make_problem(
        "城关镇",
        found_on=today,
        deadline=today + datetime.timedelta(days=7),
        description="南乐村路边建筑垃圾乱堆乱放",
    )
    notice_url = f"{live_server.url}/environment/notice/?start={today}&end={today}"
    page.set_viewport_size(PHONE)

    login("t02")
    page.goto(f"{live_server.url}{problem.get_absolute_url()}")
    assert page.get_by_test_id("problem-description").inner_text() == "南乐村路边建筑垃圾乱堆乱放"
    photo_input = page.locator('input[type=file][name="photos"]')
    assert photo_input.get_attribute("capture") == "environment"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("整改情况说明").fill("已清运建筑垃圾，现场已平整")
    photo_input.set_input_files(
        {"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
    )
    page.get_by_role("button", name="提交验收").click()
    page.wait_for_load_state()
    assert "等待督查单位验收" in page.content()
    assert page.locator('[data-status="pending"]').first.is_visible()
    assert page.locator('img[data-photo-kind="after"]').count() == 1

    page.context.clear_cookies()
    login("sup_d18")
    page.goto(notice_url)
    row = page.locator('tr[data-township="城关镇"] [data-testid="rate"]')
    assert row.inner_text() == "0.0%"
    page.goto(f"{live_server.url}{problem.get_absolute_url()}")
    page.get_by_role("button", name="验收通过，销号").click()
    page.wait_for_load_state()
    assert "问题已销号" in page.content()
    page.goto(notice_url)
    assert row.inner_text() == "100.0%"

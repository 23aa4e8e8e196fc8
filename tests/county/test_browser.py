"""In a real headless Chromium: a department clerk logs in and sees his unit."""

import pytest

pytestmark = pytest.mark.browser


def test_agriculture_clerk_logs_in_and_sees_his_unit(login):
    page = login("d21")
    assert page.url.endswith("/todo/")
    assert page.get_by_test_id("unit-name").inner_text() == "县农业农村局"
    assert "我的待办" in page.title()

"""Helpers of the browser tests (Playwright on Debian's Chromium)."""


def sign_in(page, live_server, username, password=None):
    """Sign ``page`` in as a demo account (the demo password unless given); returns the page."""
    from county.management.commands.load_demo import DEMO_PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page

"""The field app in headless Chromium on a phone: offline capture, reopening offline, sync once.

A context with geolocation granted at a set position (390×844): the environment supervisor
records two problems with photos offline, sees 待上传 2, closes the page and opens it again
offline (the service worker serves it), goes online and both problems arrive exactly once with
their photos and points; sending one of them again creates nothing. Township staff (t02) may
not record problems (``Problem.permissions``: create is for supervisors), so t02 is the one
whose 整改, recorded offline and synced after the problem was closed, shows the conflict.
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from environment.choices import ProblemStatus
from environment.models import Photo, Problem
from tests.browser import sign_in
from tests.environment.conftest import jpeg_bytes

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WHERE = {"longitude": 104.065735, "latitude": 30.659462, "accuracy": 18}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def phone(browser, live_server, demo):
    """phone(username) → a page signed in, in a phone-sized context with geolocation set."""

    contexts, refused = [], []

    def watch(page):
        page.on(
            "console",
            lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        page.on("pageerror", lambda exc: refused.append(str(exc)))
        page.on(
            "request",
            lambda req: (
                None
                if urlsplit(req.url).hostname in ("127.0.0.1", "localhost")
                or req.url.startswith("data:")
                else refused.append(f"left the machine: {req.url}")
            ),
        )

    def open_as(username):
        context = browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            geolocation=WHERE,
            permissions=["geolocation"],
        )
        contexts.append(context)
        context.on("page", watch)
        return sign_in(context.new_page(), live_server, username)

    yield open_as
    for context in contexts:
        context.close()
    assert not refused, refused  # no script error, no CSP refusal, no request off the machine


def found_today(make_problem, description):
    """An open problem of 城关镇 (t02's township), found today, due in a week."""
    today = datetime.date.today()
    return make_problem(
        "城关镇",
        found_on=today,
        deadline=today + datetime.timedelta(days=7),
        description=description,
    )


def open_field_app(page, url):
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")
    # controlled by the service worker, its files and the reference data kept
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    return page


def photo_files(*names):
    return [
        {"name": n, "mimeType": "image/jpeg", "buffer": jpeg_bytes((3200, 2400))} for n in names
    ]


def record_problem(page, description, photos):
    form = page.locator("[data-form=problem]")
    form.get_by_label("问题类别").select_option(label="乱堆乱放")
    form.get_by_label("乡镇（街道）").select_option(label="城关镇")
    form.get_by_label("村（社区）").select_option(index=1)
    form.get_by_label("问题描述").fill(description)
    form.locator("#p-departments").select_option(label="县住房和城乡建设局")
    form.locator("#p-photos").set_input_files(photo_files(*photos))
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-thumbs=p-photos] img').length === {len(photos)}"
    )
    page.wait_for_selector("[data-location][data-located='1']")
    form.get_by_role("button", name="保存问题").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-thumbs=p-photos] img').length === 0"
    )


def test_supervisor_records_two_problems_offline_they_arrive_once(phone, live_server):
    page = phone("sup_d18")
    context = page.context
    app_url = f"{live_server.url}/field/"
    open_field_app(page, app_url)
    before = Problem.objects.count()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # the deadline the category's rule suggests: found + 7 days
    found = page.locator("#p-found").input_value()
    expected = datetime.date.fromisoformat(found) + datetime.timedelta(days=7)
    assert page.locator("#p-deadline").input_value() == expected.isoformat()

    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    record_problem(page, "南街口建筑垃圾乱堆乱放（现场采集一）", ["a.jpg", "b.jpg"])
    record_problem(page, "农贸市场旁杂物乱堆乱放（现场采集二）", ["c.jpg"])
    page.wait_for_function(
        "() => document.querySelector('[data-pending-count]').textContent === '2'"
    )
    assert page.get_by_test_id("net-state").inner_text() == "离线"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".field-header").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "field_problem_390.png")
    page.locator("[data-tab=queue]").click()
    assert page.locator("[data-queue-list] [data-state=pending]").count() == 2
    page.screenshot(path=SHOTS / "field_queue_offline_390.png", full_page=True)
    assert Problem.objects.count() == before  # nothing has left the phone

    # closed and opened again with no network: the service worker serves the app
    page.close()
    page = context.new_page()
    response = page.goto(app_url)
    assert response.from_service_worker
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_function(
        "() => document.querySelector('[data-pending-count]').textContent === '2'"
    )
    assert page.locator("#p-category option").count() > 5  # reference data kept offline

    context.set_offline(False)
    page.wait_for_function(
        "() => document.querySelector('[data-pending-count]').textContent === '0'", timeout=20000
    )
    page.locator("[data-tab=queue]").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-queue-list] [data-state=done]').length === 2"
    )
    page.screenshot(path=SHOTS / "field_queue_synced_390.png", full_page=True)

    arrived = Problem.objects.filter(description__contains="现场采集").order_by("description")
    assert Problem.objects.count() == before + 2
    assert [p.description for p in arrived] == [
        "农贸市场旁杂物乱堆乱放（现场采集二）",
        "南街口建筑垃圾乱堆乱放（现场采集一）",
    ]
    for problem, photos in zip(arrived, (1, 2), strict=True):
        assert problem.client_id is not None
        assert Photo.objects.filter(problem=problem).count() == photos
        assert float(problem.longitude) == pytest.approx(WHERE["longitude"], abs=1e-6)
        assert float(problem.latitude) == pytest.approx(WHERE["latitude"], abs=1e-6)
        assert problem.location_accuracy == WHERE["accuracy"]
        assert [d.name for d in problem.departments.all()] == ["县住房和城乡建设局"]
        photo = Photo.objects.filter(problem=problem).first()
        assert max(photo.width, photo.height) == 1600  # resized on the phone
        assert photo.uploaded_by.username == "sup_d18"

    # the same record sent again (a retry after a lost answer) creates nothing
    again = page.evaluate(
        """async (clientId) => {
            const store = await FieldStore.open();
            const record = (await store.all()).find((r) => r.id === clientId);
            record.photos = [];
            const send = FieldQueue.httpSender(
                {fetch: fetch.bind(window), sessionUrl: "/field/session/", FormData});
            return send(record);
        }""",
        str(arrived[0].client_id),
    )
    assert again["status"] == 200 and again["body"]["created"] is False
    assert again["body"]["id"] == arrived[0].pk
    assert Problem.objects.count() == before + 2
    assert Photo.objects.filter(problem=arrived[0]).count() == 1


def test_rectification_synced_after_the_problem_was_closed_shows_the_conflict(
    phone, live_server, make_problem
):
    problem = found_today(make_problem, "东街小广告乱贴（整改冲突测试）")
    page = phone("t02")
    open_field_app(page, f"{live_server.url}/field/")
    assert page.locator("[data-tab=problem]").is_hidden()  # township staff do not record problems
    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    page.locator(f"[data-rectify-list] [data-problem='{problem.pk}']").click()
    form = page.locator("[data-form=rectify]")
    form.get_by_label("整改情况说明").fill("已清除小广告并粉刷墙面")
    form.locator("#r-photos").set_input_files(photo_files("after.jpg"))
    page.wait_for_function(
        "() => document.querySelectorAll('[data-thumbs=r-photos] img').length === 1"
    )
    form.get_by_role("button", name="保存整改").click()
    page.wait_for_function(
        "() => document.querySelector('[data-pending-count]').textContent === '1'"
    )

    item = page.locator(f"[data-rectify-list] [data-problem='{problem.pk}']")
    assert item.is_disabled() and "整改已保存在本机（待上传）" in item.inner_text()

    # meanwhile the problem was closed (accepted on another rectification)
    closed = {"status": ProblemStatus.CLOSED, "closed_on": problem.found_on}
    Problem.objects.filter(pk=problem.pk).update(**closed)

    page.context.set_offline(False)
    page.locator("[data-tab=queue]").click()
    conflict = page.locator("[data-queue-list] [data-state=conflict]")
    conflict.wait_for(timeout=20000)
    assert "冲突" in conflict.inner_text()
    assert (
        "只有“已交办”或“整改中”的问题可以提交整改"
        in conflict.get_by_test_id("queue-message").inner_text()
    )
    page.wait_for_function(
        "() => { const c = document.querySelector('[data-pending-count]');"
        " return c.textContent === '0' && c.dataset.conflicts === '1'; }"
    )
    page.screenshot(path=SHOTS / "field_conflict_390.png", full_page=True)
    assert not problem.rectifications.exists()


def test_a_record_waits_for_its_owner_while_someone_else_is_signed_in(phone, live_server):
    """sup_d18 records a problem offline; the phone then changes hands (his session gone, a
    colleague who may also record problems signs in): the record is not sent under the
    colleague's name but waits, saying whose it is, until sup_d18 signs in again."""
    from county.management.commands.load_demo import DEMO_PASSWORD
    from county.models import User

    owner = User.objects.get(username="sup_d18")
    User.objects.create_user(
        "sup_d18b", password=DEMO_PASSWORD, role=owner.role, unit=owner.unit, first_name="同事"
    )
    page = phone("sup_d18")
    context = page.context
    app_url = f"{live_server.url}/field/"
    open_field_app(page, app_url)
    before = Problem.objects.count()
    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    record_problem(page, "西街垃圾乱堆乱放（换人测试）", ["a.jpg"])
    page.wait_for_function(
        "() => document.querySelector('[data-pending-count]').textContent === '1'"
    )
    page.close()
    context.clear_cookies()  # sup_d18's session is gone
    context.set_offline(False)

    colleague = sign_in(context.new_page(), live_server, "sup_d18b")
    open_field_app(colleague, app_url)
    colleague.locator("[data-tab=queue]").click()
    message = colleague.locator("[data-queue-list] [data-state=pending]").get_by_test_id(
        "queue-message"
    )
    message.wait_for(timeout=20000)
    assert "由账号 sup_d18 录入" in message.inner_text()
    assert Problem.objects.count() == before  # not sent under the colleague's name
    colleague.screenshot(path=SHOTS / "field_queue_other_user_390.png", full_page=True)
    colleague.close()

    context.clear_cookies()
    page = sign_in(context.new_page(), live_server, "sup_d18")
    open_field_app(page, app_url)
    page.wait_for_function(
        "() => document.querySelector('[data-pending-count]').textContent === '0'", timeout=20000
    )
    problem = Problem.objects.get(description="西街垃圾乱堆乱放（换人测试）")
    assert Problem.objects.count() == before + 1
    assert Photo.objects.get(problem=problem).uploaded_by.username == "sup_d18"


def kept_by_the_field_app(page):
    """The paths in the field app's caches (the service worker's)."""
    return page.evaluate(
        """async () => {
            const paths = [];
            for (const key of await caches.keys()) {
                if (!key.startsWith("county-field-")) { continue; }
                const cache = await caches.open(key);
                for (const request of await cache.keys()) {
                    paths.push(new URL(request.url).pathname);
                }
            }
            return paths;
        }"""
    )


def test_signing_out_drops_what_the_field_app_kept_of_the_user(phone, live_server, make_problem):
    """t02's page and data (the problems to rectify) are kept for offline use; once t02 signs
    out, only the static files remain and the app no longer opens offline with t02's data."""
    from playwright.sync_api import Error

    problem = found_today(make_problem, "北街占道经营（退出测试）")
    page = phone("t02")
    open_field_app(page, f"{live_server.url}/field/")
    assert page.locator(f"[data-rectify-list] [data-problem='{problem.pk}']").count() == 1
    page.wait_for_function(
        "async () => (await caches.keys()).some((k) => k.startsWith('county-field-'))"
    )
    assert any(not path.startswith("/static/") for path in kept_by_the_field_app(page))

    page.goto(f"{live_server.url}/")
    page.evaluate("document.querySelector('form[action$=\"/logout/\"]').submit()")
    page.wait_for_selector("body[data-field-cleared='1']")
    kept = kept_by_the_field_app(page)
    assert kept and all(path.startswith("/static/") for path in kept), kept

    page.context.set_offline(True)
    with pytest.raises(Error):
        page.goto(f"{live_server.url}/field/")

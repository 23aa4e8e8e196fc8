"""The production path as real processes: gunicorn, two Celery workers and one beat, DEBUG off.

One test drives Chromium over HTTP against gunicorn (static files from whitenoise's
compressed manifest storage, a proxy header as nginx sets it): log in, open a page with a
chart, upload an evidence file and download it through the permission check; then lets beat
start the reminder run repeatedly while both workers take the runs, and checks that each
person got exactly one digest and one e-mail.
"""

import email
import io
import json
import os
import time
from collections import Counter

import pytest
import redis
from PIL import Image

from .production import ProductionSite

pytestmark = pytest.mark.browser

PASSWORD = "Prod-Test-Passw0rd"
# Its own Redis database: the suite's Celery tests use CELERY_BROKER_URL's.
BROKER_URL = os.environ.get("PRODUCTION_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")
CACHE_URL = os.environ.get("PRODUCTION_TEST_CACHE_URL", "redis://127.0.0.1:6379/13")
BASE_DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://county:county@127.0.0.1:5432/county")

SETUP = """
import json
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from county.choices import Role
from county.models import Unit, User
from reforms.models import SubTask

password = {password!r}
for unit in Unit.objects.all():
    user = User(username=unit.code.lower(), role=Role.STAFF, unit=unit,
                last_name=unit.short_name + "经办人", email=unit.code.lower() + "@example.gov.cn")
    user.set_password(password)
    user.save()
for name in ["县委改革办", "县住房和城乡建设局"]:
    unit = Unit.objects.get(name=name)
    username = "sup_" + unit.code.lower()
    user = User(username=username, role=Role.SUPERVISOR, unit=unit,
                last_name=unit.short_name + "督查员", email=username + "@example.gov.cn")
    user.set_password(password)
    user.save()
task = SubTask.objects.filter(units__name="县农业农村局").order_by("pk").first()
task.status = "not_started"  # the progress report below moves it on: 推进中
task.save()
from django.urls import reverse
unit = Unit.objects.get(name="县农业农村局").pk
# Beat runs the daily reminder task every two seconds here instead of at 08:30.
every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
PeriodicTask.objects.filter(name="每日督办提醒").update(crontab=None, interval=every)
other = Unit.objects.get(name="县生态环境局").code.lower()
print(json.dumps({{"task": task.pk, "staff": "d21" if task else None, "other": other,
                  "task_url": reverse("reforms:subtask", args=[task.pk]), "unit": unit}}))
"""

COUNTS = """
import json
from collections import Counter
from county.reminders.models import Digest, Notification
digests = Counter(Digest.objects.values_list("user__username", "day"))
notes = Counter(
    Notification.objects.filter(digest__isnull=False).values_list("user__username", flat=True)
)
print(json.dumps({
    "digests": {f"{u}|{d}": n for (u, d), n in digests.items()},
    "digest_notifications": dict(notes),
    "pending": Digest.objects.filter(status="pending").count(),
    "email_pending": Digest.objects.filter(email_status="pending").count(),
}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = ProductionSite(
        tmp_path_factory.mktemp("production"), BASE_DATABASE_URL, BROKER_URL, CACHE_URL
    )
    site.create_database()
    try:
        site.manage("migrate", "--noinput")
        site.manage("collectstatic", "--noinput")
        site.manage("load_demo", "--no-accounts")
        site.facts = site.python(SETUP.format(password=PASSWORD))
        site.start_web()
        yield site
    finally:
        site.stop()
        site.drop_database()


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def sign_in(context, site, username):
    page = context.new_page()
    page.goto(f"{site.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, page.content()[:2000]
    return page


def test_health_endpoint_reports_database_redis_and_migrations(site):
    health = site.wait_healthy()
    assert health == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "migrations": "ok"},
    }


def test_plain_http_without_the_proxy_header_is_redirected_to_https(site):
    site.wait_healthy()
    status, headers, _ = site.get("/login/")
    assert status == 301
    assert headers["Location"].startswith("https://")


def test_gunicorn_serves_pages_static_files_and_evidence_as_in_production(site, browser, tmp_path):
    site.wait_healthy()
    context = browser.new_context(
        extra_http_headers={"X-Forwarded-Proto": "https"},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    try:
        static = []
        context.on(
            "response",
            lambda r: (
                static.append((r.url, r.status, r.all_headers())) if "/static/" in r.url else None
            ),
        )
        page = sign_in(context, site, "d21")

        # A page with a chart: the vendored ECharts comes hashed, compressed, cached for ever.
        page.goto(f"{site.url}/reforms/")
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("canvas")
        scripts = [s for s in static if "echarts" in s[0]]
        assert scripts, static
        url, status, headers = scripts[0]
        assert status == 200
        assert "echarts.min." in url and url.endswith(".js") and "echarts.min.js" not in url
        assert headers.get("content-encoding") in {"gzip", "br"}, headers
        assert "max-age=315360000" in headers.get("cache-control", ""), headers
        assert all(s[1] == 200 for s in static), [s[:2] for s in static if s[1] != 200]
        assert "text/css" in next(s for s in static if s[0].endswith(".css"))[2]["content-type"]

        # The unit's sub-tasks: the rendered rows are cached in Redis (CACHE_URL) ...
        tasks = f"{site.url}/reforms/tasks/?unit={site.facts['unit']}"
        row = page.locator(f"tr:has(a[href='{site.facts['task_url']}'])")
        page.goto(tasks)
        assert "未启动" in row.inner_text()
        page.goto(tasks)
        assert "未启动" in row.inner_text()
        assert redis.Redis.from_url(CACHE_URL).keys("*figures:rows*")

        # Upload an evidence file through the progress form.
        evidence = tmp_path / "现场照片.png"
        evidence.write_bytes(png_bytes())
        page.goto(f"{site.url}/reforms/tasks/{site.facts['task']}/report/")
        page.get_by_label("进展情况").fill("生产环境测试：方案已起草。")
        page.get_by_label("完成进度（%）").fill("50")
        page.get_by_label("佐证材料").set_input_files(str(evidence))
        page.get_by_role("button", name="提交").click()
        page.wait_for_load_state()
        assert "进展已报送" in page.content()
        link = page.get_by_role("link", name="现场照片.png").first
        href = link.get_attribute("href")
        with page.expect_download() as download_info:
            link.click()
        download = download_info.value
        assert download.suggested_filename == "现场照片.png"
        # Images are re-encoded when checked: the same picture comes back, as a PNG.
        downloaded = open(download.path(), "rb").read()
        with Image.open(io.BytesIO(downloaded)) as picture:
            assert picture.format == "PNG" and picture.size == (64, 48)
        stored = [p for p in site.media_root.rglob("*") if p.is_file()]
        assert any(p.read_bytes() == downloaded for p in stored), stored
        assert not any(p.name == "现场照片.png" for p in stored)  # stored under a generated name
        # ... and the report shows in them at once, whichever gunicorn worker draws them.
        for _ in range(3):
            page.goto(tasks)
            assert "推进中" in row.inner_text()

        # Another unit's staff is refused the same file by the permission check.
        context.clear_cookies()
        other = sign_in(context, site, site.facts["other"])
        response = other.request.get(f"{site.url}{href}", max_redirects=0)
        assert response.status in {403, 404}
        assert response.body() != downloaded
        page.screenshot(path=str(tmp_path / "production.png"))
    finally:
        context.close()
    site.assert_running()
    assert "Traceback" not in site.log("web"), site.log("web")[-3000:]
    # Structured logs: one JSON line per request, with the request id and the user.
    lines = [json.loads(line) for line in site.log("web").splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "county.request"]
    assert any(line["user"] == "d21" and line["path"] == "/reforms/" for line in access), lines[-5:]
    assert all(len(line["request_id"]) >= 8 for line in access)


def test_two_workers_and_one_beat_send_each_person_exactly_one_digest(site):
    site.wait_healthy()
    site.start_worker("worker1")
    site.start_worker("worker2")
    site.wait_for_log("worker1", "ready.")
    site.wait_for_log("worker2", "ready.")
    site.start_beat()
    site.wait_for_log("beat", "beat: Starting")

    # Beat sends the run every two seconds; wait for several runs, taken by both workers. Redis
    # hands each run to whichever worker asks first, and once (1 try in about 7) worker1 got none
    # of 61: after 30 runs, runs taken by one worker's two processes at once are accepted too
    # (each worker runs --concurrency 2, so runs still overlap); both workers must be running.
    deadline = time.monotonic() + 150
    while True:
        counts = site.python(COUNTS)
        sent = site.log("beat").count("Sending due task 每日督办提醒")
        done = [site.log(w).count("succeeded in") for w in ("worker1", "worker2")]
        settled = counts["digests"] and counts["pending"] == counts["email_pending"] == 0
        shared = min(done) >= 1 or sent >= 30
        if sent >= 6 and shared and sum(done) >= 6 and settled:
            break
        assert time.monotonic() < deadline, (
            sent,
            done,
            counts,
            site.log("beat")[-1500:],
            site.log("worker1")[-3000:],  # seen once: worker1 took none of 61 runs
            site.log("worker2")[-1500:],
        )
        time.sleep(1)
    site.assert_running()

    assert counts["digests"], "the demo county has due work: someone must get a digest"
    assert set(counts["digests"].values()) == {1}, counts["digests"]
    people = {key.split("|")[0] for key in counts["digests"]}
    assert counts["digest_notifications"] == dict.fromkeys(people, 1)

    # Each person got exactly one e-mail (the file backend writes one file per connection).
    recipients = Counter()
    for path in site.mail_dir.iterdir():
        for raw in path.read_text().split("-" * 79):
            if raw.strip():
                message = email.message_from_string(raw.strip())
                recipients[message["To"]] += 1
    assert recipients, "no e-mail was written"
    assert set(recipients.values()) == {1}, recipients
    assert len(recipients) == len(people)
    assert "Traceback" not in site.log("worker1") + site.log("worker2"), json.dumps(counts)

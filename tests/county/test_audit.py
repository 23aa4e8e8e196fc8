"""The operations audit log: what is recorded, and the /audit/ page only admins may read."""

import datetime
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from county.management.commands.load_demo import DEMO_PASSWORD
from county.models import AuditEvent
from tests.county.ledger_files import xlsx
from tests.county.test_ledger_engine import GOOD
from tests.testapp.models import Dossier

Action = AuditEvent.Action
pytestmark = pytest.mark.django_db


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_login_through_the_page_is_recorded_with_address_and_request_id(client, demo):
    response = client.post(
        reverse("login"),
        {"username": "d21", "password": DEMO_PASSWORD},
        REMOTE_ADDR="10.0.0.1",  # nginx
        # The client wrote the left entry itself; nginx appended the address it saw.
        HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7",
    )
    assert response.status_code == 302
    (event,) = events(Action.LOGIN)
    assert event.username == "d21" and event.user.username == "d21"
    assert event.ip == "203.0.113.7"  # the client nginx saw: neither the proxy nor a forgery
    assert event.request_id == response["X-Request-ID"]


def test_failed_login_records_the_name_that_was_tried(client, demo):
    response = client.post(reverse("login"), {"username": "d21", "password": "wrong"})
    assert response.status_code == 200  # the form again, with its error
    client.post(reverse("login"), {"username": "nobody-here", "password": "x"})
    tried = [(e.username, e.user) for e in events(Action.LOGIN_FAILED)]
    assert tried == [("d21", None), ("nobody-here", None)]
    assert not events(Action.LOGIN)


def test_logout_is_recorded(client, user_named):
    client.force_login(user_named("t02"))
    client.post(reverse("logout"))
    (event,) = events(Action.LOGOUT)
    assert event.username == "t02"


def test_confirmed_import_is_recorded_but_not_its_preview(client, user_named):
    client.force_login(user_named("admin"))
    upload = SimpleUploadedFile("事项台账.xlsx", xlsx(GOOD))
    preview = client.post(reverse("ledger:import", args=["testing"]), {"file": upload})
    assert preview.status_code == 200 and preview.context["token"]
    assert not events(Action.IMPORT)
    client.post(reverse("ledger:confirm", args=["testing"]), {"token": preview.context["token"]})
    assert Dossier.objects.count() == 2
    (event,) = events(Action.IMPORT)
    assert event.username == "admin" and event.target == "测试事项台账"
    assert "事项台账.xlsx" in event.detail and "新增 2" in event.detail


def test_export_is_recorded_with_its_filter_and_count(client, user_named):
    client.force_login(user_named("leader01"))
    response = client.get(reverse("ledger:export", args=["reforms"]), {"q": "改革"})
    assert response.status_code == 200
    (event,) = events(Action.EXPORT)
    assert event.username == "leader01" and event.target == "全面深化改革工作台账"
    assert "条" in event.detail and "q=改革" in event.detail


def test_commands_record_imports_and_exports_as_the_command_line(demo, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD))
    call_command("import_ledger", "testing", str(good), "--dry-run", "--json")
    assert not events(Action.IMPORT)  # a dry run writes nothing, so nothing to audit
    call_command("import_ledger", "testing", str(good), "--json")
    call_command("export_ledger", "testing", str(tmp_path / "out.xlsx"))
    (imported,) = events(Action.IMPORT)
    (exported,) = events(Action.EXPORT)
    assert imported.username == exported.username == "命令行"
    assert str(good) in imported.detail
    assert "out.xlsx（2 条" in exported.detail


@pytest.mark.parametrize("username", ["d21", "t02", "sup_d03", "leader01"])
def test_audit_page_is_refused_to_everyone_but_admins(client, user_named, username):
    client.force_login(user_named(username))
    response = client.get(reverse("county:audit"))
    assert response.status_code == 403
    assert "只有系统管理员可以查看操作日志" in response.content.decode()
    assert reverse("county:audit") not in client.get(reverse("county:todo")).content.decode()


def test_audit_page_asks_anonymous_visitors_to_log_in(client, demo):
    response = client.get(reverse("county:audit"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _event(action, username, when, target=""):
    event = AuditEvent.objects.create(action=action, username=username, target=target)
    AuditEvent.objects.filter(pk=event.pk).update(time=when)
    return event


def test_audit_page_lists_newest_first_with_chinese_dates(client, user_named):
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    _event(Action.EXPORT, "leader01", datetime.datetime(2025, 11, 30, 9, 5, tzinfo=shanghai))
    _event(Action.IMPORT, "sup_d03", datetime.datetime(2025, 12, 1, 10, 30, tzinfo=shanghai))
    admin = user_named("admin")
    client.force_login(admin)  # itself recorded: a login now, the newest
    page = client.get(reverse("county:audit"))
    assert page.status_code == 200
    rows = list(page.context["object_list"])
    assert [e.username for e in rows[:3]] == ["admin", "sup_d03", "leader01"]
    html = page.content.decode()
    assert "2025年12月1日 10:30" in html and "2025年11月30日 09:05" in html
    assert "导入台账" in html and "导出台账" in html
    assert reverse("county:audit") in html  # the navigation link for admins


def test_audit_page_filters_by_action_user_and_dates(client, user_named):
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    day = datetime.datetime(2026, 12, 1, 0, 30, tzinfo=shanghai)  # 16:30 UTC the day before
    early = _event(Action.IMPORT, "sup_d03", day, target="全面深化改革工作台账")
    later = _event(Action.IMPORT, "sup_d21", day + datetime.timedelta(days=2))
    _event(Action.EXPORT, "sup_d03", day)
    _event(Action.LOGIN_FAILED, "SUP_D03x", day)
    client.force_login(user_named("admin"))
    url = reverse("county:audit")

    def listed(**params):
        return {e.pk for e in client.get(url, params).context["object_list"]}

    imports = listed(action="import")
    assert imports == {early.pk, later.pk}
    by_user = listed(username="sup_d0")
    assert early.pk in by_user and later.pk not in by_user
    assert AuditEvent.objects.get(username="SUP_D03x").pk in listed(username="sup_d03")
    # Dates are the county's days: 00:30 in Shanghai is still "2026-12-01".
    assert listed(action="import", date_from="2026-12-01", date_to="2026-12-01") == {early.pk}
    assert listed(action="import", date_from="2026-12-02") == {later.pk}
    assert listed(target="深化改革") == {early.pk}
    page = client.get(url, {"date_from": "不是日期"})
    assert page.status_code == 200 and "date_from" in page.context["filter"].form.errors


def test_audit_page_paginates(client, user_named):
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(action=Action.EXPORT, username=f"u{i}", time=now) for i in range(120)
    )
    client.force_login(user_named("admin"))
    first = client.get(reverse("county:audit"), {"action": "export"})
    assert len(first.context["object_list"]) == 50
    third = client.get(reverse("county:audit"), {"action": "export", "page": 3})
    assert len(third.context["object_list"]) == 20
    assert "?action=export&page=2" in first.content.decode()


def test_audit_log_is_read_only_in_the_django_admin(client, user_named):
    event = AuditEvent.objects.create(action=Action.BACKUP, username="系统", target="x.tar")
    client.force_login(user_named("admin"))
    listing = client.get(reverse("admin:county_auditevent_changelist"))
    assert listing.status_code == 200 and "x.tar" in listing.content.decode()
    assert client.get(reverse("admin:county_auditevent_add")).status_code == 403
    change = client.post(
        reverse("admin:county_auditevent_change", args=[event.pk]), {"target": "edited"}
    )
    assert change.status_code == 403
    delete = client.post(
        reverse("admin:county_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    event.refresh_from_db()
    assert event.target == "x.tar"


@pytest.mark.browser
def test_admin_reads_the_audit_log_from_the_user_menu_on_a_desktop_and_a_phone(login, user_named):
    AuditEvent.objects.create(
        action=Action.IMPORT,
        username="sup_d03",
        target="全面深化改革工作台账",
        detail="2026年度改革台账（修订稿）.xlsx：改革任务：新增 0，更新 12，未变 76",
        ip="203.0.113.7",
    )
    AuditEvent.objects.create(action=Action.LOGIN_FAILED, username="admin ' or 1=1 --")
    page = login("admin")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("nav-audit").click()
    page.wait_for_load_state()
    assert page.url.endswith("/audit/")
    table = page.get_by_test_id("audit-table")
    assert table.is_visible() and "2026年度改革台账（修订稿）.xlsx" in table.inner_text()
    assert "admin ' or 1=1 --" in table.inner_text()
    if shots := os.environ.get("AUDIT_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/audit-1366.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.url + "?action=import")
    cards = page.get_by_test_id("audit-cards")
    assert cards.is_visible() and not page.get_by_test_id("audit-table").is_visible()
    assert "全面深化改革工作台账" in cards.inner_text() and "登录失败" not in cards.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if shots:
        page.screenshot(path=f"{shots}/audit-390.png", full_page=True)

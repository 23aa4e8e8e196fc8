"""In headless Chromium, the supervision loop between people, played through twice:

a unit asks (with evidence) → the supervisor finds it in 待我审核 with its waiting time and
sends it back with a reason → the unit sees the bell, the notification, the reason on the
page and first in 我的待办 → asks again → the supervisor accepts from the inbox → the unit is
told. Once for a reform sub-task (d21 → sup_d03), once for an environment rectification
(t02 → sup_d18). Screenshots of each step go to pytest-playwright's output folder
(``test-results/<test>/``).
"""

import datetime
import io

import pytest
from django.utils import timezone

from county.models import Unit
from county.status import today

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def no_email_queue(monkeypatch):
    """The e-mail task is not queued on Redis (no worker here); the in-app path is real."""
    from county.events import send_event_emails

    monkeypatch.setattr(send_event_emails, "delay", lambda event_id: None)


@pytest.fixture
def shots(output_path):
    """shot(page, "name") saves a full-page screenshot under the test's output folder."""
    import pathlib

    folder = pathlib.Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)

    def shot(page, name):
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return shot


def sign_in_as(login, page, username):
    page.context.clear_cookies()
    return login(username)


def bell_count(page):
    badge = page.get_by_test_id("unread-count")
    return int(badge.inner_text()) if badge.count() else 0


def test_reform_completion_round_trip(login, live_server, demo, tmp_path, shots):
    from reforms.models import CompletionRequest, ReformItem, SubTask

    item = ReformItem.objects.create(
        year=2099, number=951, title="往返测试改革", lead_unit=Unit.objects.get(name="县财政局")
    )
    task = SubTask.objects.create(
        item=item, order=1, name="出台耕地保护实施细则", deadline=today() + datetime.timedelta(20)
    )
    task.units.set([Unit.objects.get(name="县农业农村局")])
    item_url = f"{live_server.url}/reforms/items/{item.pk}/"
    evidence = tmp_path / "实施细则.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # d21 applies for completion with an attachment
    page = login("d21")
    page.goto(item_url)
    page.get_by_role("link", name="申请完成").click()
    page.get_by_label("完成情况说明").fill("实施细则已印发")
    page.get_by_label("佐证材料").set_input_files(str(evidence))
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("pending-completion").is_visible()
    request = CompletionRequest.objects.get(subtask=task)
    assert request.attachments.get().name == "实施细则.pdf"
    # it has waited a week (six working days or more) by the time the supervisor looks
    CompletionRequest.objects.filter(pk=request.pk).update(
        requested_at=timezone.now() - datetime.timedelta(days=8)
    )
    shots(page, "1-d21-applied")

    # sup_d03 finds it in the inbox with its waiting time, and sends it back with a reason
    page = sign_in_as(login, page, "sup_d03")
    assert int(page.get_by_test_id("inbox-count").inner_text()) >= 1
    page.get_by_test_id("nav-inbox").click()
    row = page.locator(f'[data-key="reforms.completion:{request.pk}"]')
    assert "出台耕地保护实施细则" in row.inner_text() and "往返测试改革" in row.inner_text()
    assert "县农业农村局" in row.inner_text()
    waited = row.get_by_test_id("waited").inner_text()
    assert "已等待" in waited and "超时" in waited
    assert row.get_by_role("link", name="实施细则.pdf").is_visible()
    shots(page, "2-sup-inbox")
    row.get_by_role("button", name="退回").click()  # no reason: refused in place
    page.wait_for_load_state()
    row = page.locator(f'[data-key="reforms.completion:{request.pk}"]')
    assert "退回时必须填写退回原因。" in row.inner_text()
    row.locator("textarea").fill("缺少印发文件的盖章扫描件")
    row.get_by_role("button", name="退回").click()
    page.wait_for_load_state()
    assert page.url.endswith("/inbox/") and "完成申请已退回" in page.content()
    assert page.locator(f'[data-key="reforms.completion:{request.pk}"]').count() == 0

    # d21 sees the bell, the notification, the reason on the item page and in 我的待办
    page = sign_in_as(login, page, "d21")
    assert bell_count(page) >= 1
    page.get_by_test_id("nav-bell").click()
    note = page.get_by_test_id("notification").filter(has_text="被退回").first
    assert "缺少印发文件的盖章扫描件" in note.inner_text()
    shots(page, "3-d21-notification")
    page.goto(item_url)
    reason = page.get_by_test_id("sent-back-reason")
    assert "缺少印发文件的盖章扫描件" in reason.inner_text()
    shots(page, "4-d21-item-page")
    page.goto(f"{live_server.url}/todo/")
    group = page.get_by_test_id("sent-back-group")
    assert "出台耕地保护实施细则" in group.inner_text()
    assert "缺少印发文件的盖章扫描件" in group.inner_text()
    first = page.locator("section").first
    assert first.get_attribute("data-testid") == "sent-back-group"
    shots(page, "5-d21-todo")

    # d21 applies again
    page.goto(item_url)
    page.get_by_role("link", name="申请完成").click()
    page.get_by_label("完成情况说明").fill("已补充盖章扫描件")
    page.get_by_label("佐证材料").set_input_files(str(evidence))
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    again = CompletionRequest.objects.filter(subtask=task).latest("pk")
    assert again.pk != request.pk and again.status == "pending"

    # sup_d03 accepts from the inbox
    page = sign_in_as(login, page, "sup_d03")
    page.goto(f"{live_server.url}/inbox/")
    row = page.locator(f'[data-key="reforms.completion:{again.pk}"]')
    row.get_by_role("button", name="同意销号").click()
    page.wait_for_load_state()
    assert "完成申请已同意" in page.content()
    task.refresh_from_db()
    assert task.status == "done"

    # d21 is told
    page = sign_in_as(login, page, "d21")
    assert bell_count(page) >= 1
    page.get_by_test_id("nav-bell").click()
    assert page.get_by_test_id("notification").filter(has_text="已同意").count() == 1
    shots(page, "6-d21-told-accepted")
    page.goto(f"{live_server.url}/todo/")
    assert page.get_by_test_id("sent-back-group").count() == 0 or (
        "出台耕地保护实施细则" not in page.get_by_test_id("sent-back-group").inner_text()
    )


def jpeg(path, color):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(out, "JPEG", quality=85)
    path.write_bytes(out.getvalue())
    return str(path)


def test_environment_rectification_round_trip(login, live_server, demo, tmp_path, settings, shots):
    from environment.models import Problem, ProblemCategory, Rectification, ensure_seed_categories

    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_seed_categories()
    problem = Problem.objects.create(
        number=Problem.next_number(),
        found_on=today(),
        township=Unit.objects.get(name="城关镇"),
        category=ProblemCategory.objects.get(name="垃圾清运不及时"),
        place="城关农贸市场西侧",
        description="农贸市场西侧垃圾堆积未清运",
        deadline=today() + datetime.timedelta(days=5),
    )
    url = f"{live_server.url}/environment/problems/{problem.pk}/"

    # t02 submits the rectification with a photo
    page = login("t02")
    page.goto(url)
    page.get_by_label("整改情况说明").fill("已安排清运车辆清理完毕")
    page.get_by_label("整改后照片").set_input_files(jpeg(tmp_path / "after.jpg", (30, 140, 60)))
    page.get_by_role("button", name="提交验收").click()
    page.wait_for_load_state()
    first = Rectification.objects.get(problem=problem)
    shots(page, "1-t02-submitted")

    # sup_d18 sends it back from the inbox
    page = sign_in_as(login, page, "sup_d18")
    page.get_by_test_id("nav-inbox").click()
    row = page.locator(f'[data-key="environment.rectification:{first.pk}"]')
    assert "农贸市场" in row.inner_text() and "城关镇" in row.inner_text()
    assert "今天提交" in row.get_by_test_id("waited").inner_text()
    assert row.locator("img").count() == 1
    shots(page, "2-sup-inbox")
    row.locator("textarea").fill("照片未显示西侧死角，请补拍")
    row.get_by_role("button", name="退回整改").click()
    page.wait_for_load_state()
    assert "已退回整改" in page.content()

    # t02 sees the bell, the notification, the reason on the problem page and in 我的待办
    page = sign_in_as(login, page, "t02")
    assert bell_count(page) >= 1
    page.get_by_test_id("nav-bell").click()
    note = page.get_by_test_id("notification").filter(has_text="退回整改").first
    assert "照片未显示西侧死角，请补拍" in note.inner_text()
    page.goto(url)
    assert "照片未显示西侧死角" in page.get_by_test_id("sent-back-reason").inner_text()
    shots(page, "3-t02-problem-page")
    page.goto(f"{live_server.url}/todo/")
    assert "照片未显示西侧死角" in page.get_by_test_id("sent-back-group").inner_text()
    shots(page, "4-t02-todo")

    # t02 submits again
    page.goto(url)
    page.get_by_label("整改情况说明").fill("已补拍西侧死角")
    page.get_by_label("整改后照片").set_input_files(jpeg(tmp_path / "again.jpg", (40, 150, 70)))
    page.get_by_role("button", name="提交验收").click()
    page.wait_for_load_state()
    second = Rectification.objects.filter(problem=problem).latest("pk")
    assert second.pk != first.pk

    # sup_d18 accepts from the inbox
    page = sign_in_as(login, page, "sup_d18")
    page.goto(f"{live_server.url}/inbox/")
    page.locator(f'[data-key="environment.rectification:{second.pk}"]').get_by_role(
        "button", name="验收通过，销号"
    ).click()
    page.wait_for_load_state()
    assert "已销号" in page.content()
    problem.refresh_from_db()
    assert problem.status == "closed"

    # t02 is told
    page = sign_in_as(login, page, "t02")
    page.get_by_test_id("nav-bell").click()
    assert page.get_by_test_id("notification").filter(has_text="验收通过").count() == 1
    shots(page, "5-t02-told-accepted")

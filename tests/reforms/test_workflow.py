"""The reform ledger's pages and rules: progress, requests, decisions, 批示, permissions."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from county.status import today
from reforms.choices import RequestStatus, TaskStatus
from reforms.models import (
    Attachment,
    CompletionRequest,
    DeadlineChange,
    Instruction,
    ProgressReport,
    ReformItem,
    SubTask,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def item(demo, unit_named):
    """An item led by 县财政局 with one sub-task of 县农业农村局 and one of 城关镇."""
    from county.models import Leader

    item = ReformItem.objects.create(
        year=2099,
        number=1,
        title="测试改革",
        lead_unit=unit_named("县财政局"),
        lead_leader=Leader.objects.get(name="刘洋"),
    )
    agri = SubTask.objects.create(
        item=item, order=1, name="农业举措", deadline=today() + datetime.timedelta(days=30)
    )
    agri.units.set([unit_named("县农业农村局")])
    town = SubTask.objects.create(item=item, order=2, name="镇级举措", long_term=True)
    town.units.set([unit_named("城关镇")])
    return item


def agri_task(item):
    return item.subtasks.get(order=1)


def test_staff_reports_progress_with_an_attachment(client, item, user_named):
    task = agri_task(item)
    client.force_login(user_named("d21"))
    page = client.get(reverse("reforms:report", args=[task.pk]))
    assert page.status_code == 200 and "填报进展" in page.content.decode()
    response = client.post(
        reverse("reforms:report", args=[task.pk]),
        {
            "text": "已完成调研",
            "percent": 40,
            "files": [SimpleUploadedFile("方案.pdf", PDF, "application/pdf")],
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.progress, task.percent, task.status) == ("已完成调研", 40, TaskStatus.IN_PROGRESS)
    report = ProgressReport.objects.get(subtask=task)
    assert report.author.username == "d21" and report.unit.name == "县农业农村局"
    attachment = report.attachments.get()
    download = client.get(reverse("reforms:attachment", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    history = task.history.first()
    assert history.history_user.username == "d21"


def test_other_units_staff_can_neither_see_nor_report(client, item, user_named):
    task = agri_task(item)
    client.force_login(user_named("t02"))  # 城关镇: owns the other sub-task only
    assert client.get(reverse("reforms:report", args=[task.pk])).status_code == 404
    response = client.post(reverse("reforms:report", args=[task.pk]), {"text": "x", "percent": 1})
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.progress == "" and not ProgressReport.objects.filter(subtask__item=item).exists()
    client.force_login(user_named("d09"))  # 县发展和改革局: nothing to do with the item
    assert client.get(reverse("reforms:item", args=[item.pk])).status_code == 404


def test_attachment_of_another_unit_is_not_served(client, item, user_named):
    task = agri_task(item)
    client.force_login(user_named("d21"))
    client.post(
        reverse("reforms:report", args=[task.pk]),
        {"text": "x", "percent": 5, "files": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    attachment = Attachment.objects.get()
    client.force_login(user_named("t02"))
    assert client.get(reverse("reforms:attachment", args=[attachment.pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("照片.jpg", b"MZ\x90\x00 an exe renamed", "不是支持的文件类型"),
        ("空.pdf", b"", "是空文件"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(
    client, item, user_named, name, content, message
):
    task = agri_task(item)
    client.force_login(user_named("d21"))
    response = client.post(
        reverse("reforms:report", args=[task.pk]),
        {"text": "x", "percent": 5, "files": [SimpleUploadedFile(name, content)]},
    )
    # the form page again, with the error beside the field (county.base_views.ActionStepView)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ProgressReport.objects.filter(subtask__item=item).exists()


def test_oversized_attachment_is_refused(client, item, user_named, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(user_named("d21"))
    response = client.post(
        reverse("reforms:report", args=[agri_task(item).pk]),
        {"text": "x", "percent": 5, "files": [SimpleUploadedFile("a.pdf", PDF + b"0" * 2000)]},
    )
    assert "每个文件不能超过" in response.content.decode()
    assert not ProgressReport.objects.filter(subtask__item=item).exists()


def test_staff_cannot_change_titles_deadlines_or_units(client, item, user_named):
    task = agri_task(item)
    client.force_login(user_named("d21"))
    assert client.get(reverse("reforms:subtask_edit", args=[task.pk])).status_code == 403
    response = client.post(
        reverse("reforms:subtask_edit", args=[task.pk]),
        {"name": "改名", "units": [], "deadline": "2030-01-01", "status": "done"},
    )
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.name == "农业举措" and task.status == TaskStatus.NOT_STARTED
    assert client.get(reverse("reforms:item_edit", args=[item.pk])).status_code == 403


def test_deadline_change_is_asked_then_decided_by_a_supervisor(client, item, user_named):
    task = agri_task(item)
    new = today() + datetime.timedelta(days=90)
    client.force_login(user_named("d21"))
    client.post(
        reverse("reforms:request_deadline", args=[task.pk]),
        {"new_deadline": new.isoformat(), "reason": "省级方案推迟印发"},
    )
    change = DeadlineChange.objects.get()
    assert change.status == RequestStatus.PENDING
    # the asker cannot decide, staff cannot decide
    response = client.post(reverse("reforms:decide_deadline", args=[change.pk]), {"approve": "1"})
    change.refresh_from_db()
    assert change.status == RequestStatus.PENDING
    client.force_login(user_named("sup_d03"))
    response = client.post(
        reverse("reforms:decide_deadline", args=[change.pk]), {"approve": "0", "note": ""}
    )
    change.refresh_from_db()
    assert change.status == RequestStatus.PENDING  # rejecting needs a reason
    # the item page again, with the error beside the request (ActionStepView)
    assert response.status_code == 400 and "退回时必须填写退回理由。" in response.content.decode()
    response = client.post(reverse("reforms:decide_deadline", args=[change.pk]), {"approve": "1"})
    change.refresh_from_db()
    task.refresh_from_db()
    assert change.status == RequestStatus.APPROVED and task.deadline == new
    assert response.status_code == 302


def test_completion_is_accepted_or_sent_back_never_by_the_asker(client, item, user_named):
    task = agri_task(item)
    client.force_login(user_named("d21"))
    client.post(reverse("reforms:request_completion", args=[task.pk]), {"reason": "已印发文件"})
    first = CompletionRequest.objects.get()
    client.force_login(user_named("sup_d03"))
    client.post(
        reverse("reforms:decide_completion", args=[first.pk]),
        {"approve": "0", "note": "缺少佐证材料"},
    )
    first.refresh_from_db()
    task.refresh_from_db()
    assert first.status == RequestStatus.REJECTED and first.decision_note == "缺少佐证材料"
    assert task.status != TaskStatus.DONE
    # a supervisor who asks himself cannot accept his own request
    client.post(reverse("reforms:request_completion", args=[task.pk]), {"reason": "补充了材料"})
    own = CompletionRequest.objects.get(status=RequestStatus.PENDING)
    page = client.get(reverse("reforms:item", args=[item.pk])).content.decode()
    assert "同意验收" not in page
    client.post(reverse("reforms:decide_completion", args=[own.pk]), {"approve": "1"})
    own.refresh_from_db()
    assert own.status == RequestStatus.PENDING
    client.force_login(user_named("admin"))
    client.post(reverse("reforms:decide_completion", args=[own.pk]), {"approve": "1"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.percent == 100
    assert task.completed_on == today()


def test_leaders_write_instructions_staff_cannot(client, item, user_named):
    client.force_login(user_named("leader01"))
    page = client.get(reverse("reforms:item", args=[item.pk])).content.decode()
    assert "作出批示" in page and "填报进展" not in page
    client.post(
        reverse("reforms:instruct", args=[item.pk]),
        {"text": "抓紧推进", "given_on": today().isoformat()},
    )
    assert Instruction.objects.get(item=item).leader.name == "李建国"
    client.force_login(user_named("d15"))  # 县财政局, the lead unit
    client.post(
        reverse("reforms:instruct", args=[item.pk]),
        {"text": "冒充批示", "given_on": today().isoformat()},
    )
    assert Instruction.objects.filter(item=item).count() == 1


def test_lead_unit_sees_the_whole_item(client, item, user_named):
    client.force_login(user_named("d15"))
    page = client.get(reverse("reforms:item", args=[item.pk])).content.decode()
    assert "农业举措" in page and "镇级举措" in page


def test_concurrent_edit_is_refused_not_overwritten(client, item, user_named):
    task = agri_task(item)
    client.force_login(user_named("sup_d03"))
    form = client.get(reverse("reforms:subtask_edit", args=[task.pk])).context["form"]
    version = form.initial["version"]
    task.name = "别人刚改的名字"
    task.save()
    response = client.post(
        reverse("reforms:subtask_edit", args=[task.pk]),
        {
            "version": version,
            "name": "我的名字",
            "units": [u.pk for u in task.units.all()],
            "deadline": task.deadline.isoformat(),
            "status": "in_progress",
        },
    )
    assert "已被他人修改" in response.content.decode()
    task.refresh_from_db()
    assert task.name == "别人刚改的名字"


def test_supervisor_edits_a_subtask_and_history_shows_it(client, item, user_named):
    task = agri_task(item)
    client.force_login(user_named("sup_d03"))
    version = client.get(reverse("reforms:subtask_edit", args=[task.pk])).context["form"]
    response = client.post(
        reverse("reforms:subtask_edit", args=[task.pk]),
        {
            "version": version.initial["version"],
            "name": "农业举措（调整）",
            "units": [u.pk for u in task.units.all()],
            "deadline": "2099-12-31",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("reforms:item", args=[item.pk])).content.decode()
    assert "具体举措：农业举措 → 农业举措（调整）" in page


def test_todo_lists_the_units_open_subtasks(client, item, user_named):
    client.force_login(user_named("d21"))
    page = client.get(reverse("county:todo")).content.decode()
    assert "农业举措" in page and "镇级举措" not in page


def test_overview_list_and_tasks_render_for_every_role(client, demo, user_named):
    for username in ("leader01", "sup_d03", "d21", "t02", "admin"):
        client.force_login(user_named(username))
        for name in ("reforms:overview", "reforms:list", "reforms:tasks"):
            assert client.get(reverse(name)).status_code == 200, (username, name)


def test_list_filters_and_query_count(client, demo, user_named, django_assert_max_num_queries):
    client.force_login(user_named("leader01"))
    url = reverse("reforms:list")
    with django_assert_max_num_queries(25):
        page = client.get(url)
    assert page.context["paginator"].count == ReformItem.objects.count()
    overdue = client.get(url, {"light": "overdue"}).context["paginator"].count
    done = client.get(url, {"light": "done"}).context["paginator"].count
    lights = [item.rollup()[0] for item in ReformItem.objects.all()]
    assert overdue == lights.count("overdue") and done == lights.count("done")
    agri = client.get(url, {"q": "放管服"}).context["object_list"]
    assert [i.number for i in agri] == [1]


def test_export_is_exactly_the_filtered_list(client, demo, user_named):
    import io

    import openpyxl

    client.force_login(user_named("leader01"))
    group = ReformItem.objects.filter(group__isnull=False).first().group
    response = client.get(reverse("ledger:export", args=["reforms"]), {"group": group.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=5, values_only=True) if row[1]}
    assert numbers == set(ReformItem.objects.filter(group=group).values_list("number", flat=True))


def test_import_pages_upload_preview_confirm(client, empty_ledger, user_named, sample_bytes):
    client.force_login(user_named("d21"))
    assert client.get(reverse("ledger:import", args=["reforms"])).status_code == 403
    client.force_login(user_named("sup_d03"))
    upload = SimpleUploadedFile("台账.xlsx", sample_bytes)
    preview = client.post(reverse("ledger:import", args=["reforms"]), {"file": upload})
    page = preview.content.decode()
    assert "新增 88" in page and "新增 148" in page and "确认导入" in page
    assert not ReformItem.objects.exists()
    token = preview.context["token"]
    done = client.post(reverse("ledger:confirm", args=["reforms"]), {"token": token}, follow=True)
    assert "导入完成" in done.content.decode()
    assert ReformItem.objects.count() == 88
    again = client.post(reverse("ledger:confirm", args=["reforms"]), {"token": token}, follow=True)
    assert "预览已失效" in again.content.decode()


def test_import_page_lists_errors_and_offers_no_confirm(client, empty_ledger, user_named):
    from tests.county.ledger_files import xlsx

    client.force_login(user_named("sup_d03"))
    bad = xlsx([["序号", "改革任务", "具体举措", "责任单位"], [1, "甲", "乙", "火星局"]])
    page = client.post(
        reverse("ledger:import", args=["reforms"]), {"file": SimpleUploadedFile("x.xlsx", bad)}
    ).content.decode()
    assert "第2行「责任单位」：未知单位“火星局”" in page and "确认导入" not in page
    csv = client.post(
        reverse("ledger:import", args=["reforms"]),
        {"file": SimpleUploadedFile("x.csv", "序号,改革任务\n1,甲".encode())},
    ).content.decode()
    assert "CSV 文本文件" in csv


def test_empty_template_downloads_and_imports_as_having_no_rows(client, empty_ledger, user_named):
    client.force_login(user_named("sup_d03"))
    response = client.get(reverse("ledger:template", args=["reforms"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    from reforms.ledger import ReformLedger

    report = ReformLedger().run_import(response.content)
    assert [str(e) for e in report.errors] == ["文件：表头下面没有数据行。"]


def test_admin_lists_reform_items(client, demo, user_named):
    client.force_login(user_named("admin"))
    page = client.get(reverse("admin:reforms_reformitem_changelist")).content.decode()
    assert "改革任务" in page
    item = ReformItem.objects.first()
    assert client.get(reverse("admin:reforms_reformitem_change", args=[item.pk])).status_code == 200


def test_progress_report_saves_when_the_broker_is_unreachable(client, item, user_named):
    """Reminders come from the daily scan; reporting progress never talks to Redis."""
    from county.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        task = agri_task(item)
        client.force_login(user_named("d21"))
        response = client.post(
            reverse("reforms:report", args=[task.pk]), {"text": "Redis 停了照样报送", "percent": 10}
        )
        assert response.status_code == 302
        task.refresh_from_db()
        assert task.progress == "Redis 停了照样报送"
    finally:
        app.conf.broker_url = saved

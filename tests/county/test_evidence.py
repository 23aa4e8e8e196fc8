"""Evidence files are checked by parsing (county.evidence) on every upload path.

Hostile files — a zip bomb, an XML bomb in a .docx, an old .xls, a pixel bomb, a PNG
with a zip appended, a PDF named .jpg — go through the real forms and views and are
refused with a Chinese message, with nothing stored; accepted files are stored under
generated names and served with the content type the check found. A 7700×7700 PNG is
refused from its header, the process's peak memory rising by far less than 200 MB.
"""

import datetime
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from county.evidence import (
    CHECKED_CONTENT_TYPES,
    check_evidence,
    remove_stale_uploads,
)
from county.status import today
from tests.county import evidence_files as files

ROOT = Path(__file__).resolve().parents[2]
OOXML = "application/vnd.openxmlformats-officedocument"
DOCX_TYPE = f"{OOXML}.wordprocessingml.document"

HOSTILE = [
    ("zip bomb", "整改方案.docx", files.zip_bomb_docx, "解压后异常庞大"),
    ("xml bomb", "说明.docx", files.xml_bomb_docx, "XML 炸弹"),
    ("old xls", "台账.xls", files.old_xls, "另存为"),
    ("pixel bomb", "现场.png", files.pixel_bomb_png, "像素过大"),
    ("polyglot", "现场.png", files.polyglot_png_zip, "夹带了其他内容"),
    ("pdf named jpg", "现场.jpg", files.pdf, "扩展名是 .jpg，内容却是PDF"),
]
HOSTILE_PHOTOS = [h for h in HOSTILE if h[0] in ("pixel bomb", "polyglot", "pdf named jpg")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.fixture
def subtask(demo, unit_named):
    """A sub-task of 县农业农村局 (staff d21) under a new item."""
    from county.models import Leader
    from reforms.models import ReformItem, SubTask

    item = ReformItem.objects.create(
        year=2099,
        number=1,
        title="佐证材料测试",
        lead_unit=unit_named("县财政局"),
        lead_leader=Leader.objects.get(name="刘洋"),
    )
    task = SubTask.objects.create(
        item=item, order=1, name="举措", deadline=today() + datetime.timedelta(days=30)
    )
    task.units.set([unit_named("县农业农村局")])
    return task


@pytest.fixture
def problem(demo, unit_named):
    """A problem of 城关镇 (staff t02)."""
    from environment.models import Problem, ProblemCategory, ensure_seed_categories

    ensure_seed_categories()
    town = unit_named("城关镇")
    return Problem.objects.create(
        number=Problem.next_number(),
        township=town,
        village=town.villages.order_by("name").first(),
        category=ProblemCategory.objects.get(name="乱堆乱放"),
        found_on=datetime.date(2030, 3, 1),
        deadline=datetime.date(2030, 3, 15),
        description="路边乱堆乱放",
    )


def report(client, subtask, *uploads):
    return client.post(
        reverse("reforms:report", args=[subtask.pk]),
        {"text": "已完成调研", "percent": 40, "files": list(uploads)},
    )


# --- hostile files through the real pages and the API -------------------------------------
@pytest.mark.parametrize(("case", "name", "build", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_evidence_is_refused_by_the_progress_form_and_nothing_is_stored(
    client, subtask, user_named, media, case, name, build, message
):
    from reforms.models import Attachment, ProgressReport

    client.force_login(user_named("d21"))
    response = report(client, subtask, SimpleUploadedFile(name, build()))
    page = response.content.decode()
    assert response.status_code == 400, case
    assert message in page and name in page
    assert not ProgressReport.objects.filter(subtask=subtask).exists()
    assert not Attachment.objects.exists() and stored(media) == []


@pytest.mark.parametrize(
    ("case", "name", "build", "message"), HOSTILE_PHOTOS, ids=[h[0] for h in HOSTILE_PHOTOS]
)
def test_hostile_photos_are_refused_by_the_rectification_form(
    client, problem, user_named, media, case, name, build, message
):
    from environment.models import Photo, Rectification

    client.force_login(user_named("t02"))
    response = client.post(
        reverse("environment:problem_submit", args=[problem.pk]),
        {"note": "已清理", "photos": [SimpleUploadedFile(name, build())]},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert ("不是有效的图片" if case == "pdf named jpg" else message) in page
    problem.refresh_from_db()
    assert problem.status == "assigned"
    assert not Rectification.objects.exists() and not Photo.objects.exists()
    assert stored(media) == []


@pytest.mark.parametrize(
    ("case", "name", "build", "message"), HOSTILE_PHOTOS, ids=[h[0] for h in HOSTILE_PHOTOS]
)
def test_hostile_photos_are_refused_by_the_api(
    client, problem, user_named, media, case, name, build, message
):
    from environment.models import Photo

    client.force_login(user_named("t02"))
    response = client.post(
        f"/api/environment/problems/{problem.pk}/submit/",
        {"note": "已清理", "photos": [SimpleUploadedFile(name, build())]},
    )
    assert response.status_code == 400
    assert ("不是有效的图片" if case == "pdf named jpg" else message) in json.dumps(
        response.json(), ensure_ascii=False
    )
    assert not Photo.objects.exists() and stored(media) == []


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("通报.docx", files.xml_bomb_docx, "XML 炸弹"),
        ("通报.docx", files.zip_bomb_docx, "解压后异常庞大"),
        ("通报.docx", files.old_xls, "设置了打开密码，或实为旧版格式"),
        ("通报.xlsx", files.xlsx, "请上传 Word 文件"),
        ("通报.docx", files.xlsx, "扩展名是 .docx，内容却是Excel 工作簿"),
    ],
)
def test_a_notice_must_be_a_sound_word_file(client, demo, user_named, media, name, build, message):
    from environment.models import Notice

    client.force_login(user_named("sup_d18"))
    response = client.post(
        "/environment/notice/issue/",
        {
            "title": "通报",
            "period_start": "2030-03-01",
            "period_end": "2030-03-31",
            "issued_on": "2030-04-02",
            "document": SimpleUploadedFile(name, build()),
        },
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Notice.objects.exists() and stored(media) == []


# --- what is accepted is stored under a generated name and served by its checked type -------
@pytest.mark.parametrize(
    ("name", "build", "content_type"),
    [
        ("实施方案.pdf", files.pdf, "application/pdf"),
        ("现场照片.png", files.png, "image/png"),
        ("现场.JPG", files.jpeg, "image/jpeg"),
        ("会议纪要.docx", files.docx, DOCX_TYPE),
        (
            "台账.xlsx",
            files.xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_accepted_evidence_is_stored_under_a_generated_name_and_served_by_its_checked_type(
    client, subtask, user_named, media, name, build, content_type
):
    from reforms.models import Attachment

    client.force_login(user_named("d21"))
    upload = SimpleUploadedFile(name, build(), content_type="text/html")  # the browser's claim
    assert report(client, subtask, upload).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == name and attachment.content_type == content_type
    stored_name = Path(attachment.file.name).name
    assert Path(name).stem not in stored_name and len(Path(stored_name).stem) == 32
    response = client.get(reverse("reforms:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


def test_an_attachment_stored_before_the_check_is_served_as_plain_bytes(
    client, subtask, user_named
):
    from django.core.files.base import ContentFile

    from reforms.models import Attachment, ProgressReport

    user = user_named("d21")
    progress = ProgressReport.objects.create(
        subtask=subtask, text="旧记录", percent=10, author=user, unit=user.unit
    )
    old = Attachment.objects.create(
        report=progress,
        file=ContentFile(files.pdf(), name="old.jpg"),
        name="old.jpg",
        size=10,
        content_type="text/html",  # what a browser once claimed
    )
    client.force_login(user)
    response = client.get(reverse("reforms:attachment", args=[old.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert "text/html" not in CHECKED_CONTENT_TYPES


def test_images_are_reencoded_so_nothing_appended_survives():
    trailer = b"<script>alert(1)</script>" * 10
    checked = check_evidence(SimpleUploadedFile("现场.jpg", files.jpeg() + trailer))
    assert trailer not in checked.content and checked.content.endswith(b"\xff\xd9")
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.size == (800, 600) and image.format == "JPEG"
    with Image.open(io.BytesIO(checked.display)) as display:
        assert display.format == "JPEG"


def test_a_photo_keeps_its_orientation_and_place_taken():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the display copy is turned upright
    exif[0x8825] = {1: "N", 2: (30.0, 40.0, 50.0)}
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "red").save(out, "JPEG", exif=exif.tobytes())
    checked = check_evidence(SimpleUploadedFile("a.jpg", out.getvalue()))
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.getexif()[0x0112] == 6 and image.getexif().get_ifd(0x8825)[1] == "N"
    with Image.open(io.BytesIO(checked.display)) as display:
        assert display.size == (300, 400)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4\nnot really\n%%EOF\n", "缺少对象"),
        (files.pdf()[:-30], "结尾不完整"),
        (files.pdf() + b"PK\x03\x04 appended", "结尾不完整"),
        (files.pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "), "脚本"),
        (files.pdf(catalog=b"/OpenAction << /S /#4Aava#53cript >> "), "脚本"),
        (files.pdf(catalog=b"/Names << /EmbeddedFiles 9 0 R >> "), "内嵌文件"),
        (files.pdf().replace(b"startxref\n", b"startxref\n1"), "交叉引用表位置错误"),
    ],
)
def test_pdfs_are_checked_for_structure_and_active_content(content, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        check_evidence(SimpleUploadedFile("报告.pdf", content))
    assert message in error.value.messages[0]


def test_office_files_with_macros_or_without_their_main_part_are_refused():
    from django.core.exceptions import ValidationError

    from tests.county.evidence_files import CONTENT_TYPES, _zip

    macro = _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "word/document.xml": files.DOCUMENT.format(text="x"),
            "word/vbaProject.bin": b"\0" * 100,
        }
    )
    empty = _zip({"[Content_Types].xml": CONTENT_TYPES, "word/other.xml": "<a/>"})
    for content, message in ((macro, "含有宏"), (empty, "不是 Word、Excel、PPT 文件")):
        with pytest.raises(ValidationError) as error:
            check_evidence(SimpleUploadedFile("a.docx", content))
        assert message in error.value.messages[0]


# --- memory: the pixel budget holds before anything is decoded -------------------------------
MEASURE = """
import json, os, resource, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from environment.forms import RectificationForm
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
form = RectificationForm({"note": "已清理"}, {"photos": SimpleUploadedFile(sys.argv[2], data)})
valid = form.is_valid()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"valid": valid, "errors": form.errors.get("photos", []),
                  "rise_mb": (after - before) / 1024}))
"""


def peak_rise(path, name):
    """Run the photo form on ``path`` in a fresh process; its peak RSS rise in MB."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), name],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_7700_pixel_png_is_refused_with_a_small_rise_in_peak_memory(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(files.pixel_bomb_png(7700))
    assert path.stat().st_size < 300 * 1024  # 59 megapixels in a few hundred KB
    result = peak_rise(path, "现场.png")
    assert not result["valid"] and "像素过大（7700×7700" in result["errors"][0]
    assert result["rise_mb"] < 200, result


def test_a_24_megapixel_phone_photo_is_processed_holding_one_bitmap(tmp_path):
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (6000, 4000), (40, 120, 60)).save(path, "JPEG", quality=85)
    started = time.monotonic()
    result = peak_rise(path, "现场.jpg")
    assert result["valid"], result
    # one RGB bitmap of 24 MP is 72 MB; the re-encoded copy and the display copy are small
    assert result["rise_mb"] < 200, result
    assert time.monotonic() - started < 120


# --- unconfirmed uploads --------------------------------------------------------------------
def test_unconfirmed_uploads_are_removed_after_a_day(media):
    old, fresh = [], []
    for folder in ("ledger_uploads", "setup_uploads"):
        directory = media / folder
        directory.mkdir(parents=True)
        stale = directory / f"{'a' * 32}.xlsx"
        stale.write_bytes(b"x")
        day_and_a_bit = time.time() - 25 * 3600
        os.utime(stale, (day_and_a_bit, day_and_a_bit))
        recent = directory / f"{'b' * 32}.xlsx"
        recent.write_bytes(b"y")
        old.append(stale)
        fresh.append(recent)
    other = media / "reforms" / "kept.pdf"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"z")
    os.utime(other, (time.time() - 90 * 86400,) * 2)
    assert sorted(remove_stale_uploads()) == sorted(old)
    assert all(p.exists() for p in [*fresh, other]) and not any(p.exists() for p in old)


def test_the_cleanup_runs_from_beat_every_hour(db):
    from django_celery_beat.models import PeriodicTask

    from county.celery import app

    task = PeriodicTask.objects.get(task="county.evidence.remove_stale_uploads")
    assert task.enabled and task.crontab.minute == "17" and task.crontab.hour == "*"
    app.loader.import_default_modules()
    assert "county.evidence.remove_stale_uploads" in app.tasks


def test_a_cancelled_ledger_upload_is_removed_at_once(client, demo, user_named, media):
    client.force_login(user_named("sup_d18"))
    workbook = (ROOT / "tests" / "data" / "environment_problems.xlsx").read_bytes()
    response = client.post(
        "/ledger/environment/import/", {"file": SimpleUploadedFile("问题台账.xlsx", workbook)}
    )
    token = response.context["token"]
    assert token and (media / "ledger_uploads" / f"{token}.xlsx").exists()
    client.post("/ledger/environment/import/cancel/", {"token": token})
    assert not (media / "ledger_uploads" / f"{token}.xlsx").exists()

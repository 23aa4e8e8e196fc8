"""Photos: images only (by content), size-limited with a Chinese message, originals kept."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from environment.models import Photo

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def submit(client, problem, photos, note="已清理"):
    return client.post(
        f"/environment/problems/{problem.pk}/submit/", {"note": note, "photos": photos}
    )


def test_a_pdf_renamed_jpg_is_refused_and_nothing_saved(
    client, make_problem, user_named, private_media
):
    problem = make_problem()
    client.force_login(user_named("t02"))
    fake = SimpleUploadedFile("整改后.jpg", PDF, content_type="image/jpeg")
    response = submit(client, problem, [fake])
    assert response.status_code == 400
    assert "不是有效的图片" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == "assigned"
    assert Photo.objects.count() == 0 and not stored_files(private_media)


def test_an_oversized_photo_is_refused_with_a_message(
    client, make_problem, user_named, private_media, settings, jpeg
):
    settings.ENVIRONMENT_PHOTO_MAX_BYTES = 50 * 1024
    problem = make_problem()
    client.force_login(user_named("t02"))
    response = submit(client, problem, [jpeg("big.jpg", size=(3000, 3000))])
    page = response.content.decode()
    assert response.status_code == 400
    assert "照片“big.jpg”太大" in page and "不能超过 50 KB" in page
    assert 'class="invalid-feedback d-block"' in page  # beside the field
    assert Photo.objects.count() == 0 and not stored_files(private_media)


def test_one_bad_file_among_good_ones_saves_nothing(client, make_problem, user_named, jpeg):
    problem = make_problem()
    client.force_login(user_named("t02"))
    bad = SimpleUploadedFile("b.png", b"not an image at all", content_type="image/png")
    response = submit(client, problem, [jpeg("a.jpg"), bad])
    assert response.status_code == 400 and Photo.objects.count() == 0


def test_a_photo_keeps_its_original_and_gets_a_display_copy(client, make_problem, user_named, jpeg):
    problem = make_problem()
    client.force_login(user_named("t02"))
    response = submit(client, problem, [jpeg("现场.jpg", size=(4000, 3000))])
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height, photo.kind) == (4000, 3000, "after")
    with Image.open(photo.display.path) as display:
        assert max(display.size) == 1600 and display.format == "JPEG"
    with Image.open(photo.original.path) as original:
        assert original.size == (4000, 3000)
    served = client.get(photo.url())
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"
    original = client.get(photo.url("original"))
    assert original.status_code == 200 and "attachment" in original["Content-Disposition"]


def test_png_with_transparency_becomes_a_jpeg_display_copy(make_problem, user_named):
    from environment.photos import check_photo

    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (255, 0, 0, 128)).save(out, "PNG")
    checked = check_photo(SimpleUploadedFile("x.png", out.getvalue()))
    assert checked.content_type == "image/png" and checked.display[:2] == b"\xff\xd8"


def test_photos_are_not_served_to_other_units(client, make_problem, user_named, jpeg):
    problem = make_problem()
    client.force_login(user_named("t02"))
    submit(client, problem, [jpeg()])
    photo = Photo.objects.get()
    client.force_login(user_named("t03"))
    assert client.get(photo.url()).status_code == 404
    assert client.get(photo.url("original")).status_code == 404
    client.logout()
    assert client.get(photo.url()).status_code == 302  # to the login page


def test_upload_field_opens_the_phone_camera(client, make_problem, user_named):
    problem = make_problem()
    client.force_login(user_named("t02"))
    page = client.get(problem.get_absolute_url()).content.decode()
    assert 'accept="image/*"' in page and 'capture="environment"' in page and "multiple" in page

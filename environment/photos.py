"""Photo evidence: checked by ``county.evidence`` (pixel budget, re-encoded), display copy made.

A file is a photo when Pillow decodes it as JPEG, PNG, GIF or WebP within the pixel
budget, whatever its name says; a PDF renamed ``.jpg`` or a PNG with a zip appended is
refused. What is stored is the re-encoded photo, under a generated name. Nothing is
written to storage until every photo of a form has passed. Photos are served only
through ``environment.views.photo``, which applies the same visibility rules as the
problem, with the content type found by the check.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from county.evidence import check_photo as check_evidence_photo
from county.evidence import human_size

__all__ = ["MAX_PHOTOS_PER_UPLOAD", "check_photo", "check_photos", "human_size", "max_bytes"]

MAX_PHOTOS_PER_UPLOAD = 9


def max_bytes():
    """Largest accepted photo, in bytes (``ENVIRONMENT_PHOTO_MAX_BYTES``, default 10 MB)."""
    return getattr(settings, "ENVIRONMENT_PHOTO_MAX_BYTES", 10 * 1024 * 1024)


def check_photo(upload):
    """Check one uploaded file; return a ``county.evidence.CheckedFile`` or raise."""
    return check_evidence_photo(upload, limit=max_bytes())


def check_photos(uploads):
    """Check several files; collect every file's error before raising."""
    if len(uploads) > MAX_PHOTOS_PER_UPLOAD:
        raise ValidationError(f"一次最多上传 {MAX_PHOTOS_PER_UPLOAD} 张照片。")
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_photo(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def save_photo_files(photo, checked):
    """Put the re-encoded photo and its display copy of ``checked`` on ``photo`` (not saved)."""
    photo.original_name = checked.name
    photo.content_type = checked.content_type
    photo.size = checked.size
    photo.width, photo.height = checked.width, checked.height
    photo.original.save(f"original.{checked.extension}", ContentFile(checked.content), save=False)
    photo.display.save("display.jpg", ContentFile(checked.display), save=False)

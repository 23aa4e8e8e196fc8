"""Photo evidence: checked by content (Pillow), size-limited, original kept, display copy made.

A file is a photo when Pillow can read it as JPEG, PNG, GIF or WebP, whatever its
name says; a PDF renamed ``.jpg`` is refused. Nothing is written to storage until
every photo of a form has passed. Photos are served only through
``environment.views.photo``, which applies the same visibility rules as the problem.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png",
                   "GIF": "image/gif", "WEBP": "image/webp"}  # fmt: skip
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
DISPLAY_MAX_SIDE = 1600
DISPLAY_QUALITY = 82
MAX_PIXELS = 60_000_000  # a 60-megapixel photo is already more than any phone takes
MAX_PHOTOS_PER_UPLOAD = 9


def max_bytes():
    """Largest accepted photo, in bytes (``ENVIRONMENT_PHOTO_MAX_BYTES``, default 10 MB)."""
    return getattr(settings, "ENVIRONMENT_PHOTO_MAX_BYTES", 10 * 1024 * 1024)


def human_size(size):
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


@dataclass
class CheckedPhoto:
    """A photo that passed the checks, with its display copy ready to store."""

    name: str
    content: bytes
    content_type: str
    width: int
    height: int
    display: bytes


def check_photo(upload):
    """Check one uploaded file; return a :class:`CheckedPhoto` or raise ValidationError."""
    name = getattr(upload, "name", "") or "照片"
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise ValidationError(
            f"照片“{name}”太大（{human_size(size)}），单张不能超过 {human_size(limit)}，"
            "请压缩后重新上传。"
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(f"照片“{name}”太大，单张不能超过 {human_size(limit)}。")
    if not content:
        raise ValidationError(f"文件“{name}”是空的。")
    try:
        with Image.open(io.BytesIO(content)) as probe:
            fmt = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(f"照片“{name}”像素过大（{width}×{height}），无法处理。")
            probe.verify()
        if fmt not in ALLOWED_FORMATS:
            raise ValidationError(f"文件“{name}”不是支持的照片格式（只接受 JPG、PNG、GIF、WebP）。")
        with Image.open(io.BytesIO(content)) as image:  # verify() leaves the image unusable
            display = make_display_copy(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            f"文件“{name}”不是有效的图片（只接受 JPG、PNG、GIF、WebP 照片）。"
        ) from None
    return CheckedPhoto(
        name=name[-200:],
        content=content,
        content_type=ALLOWED_FORMATS[fmt],
        width=width,
        height=height,
        display=display,
    )


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


def make_display_copy(image):
    """A JPEG no larger than DISPLAY_MAX_SIDE, turned upright by its EXIF orientation."""
    image.seek(0) if getattr(image, "is_animated", False) else None
    copy = ImageOps.exif_transpose(image)
    if copy.mode not in ("RGB", "L"):
        background = Image.new("RGB", copy.size, "white")
        rgba = copy.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        copy = background
    copy.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE))
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=DISPLAY_QUALITY, optimize=True)
    return out.getvalue()


def save_photo_files(photo, checked):
    """Put the original and the display copy of ``checked`` on ``photo`` (not yet saved)."""
    ext = EXTENSIONS[checked.content_type]
    photo.original_name = checked.name
    photo.content_type = checked.content_type
    photo.size = len(checked.content)
    photo.width, photo.height = checked.width, checked.height
    photo.original.save(f"original.{ext}", ContentFile(checked.content), save=False)
    photo.display.save("display.jpg", ContentFile(checked.display), save=False)

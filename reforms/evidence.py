"""Checking uploaded evidence by its content, not its name."""

import zipfile

from django import forms
from django.conf import settings

OFFICE_ZIP_PARTS = ("word/", "xl/", "ppt/")
SIGNATURES = {
    b"%PDF-": "PDF",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "Office 97-2003",
}


def sniff(upload):
    """What the file really is ("PDF", "PNG", "Office" …) or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(upload).namelist()
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and any(n.startswith(OFFICE_ZIP_PARTS) for n in names):
            return "Office"
    return None


def check_attachment(upload):
    """Raise a Chinese ValidationError unless ``upload`` is a PDF, image or Office file."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            f"“{upload.name}”过大（{upload.size / 1024 / 1024:.1f} MB），"
            f"每个文件不能超过 {limit // 1024 // 1024} MB。"
        )
    if upload.size == 0:
        raise forms.ValidationError(f"“{upload.name}”是空文件。")
    if sniff(upload) is None:
        raise forms.ValidationError(
            f"“{upload.name}”不是支持的文件类型（只支持 PDF、图片、Word、Excel、PPT）。"
        )

"""Evidence files (photos, attachments, issued documents) checked by parsing, never by name.

Every upload path of the workstreams (forms and API) passes its files through
:func:`check_evidence` (or :func:`check_photo` for photos); what comes back is a
:class:`CheckedFile` whose content, content type and extension come from the check:

- **Images** (JPEG, PNG, GIF, WebP): the size is read from the header and anything over
  ``EVIDENCE_MAX_PIXELS`` (40 MP) is refused *before* decoding — a 249 KB PNG of
  7700×7700 pixels would otherwise take about 1 GB. An accepted image is decoded once
  (the only full-size bitmap), re-encoded (so nothing appended to it survives: a
  PNG+ZIP polyglot is refused outright, a phone's trailer after a JPEG is dropped), and
  reduced in place for the display copy (Pillow's ``reduce``). Only the first frame of an
  animation is kept.
- **PDF**: header at the first byte, ``%%EOF`` at the very end (nothing after it), objects
  and a cross-reference table or stream, no JavaScript, launch actions or embedded files
  in its readable parts. A light check of our own — see docs/security.md for why not pypdf.
- **Office files** (.docx, .xlsx, .pptx): opened as a zip with the ledger engine's limits
  (``county.ledger.reading``: directory size, unpacked size, compression ratio), the
  expected main part present and parsed with defusedxml, every XML part's prolog read
  with DTDs forbidden (no XML bomb), no macros, no encrypted entries. Old binary
  .doc/.xls/.ppt files are refused with the advice to “另存为” the new format.
- A name whose extension says another type than the content (a PDF named ``.jpg``) is
  refused; a file is stored under a generated name (:meth:`CheckedFile.storage_name`)
  and its original name is kept only for display and download.

Unconfirmed ledger and county set-up uploads are removed after a day by
:func:`remove_stale_uploads` (a Celery beat task, migration county 0007).
"""

import datetime
import io
import logging
import re
import struct
import uuid
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from xml.etree.ElementTree import ParseError

from celery import shared_task
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from .ledger.errors import LedgerFileError
from .ledger.reading import XLS_SIGNATURE, ZIP_SIGNATURE, check_zip_members, open_zip

logger = logging.getLogger(__name__)

IMAGE, PDF, OFFICE = "image", "pdf", "office"
ALL_KINDS = (IMAGE, PDF, OFFICE)

DISPLAY_MAX_SIDE = 1600
DISPLAY_QUALITY = 82
JPEG_QUALITY = 90  # re-encoding a JPEG whose own tables cannot be kept (MPO)
NAME_MAX = 200


def max_pixels():
    """The pixel budget of one image (``EVIDENCE_MAX_PIXELS``, 40 million by default)."""
    return getattr(settings, "EVIDENCE_MAX_PIXELS", 40_000_000)


# Pillow's own guard agrees with ours: a warning over the budget, an error over twice it.
Image.MAX_IMAGE_PIXELS = max_pixels()


@dataclass(frozen=True)
class FileType:
    """What a checked file is: its served content type, stored extension and accepted names."""

    kind: str
    label: str
    content_type: str
    extension: str
    extensions: frozenset


def _type(kind, label, content_type, extension, *others):
    return FileType(kind, label, content_type, extension, frozenset((extension, *others)))


JPEG = _type(IMAGE, "JPEG 图片", "image/jpeg", "jpg", "jpeg", "jpe", "jfif", "mpo")
IMAGE_TYPES = {
    "JPEG": JPEG,
    "MPO": JPEG,
    "PNG": _type(IMAGE, "PNG 图片", "image/png", "png"),
    "GIF": _type(IMAGE, "GIF 图片", "image/gif", "gif"),
    "WEBP": _type(IMAGE, "WebP 图片", "image/webp", "webp"),
}
PDF_TYPE = _type(PDF, "PDF 文件", "application/pdf", "pdf")
OOXML = "application/vnd.openxmlformats-officedocument"
OFFICE_TYPES = {  # main part → type, and the local name of the main part's root element
    "word/document.xml": (
        _type(OFFICE, "Word 文档", f"{OOXML}.wordprocessingml.document", "docx"),
        "document",
    ),
    "xl/workbook.xml": (
        _type(OFFICE, "Excel 工作簿", f"{OOXML}.spreadsheetml.sheet", "xlsx"),
        "workbook",
    ),
    "ppt/presentation.xml": (
        _type(OFFICE, "PowerPoint 演示文稿", f"{OOXML}.presentationml.presentation", "pptx"),
        "presentation",
    ),
}
CHECKED_CONTENT_TYPES = frozenset(
    [t.content_type for t in IMAGE_TYPES.values()]
    + [PDF_TYPE.content_type]
    + [t.content_type for t, _ in OFFICE_TYPES.values()]
)
OLD_OFFICE = {
    "doc": ("Word 97-2003 文档（.doc）", "Word 文档（.docx）"),
    "wps": ("WPS 文字文档（.wps）", "Word 文档（.docx）"),
    "xls": ("Excel 97-2003 工作簿（.xls）", "Excel 工作簿（.xlsx）"),
    "et": ("WPS 表格（.et）", "Excel 工作簿（.xlsx）"),
    "ppt": ("PowerPoint 97-2003 演示文稿（.ppt）", "PowerPoint 演示文稿（.pptx）"),
    "dps": ("WPS 演示（.dps）", "PowerPoint 演示文稿（.pptx）"),
}
KIND_WORDS = {IMAGE: "JPG、PNG、GIF、WebP 图片", PDF: "PDF", OFFICE: "Word、Excel、PPT（新版格式）"}


@dataclass
class CheckedFile:
    """A file that passed the checks: what to store, how to serve it, what to call it."""

    name: str  # the original name, for display and download only
    content: bytes  # what is stored (images re-encoded)
    type: FileType
    width: int = 0
    height: int = 0
    display: bytes | None = None  # images: a JPEG at most DISPLAY_MAX_SIDE on a side

    @property
    def content_type(self):
        return self.type.content_type

    @property
    def extension(self):
        return self.type.extension

    @property
    def size(self):
        return len(self.content)

    def storage_name(self):
        """A generated name to store the file under (the original name is never used)."""
        return f"{uuid.uuid4().hex}.{self.extension}"

    def as_file(self):
        """The checked content as a Django file under a generated name."""
        return ContentFile(self.content, name=self.storage_name())


def human_size(size):
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def display_name(name, default="文件"):
    """The file's own name without any folder part, trimmed for storage in the database."""
    name = PurePath(str(name or "").replace("\\", "/")).name.replace("\x00", "").strip()
    return (name or default)[-NAME_MAX:]


def _extension(name):
    suffix = PurePath(name).suffix.lower()
    return suffix[1:] if suffix else ""


# --- reading an upload ---------------------------------------------------------------------
def read_upload(upload, limit, noun="文件"):
    """The bytes of an uploaded file, refusing empty files and files over ``limit`` bytes."""
    name = display_name(getattr(upload, "name", ""), noun)
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            f"{noun}“{name}”太大（{human_size(size)}），每个{noun}不能超过 {human_size(limit)}，"
            "请压缩后重新上传。"
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"{noun}“{name}”太大，每个{noun}不能超过 {human_size(limit)}。")
    if not data:
        raise ValidationError(f"{noun}“{name}”是空文件。")
    return data


def check_evidence(upload, *, kinds=ALL_KINDS, limit=None, noun="文件"):
    """Check one uploaded file; return a :class:`CheckedFile` or raise a Chinese ValidationError.

    ``kinds`` limits what is accepted (``IMAGE``, ``PDF``, ``OFFICE``); ``limit`` is the
    largest size in bytes (``UPLOAD_MAX_BYTES`` by default).
    """
    limit = limit or settings.UPLOAD_MAX_BYTES
    name = display_name(getattr(upload, "name", ""), noun)
    data = read_upload(upload, limit, noun)
    checked = check_content(data, name, kinds=kinds, noun=noun)
    given = _extension(name)
    if given and given not in checked.type.extensions:
        raise ValidationError(
            f"{noun}“{name}”的扩展名是 .{given}，内容却是{checked.type.label}，已拒绝。"
            f"请确认文件无误，改为 .{checked.extension} 后重新上传。"
        )
    return checked


def check_content(data, name, *, kinds=ALL_KINDS, noun="文件"):
    """Check bytes whatever their name; see :func:`check_evidence`."""
    accepted = "、".join(KIND_WORDS[k] for k in kinds)
    if data.startswith(XLS_SIGNATURE):
        if OFFICE not in kinds:
            raise ValidationError(f"{noun}“{name}”不是支持的文件类型（只接受 {accepted}）。")
        if _extension(name) in ("docx", "xlsx", "pptx"):
            raise ValidationError(
                f"“{name}”设置了打开密码，或实为旧版格式改名而来，系统无法检查其内容。"
                "请取消密码，在 Office 或 WPS 中“另存为”新版格式后再上传。"
            )
        old, new = OLD_OFFICE.get(
            _extension(name), ("旧版 Office 文件", "新版格式（.docx、.xlsx、.pptx）")
        )
        raise ValidationError(
            f"“{name}”是{old}，系统不接收旧版格式。请在 Office 或 WPS 中打开后“另存为”{new}再上传。"
        )
    if data.startswith(b"%PDF-") and PDF in kinds:
        return check_pdf(data, name)
    if data.startswith(ZIP_SIGNATURE) and OFFICE in kinds:
        return check_office(data, name)
    if IMAGE in kinds and _looks_like_image(data):
        return check_image(data, name)
    if IMAGE in kinds and kinds == (IMAGE,):
        raise ValidationError(f"文件“{name}”不是有效的图片（只接受 JPG、PNG、GIF、WebP 照片）。")
    raise ValidationError(f"{noun}“{name}”不是支持的文件类型（只接受 {accepted}）。")


def _looks_like_image(data):
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        data.startswith(b"RIFF") and data[8:12] == b"WEBP"
    )


def _is_zip(data):
    """True when a zip reader would find an archive in ``data`` (a polyglot's second face)."""
    return zipfile.is_zipfile(io.BytesIO(data))


# --- images --------------------------------------------------------------------------------
def _not_an_image(name):
    return ValidationError(f"文件“{name}”不是有效的图片（只接受 JPG、PNG、GIF、WebP 照片）。")


def _too_many_pixels(name, width, height):
    budget = max_pixels()
    return ValidationError(
        f"图片“{name}”像素过大（{width}×{height}，约 {width * height / 1e6:.0f} 百万像素），"
        f"超过 {budget / 1e6:.0f} 百万像素的上限。"
        "请缩小图片尺寸（或在相机设置中选择较小的照片尺寸）后重新上传。"
    )


def _smuggled(name):
    return ValidationError(
        f"图片“{name}”在图像数据之外还夹带了其他内容（可能是伪装的压缩包或程序），已拒绝。"
        "请重新拍照或另存为图片后上传。"
    )


def _png_end(data):
    """The offset just past a PNG's IEND chunk (walking the chunks), or None."""
    offset = 8
    while offset + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        offset += 12 + length
        if kind == b"IEND":
            return offset
    return None


def _trailing_data(data, fmt):
    """True when a PNG or WebP carries bytes after its own end (JPEG trailers are re-encoded)."""
    if fmt == "PNG":
        end = _png_end(data)
        return end is None or data[end:].strip(b"\x00") != b""
    if fmt == "WEBP":
        size = struct.unpack("<I", data[4:8])[0] + 8
        return len(data) > size + (size % 2)
    return False


def check_image(data, name):
    """Decode an image under the pixel budget, re-encode it and make its display copy."""
    if _is_zip(data):
        raise _smuggled(name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format
                if fmt not in IMAGE_TYPES:
                    raise _not_an_image(name)
                width, height = image.size  # from the header; nothing decoded yet
                if width * height > max_pixels():
                    raise _too_many_pixels(name, width, height)
                if _trailing_data(data, fmt):
                    raise _smuggled(name)
                image.seek(0)  # the first frame of an animation only
                image.load()  # the one full-size bitmap
                content = _reencode(image, fmt)
                display = _display_copy(image)  # reduces ``image`` in place
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(f"图片“{name}”像素过大，无法处理。请缩小尺寸后重新上传。") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise _not_an_image(name) from None
    return CheckedFile(name, content, IMAGE_TYPES[fmt], width, height, display)


def _reencode(image, fmt):
    """The image written again by Pillow: pixels, orientation and colour profile only."""
    out = io.BytesIO()
    extra = {}
    if image.info.get("icc_profile"):
        extra["icc_profile"] = image.info["icc_profile"]
    if fmt in ("JPEG", "MPO"):
        exif = image.getexif()
        if exif:
            extra["exif"] = exif.tobytes()  # orientation, time and place taken
        quality = "keep" if fmt == "JPEG" else JPEG_QUALITY
        image.save(out, "JPEG", quality=quality, **extra)
    elif fmt == "PNG":
        image.save(out, "PNG", **extra)
    elif fmt == "GIF":
        image.save(out, "GIF")
    else:
        image.save(out, "WEBP", quality=JPEG_QUALITY, **extra)
    content = out.getvalue()
    if _is_zip(content):  # a zip hidden in the metadata that was kept: pixels only
        out = io.BytesIO()
        image.save(out, "JPEG" if fmt == "MPO" else fmt)
        content = out.getvalue()
    return content


def _display_copy(image):
    """A JPEG no larger than DISPLAY_MAX_SIDE, upright by its EXIF orientation."""
    image.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE))  # in place: reduce, then resize
    copy = ImageOps.exif_transpose(image)
    if copy.mode in ("RGBA", "LA", "P", "PA") or "transparency" in copy.info:
        rgba = copy.convert("RGBA")
        copy = Image.new("RGB", rgba.size, "white")
        copy.paste(rgba, mask=rgba.getchannel("A"))
    elif copy.mode not in ("RGB", "L"):
        copy = copy.convert("RGB")
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=DISPLAY_QUALITY, optimize=True)
    return out.getvalue()


def check_photo(upload, *, limit):
    """A photo (image only) of at most ``limit`` bytes; see :func:`check_image`."""
    return check_evidence(upload, kinds=(IMAGE,), limit=limit, noun="照片")


# --- PDF -----------------------------------------------------------------------------------
_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_PDF_TAIL = re.compile(rb"%%EOF[\r\n\t \x00]*\Z")
_PDF_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF[\r\n\t \x00]*\Z")
_PDF_XREF_AT = re.compile(rb"\s*(?:xref|\d+\s+\d+\s+obj)")
ACTIVE_PDF_NAMES = frozenset(
    [b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia"]
)
_PDF_ACTIVE_PLAIN = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?![\w#])")
_PDF_ESCAPED_NAME = re.compile(rb"/[\w#]*#[0-9A-Fa-f]{2}[\w#]*")


def _not_a_pdf(name, why="文件已损坏或不是 PDF"):
    return ValidationError(f"“{name}”不是有效的 PDF 文件（{why}）。请重新导出 PDF 后上传。")


def check_pdf(data, name):
    """A light structural check of a PDF, and no active content in its readable parts."""
    if not _PDF_HEADER.match(data):
        raise _not_a_pdf(name, "开头不是 PDF 文件头")
    if not _PDF_TAIL.search(data[-1024:]):
        raise _not_a_pdf(name, "结尾不完整，或在文件结束标记之后夹带了其他内容")
    if b"endobj" not in data or not (b"trailer" in data or b"/XRef" in data):
        raise _not_a_pdf(name, "缺少对象或交叉引用表")
    startxref = _PDF_STARTXREF.search(data[-1024:])
    if startxref and not _PDF_XREF_AT.match(data, int(startxref.group(1))):
        raise _not_a_pdf(name, "交叉引用表位置错误")
    if _is_zip(data):
        raise _not_a_pdf(name, "夹带了压缩包")
    names = {m.group()[1:] for m in _PDF_ACTIVE_PLAIN.finditer(data)}
    for match in _PDF_ESCAPED_NAME.finditer(data):
        names.add(re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), match[0][1:]))
    if names & ACTIVE_PDF_NAMES:
        raise ValidationError(
            f"“{name}”含有脚本、启动程序或内嵌文件，已拒绝。"
            "请用“打印”→“另存为 PDF”重新生成后再上传。"
        )
    return CheckedFile(name, data, PDF_TYPE)


# --- Office files --------------------------------------------------------------------------
def _not_office(name, why):
    return ValidationError(f"“{name}”{why}。请用 Office 或 WPS 打开后另存为新版格式再上传。")


def _read_prolog(stream):
    """Parse up to the root element's start with DTDs forbidden (an XML bomb needs a DTD)."""
    for _event, element in SafeElementTree.iterparse(stream, events=("start",), forbid_dtd=True):
        return element.tag
    return None


def _parse_whole(stream):
    """Parse a whole XML part, keeping only the open elements; return the root's local name.

    Each element is dropped from its parent when it ends, so memory holds one path from
    the root, whatever the size of the part.
    """
    root, path = None, []
    for event, element in SafeElementTree.iterparse(
        stream, events=("start", "end"), forbid_dtd=True
    ):
        if event == "start":
            root = root or element.tag
            path.append(element)
        else:
            path.pop()
            if path:
                path[-1].remove(element)
    return root.rsplit("}", 1)[-1] if root else None


def check_office(data, name):
    """An Office Open XML file, opened with the ledger engine's zip limits."""
    try:
        archive = open_zip(data)
        members = archive.infolist()
        check_zip_members(members)
    except LedgerFileError as error:
        raise ValidationError(f"“{name}”：{error}") from None
    except (zipfile.BadZipFile, OSError, ValueError, struct.error):
        raise _not_office(name, "已损坏，或不是 Word、Excel、PPT 文件") from None
    names = {m.filename for m in members}
    found = [(part, spec) for part, spec in OFFICE_TYPES.items() if part in names]
    if "[Content_Types].xml" not in names or len(found) != 1:
        raise _not_office(name, "不是 Word、Excel、PPT 文件（.docx、.xlsx、.pptx）")
    if any(m.flag_bits & 0x1 for m in members):
        raise _not_office(name, "已加密")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _not_office(name, "含有宏，出于安全考虑不予接收")
    part, (file_type, root) = found[0]
    try:
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels")) and member.file_size:
                with archive.open(member) as stream:
                    _read_prolog(stream)
        for whole in ("[Content_Types].xml", part):
            with archive.open(whole) as stream:
                if whole == part and _parse_whole(stream) != root:
                    raise _not_office(name, "的主体内容不完整")
                elif whole != part:
                    _parse_whole(stream)
    except ValidationError:
        raise
    except DefusedXmlException:
        raise ValidationError(
            f"“{name}”含有不允许的 XML 声明（可能是“XML 炸弹”），已拒绝。"
            "请用 Office 或 WPS 另存为后再上传。"
        ) from None
    except (ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _not_office(name, "已损坏") from None
    return CheckedFile(name, data, file_type)


# --- unconfirmed uploads -------------------------------------------------------------------
STALE_UPLOAD_FOLDERS = ("ledger_uploads", "setup_uploads")
STALE_AFTER = datetime.timedelta(days=1)


def remove_stale_uploads(now=None, max_age=STALE_AFTER):
    """Delete ledger and set-up uploads that were previewed but never confirmed or cancelled.

    Returns the paths removed. The files are named by a random token kept in the
    uploader's session; after a day the preview is answered “预览已失效”.
    """
    cutoff = (now or timezone.now()).timestamp() - max_age.total_seconds()
    removed = []
    for folder in STALE_UPLOAD_FOLDERS:
        directory = Path(settings.MEDIA_ROOT) / folder
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:  # confirmed or cancelled meanwhile
                continue
    if removed:
        logger.info("removed %d unconfirmed uploads", len(removed))
    return removed


@shared_task(name="county.evidence.remove_stale_uploads")
def remove_stale_uploads_task():
    """Beat task (hourly, migration county 0007): unconfirmed uploads older than a day."""
    return len(remove_stale_uploads())

"""Evidence files for tests, good and hostile, built in memory (no fixtures on disk).

- :func:`pdf` a small valid PDF (header, objects, xref table with right offsets, trailer);
- :func:`docx` / :func:`xlsx` minimal Office Open XML files, optionally with an XML bomb;
- :func:`zip_bomb_docx` a .docx whose one part unpacks to 200 MB of zeros;
- :func:`old_xls` the first bytes of a binary Excel 97-2003 file (an OLE container);
- :func:`pixel_bomb_png` a PNG of 7700×7700 pixels that is only a few hundred KB;
- :func:`polyglot_png_zip` a real PNG with a zip archive appended (both readers accept it).
"""

import io
import zipfile
import zlib

from PIL import Image


def pdf(text="佐证材料", catalog=b""):
    """A one-page PDF whose cross-reference offsets are right; ``catalog`` adds entries."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 20 100 Td ({text.encode().hex()}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
)
BOMB_DOCUMENT = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)


def _zip(parts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx(text="整改报告", document=None):
    """A minimal Word document; ``document`` replaces word/document.xml."""
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": RELS,
            "word/document.xml": document or DOCUMENT.format(text=text),
        }
    )


def xml_bomb_docx():
    """A .docx whose document part is the billion laughs (a DTD of nested entities)."""
    return docx(document=BOMB_DOCUMENT)


def xlsx():
    """A minimal Excel workbook written by openpyxl."""
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "台账"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb_docx(size=200 * 1024 * 1024):
    """A .docx-shaped zip whose extra part unpacks to ``size`` bytes of zeros (~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", DOCUMENT.format(text="x"))
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return out.getvalue()


def old_xls():
    """The signature and some padding of a binary Excel 97-2003 workbook (OLE compound file)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096


def png(size=(64, 48), color=(200, 30, 30), mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, "PNG")
    return out.getvalue()


def jpeg(size=(800, 600), color=(30, 120, 200)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=85)
    return out.getvalue()


def pixel_bomb_png(side=7700):
    """A PNG of side×side RGBA pixels, all zero, that compresses to a few hundred KB.

    Written by hand (one IDAT of a zlib stream of the zero rows) so that building it
    never holds the decoded bitmap in memory either.
    """
    import struct

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)  # 8-bit RGBA
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + side * 4)  # filter byte + pixels
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def polyglot_png_zip():
    """A valid PNG followed by a zip holding a script: image viewers and unzip both open it."""
    archive = _zip({"payload.html": "<script>alert(1)</script>"})
    return png() + archive

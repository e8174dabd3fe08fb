"""Small files built in memory for the upload tests: PDFs, Word packages, photos, and things pretending to be them."""

import io
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"
)
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf(body=b"<< /Type /Catalog /Pages 2 0 R >>", *, streams=()):
    """A tiny PDF: ``body`` as object 1, then each of ``streams`` Flate-compressed."""
    parts = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", body, b"\nendobj\n"]
    for number, content in enumerate(streams, start=2):
        packed = zlib.compress(content)
        parts += [
            f"{number} 0 obj\n<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode(),
            packed,
            b"\nendstream\nendobj\n",
        ]
    parts.append(b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    return b"".join(parts)


def docx(*, main=DOCX_MAIN, extra=None, document=True, settings_rels=None):
    """A minimal Word package; ``extra`` adds parts ``{name: bytes}``."""
    buffer = io.BytesIO()
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>'
        "</Types>"
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        if document:
            archive.writestr(
                "word/document.xml",
                '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>Speech and language report</w:t></w:r></w:p></w:body></w:document>",
            )
        if settings_rels is not None:
            archive.writestr("word/_rels/settings.xml.rels", settings_rels)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def jpeg_with_gps(size=(40, 20)):
    """A JPEG a phone might send: turned on its side by the Orientation tag, with a maker and GPS position."""
    image = Image.new("RGB", size, "red")
    for x in range(size[0] // 2):
        for y in range(size[1]):
            image.putpixel((x, y), (0, 0, 255))
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # shown turned 90 degrees clockwise
    exif[0x010F] = "Phonemaker"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"Taken at 12 Acacia Avenue")
    return buffer.getvalue()


def png_with_text(size=(10, 10)):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "Home address: 12 Acacia Avenue")
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()

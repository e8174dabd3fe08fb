"""Checking uploads from their content: what is refused, with which words, and what a kept photo loses."""

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from waymark.evidence import uploads
from waymark.evidence.uploads import UploadRefused, check_upload, sanitise_name

from .filemakers import (
    DOCM_MAIN,
    EXECUTABLE,
    GPS_IFD,
    OLE_DOC,
    docx,
    jpeg_with_gps,
    pdf,
    png_with_text,
    upload,
)

MACROS = "Files with macros cannot be added. Save it as a .docx or PDF and try again."
UNKNOWN = "Add a PDF, Word (.docx), JPEG or PNG file."
SCRIPTS = "PDFs with scripts or attachments cannot be added."


def refusal(name, data):
    with pytest.raises(UploadRefused) as caught:
        check_upload(upload(name, data))
    return caught.value


# ----- what is kept -----


@pytest.mark.parametrize(
    ("name", "data", "content_type", "stored_name"),
    [
        ("Report.pdf", pdf(), "application/pdf", "Report.pdf"),
        (
            "SALT report.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "SALT report.docx",
        ),
        ("photo.jpeg", jpeg_with_gps(), "image/jpeg", "photo.jpeg"),
        ("drawing.png", png_with_text(), "image/png", "drawing.png"),
        ("no extension", pdf(), "application/pdf", "no extension.pdf"),
    ],
)
def test_files_of_the_four_kinds_are_kept_with_the_type_from_their_content(name, data, content_type, stored_name):
    checked = check_upload(upload(name, data, content_type="text/plain"))  # the browser's claim is ignored
    assert checked.content_type == content_type
    assert checked.original_name == stored_name
    assert checked.size == len(checked.content)
    assert len(checked.sha256) == 64


def test_a_pdf_is_kept_byte_for_byte():
    data = pdf(streams=[b"BT /F1 12 Tf (Reads 40 words a minute) Tj ET"])
    assert check_upload(upload("r.pdf", data)).content == data


def test_a_photo_loses_its_exif_and_location_but_keeps_its_orientation():
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(GPS_IFD)  # the test file really does carry a position
    checked = check_upload(upload("IMG_0001.jpg", jpeg_with_gps()))
    kept = Image.open(io.BytesIO(checked.content))
    assert kept.format == "JPEG"
    assert not kept.getexif()
    assert not kept.getexif().get_ifd(GPS_IFD)
    assert b"Acacia" not in checked.content and b"Phonemaker" not in checked.content
    assert "comment" not in kept.info and "exif" not in kept.info
    # Orientation 6 means "turn 90 degrees clockwise to show": the kept picture is already upright.
    assert kept.size == (20, 40)
    assert kept.getpixel((10, 5))[2] > 200  # the blue half is now at the top
    # What is received is scanned; what is kept is the clean copy.
    assert checked.received == jpeg_with_gps()


def test_a_png_loses_its_text_chunks_and_keeps_its_transparency():
    checked = check_upload(upload("drawing.png", png_with_text()))
    kept = Image.open(io.BytesIO(checked.content))
    assert b"Acacia" not in checked.content
    assert kept.mode == "RGBA" and kept.getpixel((0, 0))[3] == 128


# ----- what is refused, and with which words -----


def test_an_executable_renamed_to_pdf_is_refused():
    refused = refusal("report.pdf", EXECUTABLE)
    assert refused.code == "not_matching"
    assert refused.message == "The file is not a PDF, though its name ends in .pdf."


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.jpg", png_with_text(), "The file is not a JPEG, though its name ends in .jpg."),
        ("letter.docx", pdf(), "The file is not a Word document, though its name ends in .docx."),
        ("scan.png", jpeg_with_gps(), "The file is not a PNG, though its name ends in .png."),
        (
            "report.PDF",
            b"<html><script>alert(1)</script></html>",
            "The file is not a PDF, though its name ends in .pdf.",
        ),
    ],
)
def test_a_name_that_does_not_agree_with_the_content_is_refused(name, data, message):
    assert refusal(name, data).message == message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.txt", b"Just some text"),
        ("program.exe", EXECUTABLE),
        ("report.pdf.exe", pdf()),  # a PDF by content, but named to run
        ("page.html", b"<html></html>"),
        ("sheet.xlsx", docx(document=False)),  # an Office package that is not a Word document
        ("animation.gif", b"GIF89a" + b"\x00" * 20),
    ],
)
def test_other_kinds_of_file_are_refused(name, data):
    refused = refusal(name, data)
    assert refused.code == "unknown_type"
    assert refused.message == UNKNOWN


@pytest.mark.parametrize(
    "body",
    [
        b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
        b"<< /AA << /O << /JS (this.exportDataObject()) >> >> >>",
        b"<< /S /Launch /F (cmd.exe) >>",
        b"<< /Names << /EmbeddedFiles << /Names [(a.exe) 3 0 R] >> >> >>",
        b"<< /Type /EmbeddedFile /Length 4 >>",
        b"<< /S /J#61vaScript >>",  # the same name, written with an escape
    ],
)
def test_a_pdf_with_scripts_or_attachments_is_refused(body):
    refused = refusal("report.pdf", pdf(body))
    assert refused.code == "pdf_active_content"
    assert refused.message == SCRIPTS


def test_a_script_hidden_in_a_compressed_stream_is_found():
    data = pdf(streams=[b"<< /Type /ObjStm >> 5 0 << /S /JavaScript /JS (app.alert(1)) >>"])
    assert refusal("report.pdf", data).message == SCRIPTS


def test_words_that_only_look_like_script_names_are_not_refused():
    # "/JSON" and "/JBIG2Decode" are not /JS; text that mentions JavaScript is not a script.
    data = pdf(b"<< /JSON 1 /Filter /JBIG2Decode >>", streams=[b"BT (We discussed JavaScript lessons) Tj ET"])
    assert check_upload(upload("report.pdf", data)).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.docm", docx()),  # the name alone says it may carry macros
        ("template.dotm", docx()),
        ("budget.xlsm", docx(document=False)),
        ("report.docx", docx(extra={"word/vbaProject.bin": b"\x00" * 64})),
        ("report", docx(extra={"word/vbaProject.bin": b"\x00" * 64})),
        ("report.docx", docx(main=DOCM_MAIN)),
        ("old.doc", OLE_DOC),
        ("report.docx", OLE_DOC),  # an old binary file renamed
        (
            "report.docx",
            docx(
                settings_rels='<Relationships><Relationship Id="rId1" TargetMode="External" '
                'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
                'Target="http://example.test/evil.dotm"/></Relationships>'
            ),
        ),
    ],
)
def test_files_with_macros_are_refused(name, data):
    refused = refusal(name, data)
    assert refused.code == "macros"
    assert refused.message == MACROS


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    # 20 MB of zeros packs into a few kilobytes: far past the ratio a real document has.
    bomb = docx(extra={"word/media/image1.png": b"\x00" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    assert refusal("report.docx", bomb).code == "unpacks_too_large"


def test_a_package_with_too_many_parts_is_refused(monkeypatch):
    monkeypatch.setattr(uploads.word, "ZIP_MAX_ENTRIES", 5)
    data = docx(extra={f"word/part{number}.xml": b"<x/>" for number in range(5)})
    assert refusal("report.docx", data).code == "unpacks_too_large"


@pytest.mark.parametrize("evil_name", ["../../etc/cron.d/job", "/etc/passwd", "word\\..\\..\\x.xml", "C:/x.xml"])
def test_a_package_with_path_tricks_is_refused(evil_name):
    assert refusal("report.docx", docx(extra={evil_name: b"x"})).code == "damaged"


def test_a_package_with_the_same_part_twice_is_refused():
    buffer = io.BytesIO(docx())
    with pytest.warns(UserWarning), zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("word/document.xml", "<other/>")
    assert refusal("report.docx", buffer.getvalue()).code == "damaged"


def test_a_broken_zip_is_refused():
    assert refusal("report.docx", b"PK\x03\x04" + b"\x00" * 100).code == "damaged"


def test_a_broken_photo_is_refused():
    truncated = jpeg_with_gps()[:200]
    assert refusal("photo.jpg", truncated).code == "damaged"


def test_a_photo_of_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(uploads.images, "IMAGE_MAX_PIXELS", 100)
    refused = refusal("photo.png", png_with_text(size=(20, 20)))
    assert refused.code == "image_too_large"
    assert refused.message == "The picture is too big to add. Make it smaller and try again."


def test_a_file_over_the_limit_is_refused(settings):
    settings.WAYMARK_UPLOAD_MAX_BYTES = 1024
    refused = refusal("report.pdf", pdf(b"<< /Padding (" + b"x" * 2000 + b") >>"))
    assert refused.code == "too_large"
    assert refused.message == "The file must be smaller than 1 KB."


def test_the_size_is_counted_not_taken_from_the_browser(settings):
    settings.WAYMARK_UPLOAD_MAX_BYTES = 1024
    lying = upload("report.pdf", pdf(b"<< /Padding (" + b"x" * 2000 + b") >>"))
    lying.size = 10  # what the request claimed
    with pytest.raises(UploadRefused) as caught:
        check_upload(lying)
    assert caught.value.code == "too_large"


@pytest.mark.parametrize(
    ("limit", "words"),
    [(10 * 1024 * 1024, "10 MB"), (int(2.5 * 1024 * 1024), "2.5 MB"), (1536, "1.5 KB"), (500, "500 bytes")],
)
def test_the_limit_is_written_as_people_write_it(limit, words):
    assert uploads.too_large_message(limit) == f"The file must be smaller than {words}."


def test_an_empty_file_is_refused():
    assert refusal("report.pdf", b"").message == "The selected file is empty."


# ----- names offered back on download -----


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("C:\\Users\\sam\\Desktop\\EP report.pdf", "pdf", "EP report.pdf"),
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ('re"port<1>.pdf', "pdf", "re_port_1.pdf"),
        ("report\x00.exe.pdf", "pdf", "report.exe.pdf"),
        ("photo.JPEG", "jpg", "photo.jpeg"),
        ("photo.png", "jpg", "photo.jpg"),
        ("...", "pdf", "document.pdf"),
        ("Zoë’s report.docx", "docx", "Zoë’s report.docx"),
    ],
)
def test_names_are_made_safe(name, extension, expected):
    assert sanitise_name(name, extension) == expected


@settings(max_examples=50, deadline=None)
@given(name=st.text(max_size=300), extension=st.sampled_from(["pdf", "docx", "jpg", "png"]))
def test_a_safe_name_never_holds_a_path_or_control_characters(name, extension):
    safe = sanitise_name(name, extension)
    assert "/" not in safe and "\\" not in safe
    assert all(ord(char) >= 32 and ord(char) != 127 for char in safe)
    assert not safe.startswith(".")
    assert uploads.NAME_EXTENSIONS[uploads.extension_of(safe)] == uploads.NAME_EXTENSIONS[extension]
    assert len(safe) <= 160

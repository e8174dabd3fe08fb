"""Writing a transfer package: the ZIP of the document, its PDFs and files, sealed with the passphrase.

ZIP layout (docs/transfer-package.md)::

    package.json         the document (schema: schemas/transfer-package-1.json)
    manifest.json        every other member with its SHA-256 and size
    schema.json          a copy of the schema the document was written against
    pdfs/plan-version-<n>.pdf      each shared or published plan version, printed from its snapshot
    documents/document-<n>.<ext>   the stored documents' files, under generated names
"""

import hashlib
import io
import json
import zipfile

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import require, require_pupil
from waymark.plans.documents import present, version_pdf

from . import document as builder
from . import passphrase as passphrases
from .envelope import seal
from .format import DOCUMENT_MEMBER, FILE_EXTENSION, MANIFEST_MEMBER, SCHEMA_MEMBER, schema_bytes
from .schema_errors import schema_problems


def _json_bytes(value):
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _file_bytes(stored):
    with stored.file.open("rb") as handle:
        return handle.read()


def build_zip(contents):
    """The package's ZIP as bytes. Refuses (``ValidationError``) a document its own schema would refuse."""
    document = json.loads(_json_bytes(contents.document))
    problems = schema_problems(document)
    if problems:
        # A record this Waymark cannot describe in its own format: better stopped here than
        # sent to a school that would have to refuse it.
        raise ValidationError([_("This record cannot be put in a transfer package:"), *problems], code="export_invalid")
    members = {DOCUMENT_MEMBER: _json_bytes(document), SCHEMA_MEMBER: schema_bytes()}
    for name, version, content in contents.pdfs:
        members[name] = version_pdf(version, present(content))
    for name, stored in contents.files:
        members[name] = _file_bytes(stored)
    manifest = {
        "package_version": document["package_version"],
        "files": [
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in members.items()
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST_MEMBER, _json_bytes(manifest))
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def export_filename(pupil, today):
    """``transfer-<UPN>-<date>.waymark``: no name in it, since file names travel in emails and folders."""
    who = slugify(pupil.upn) if pupil.upn else f"pupil-{str(pupil.public_id)[:8]}"
    return f"transfer-{who}-{today.isoformat()}.{FILE_EXTENSION}"


def transfer_export(*, actor, pupil, passphrase):
    """The pupil's record as a sealed transfer package (the bytes of a .waymark file).

    Who: staff who may export the pupil (SENCO, deputy SENCO, head, trust lead); an
    archived leaver's record may be exported too. Guarantees: a passphrase of at least 12
    characters; everything ``document.build`` includes and nothing it leaves out; a ZIP
    whose document passes the published schema; AES-256-GCM under a key derived from the
    passphrase with scrypt. The passphrase is never stored, logged or audited. Audited as
    ``exchange.transfer.exported`` with the file's SHA-256 and the counts, never content.
    """
    require(actor is not None and actor.is_staff_member)
    require_pupil(actor, pupil, Action.EXPORT)
    passphrases.check(passphrase)
    contents = builder.build(actor, pupil)
    sealed = seal(build_zip(contents), passphrase)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="exchange.transfer.exported",
            target=pupil,
            pupil=pupil,
            data={
                "sha256": hashlib.sha256(sealed).hexdigest(),
                "size": len(sealed),
                "package_version": contents.document["package_version"],
                "counts": contents.counts(),
            },
        )
    return sealed

"""Documents about a pupil: added by the SENCO (or an outside specialist through their share), kept privately.

Every file is checked from its content (``uploads``) and for viruses (``scanning``)
before anything is written. It is stored in the private storage under a random name,
never the one it came with, and only ever handed out by the scoped download view.
"""

import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.models import Visibility
from waymark.core.services import require, require_pupil, save_versioned

from . import scanning, uploads
from .models import Document
from .selectors import staff_levels
from .shares import require_live_share


def _check_visibility(actor, visibility):
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who can see this document.")})
    if visibility == Visibility.RESTRICTED and not actor.can_see_restricted():
        raise ValidationError({"visibility": _("Only the SENCO and the DSL can restrict a document.")})


def _check_share(actor, pupil, share):
    """A specialist adds a report only through their own live share of this pupil that allows it."""
    require_live_share(actor, share)
    require(share.pupil_id == pupil.pk and share.can_add_report)


def _check_details(actor, *, title, written_on, upload):
    if written_on is None:
        raise ValidationError({"written_on": _("Enter the date of the document.")})
    if written_on > actor.today:
        raise ValidationError({"written_on": _("The date of the document must be today or in the past.")})
    if not (title or "").strip():
        raise ValidationError({"title": _("Enter a title.")})
    if upload is None:
        raise ValidationError({"upload": _("Select a file.")})


def _record_refusal(actor, pupil, code, share=None):
    # Its own transaction, outside the upload's: the refusal is what happened, and the
    # upload writing nothing must not take the record of it away too.
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="evidence.document.refused",
            pupil=pupil,
            data={"reason": code, **({"share": str(share.public_id)} if share else {})},
        )


def document_upload(
    *,
    actor,
    pupil,
    upload,
    title,
    kind,
    written_on,
    visibility=Visibility.STAFF,
    author="",
    share=None,
    recommendations="",
    received_in=None,
):
    """Check ``upload`` and keep it as a document about ``pupil``; return the ``Document``.

    Who: the SENCO or a deputy (pupil EDIT reach), or, with ``share``, the outside
    specialist holding that live share when it lets them add a report; their document is a
    professional report, tied to the share and seen by staff only until the SENCO decides
    otherwise. Only the SENCO or DSL may restrict a document.

    Guarantees: the file is a PDF, .docx, JPEG or PNG by its content, within the size limit,
    with no macros, scripts or attachments, photos re-encoded without EXIF or location;
    checked by the virus scanner where one is set up (``Document.scan`` says which). A
    refused file raises ``ValidationError({"upload": ...})`` and writes nothing to storage
    or to the document table, but leaves an ``evidence.document.refused`` audit event (the
    reason code, never the file) in a transaction of its own: a caller that wraps this
    call in its own transaction and lets the error roll that back loses the event too.
    Audited as ``evidence.document.uploaded`` (with the share's id for a specialist's
    report; the share's own service adds ``evidence.report.added``).

    ``received_in`` (an ``exchange.ReceivedTransfer`` of this pupil) marks a document that came
    from the previous school in a transfer package; it is checked like any upload.

    Not wrapped in one transaction as other services are, for that refusal event: the
    checks before it write nothing, and the keeping (``_keep``) is atomic.
    """
    if share is not None:
        _check_share(actor, pupil, share)
        kind = Document.Kind.PROFESSIONAL_REPORT
        visibility = Visibility.STAFF
        author = (author or f"{share.display_name}, {share.service}")[:150]
    else:
        require_pupil(actor, pupil, Action.EDIT)
        _check_visibility(actor, visibility)
    require(received_in is None or (share is None and received_in.pupil_id == pupil.pk))
    _check_details(actor, title=title, written_on=written_on, upload=upload)
    try:
        checked = uploads.check_upload(upload)
        scan = scanning.scan_or_refuse(checked.received)
    except uploads.UploadRefused as refusal:
        _record_refusal(actor, pupil, refusal.code, share)
        raise ValidationError({"upload": refusal.message}, code=refusal.code) from None
    return _keep(
        actor=actor,
        pupil=pupil,
        checked=checked,
        scan=scan,
        fields={
            "title": title.strip(),
            "kind": kind,
            "written_on": written_on,
            "visibility": visibility,
            "author": (author or "").strip(),
            "share": share,
            "recommendations": (recommendations or "").strip(),
            "received_in": received_in,
        },
    )


@transaction.atomic
def _keep(*, actor, pupil, checked, scan, fields):
    document = Document(
        pupil=pupil,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        scan=scan,
        uploaded_by=actor.user,
        **fields,
    )
    # Checked before the file is written, so a bad title or date leaves no file behind.
    document.full_clean(exclude=["file"])
    # A random name: the person's file name never reaches the file system.
    document.file.save(f"{secrets.token_hex(16)}.{checked.extension}", ContentFile(checked.content), save=False)
    try:
        save_versioned(document)
        share = fields["share"]
        audit_record(
            actor=actor,
            action="evidence.document.uploaded",
            target=document,
            pupil=pupil,
            data={
                "kind": document.kind,
                "visibility": document.visibility,
                "content_type": document.content_type,
                "size": document.size,
                "scan": document.scan,
                **({"share": str(share.public_id)} if share else {}),
                **({"received_in": str(document.received_in.public_id)} if document.received_in_id else {}),
            },
        )
    except BaseException:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def document_update(*, actor, document, visibility, expected_version=None):
    """Change who can see a document. The SENCO or a deputy only; restricting is for the SENCO and DSL.

    A stale save (``expected_version`` behind) is refused. Audited as ``evidence.document.updated``.
    """
    require_pupil(actor, document.pupil, Action.EDIT)
    require(document.visibility in staff_levels(actor))
    _check_visibility(actor, visibility)
    before = document.visibility
    document.visibility = visibility
    save_versioned(document, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="evidence.document.updated",
        target=document,
        pupil=document.pupil,
        data={"visibility": visibility, "was": before},
    )
    return document

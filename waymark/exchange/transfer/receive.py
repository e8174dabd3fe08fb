"""Receiving a transfer package: check it and show what would happen, then do it all at once, or nothing.

Two requests (``views.transfers``):

1. ``transfer_check``: the uploaded file and the passphrase. The file is opened and checked
   (``reader``), matched and planned (``intake``); a good file is kept, still encrypted, as
   an import batch waiting for confirmation, with the preview. The passphrase is not kept.
2. ``transfer_confirm``: the passphrase again. The kept file is opened and checked again,
   and ``transfer_receive`` writes everything in one transaction.

``transfer_receive`` is the service that writes; the steps above are how the pages reach
it. Everything it creates goes through services: ``pupil_create``, the need services and
the CTF import's ``sen_history_add`` (closed periods only) for a new pupil;
``measure_record`` and ``document_upload`` (each told the transfer it came in);
``measure_type_create`` for a previous school's own scales.
"""

import contextlib
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.core.audit import audit_record
from waymark.core.models import Visibility
from waymark.core.services import require
from waymark.evidence.documents import document_upload
from waymark.evidence.models import Document
from waymark.exchange import batches
from waymark.exchange.ctf.history import sen_history_add
from waymark.exchange.models import ImportKind, ReceivedTransfer
from waymark.exchange.permissions import require_importer
from waymark.provision.dates import parse_iso_date as day
from waymark.provision.measures import measure_record, measure_type_create
from waymark.pupils.services import need_add, need_end, pupil_create

from .intake import NAME_AND_DOB, plan_intake, preview
from .reader import PackageRefused, max_package_bytes, read_package, too_large_message

CHANGED_SINCE_CHECK = gettext_lazy(
    "Something changed since the file was checked (another record may now match it). Check the file again."
)
CONFIRM_MATCH = gettext_lazy("Confirm that the record is for the pupil it matched, or check the file again.")


def _refused(refusal):
    return ValidationError(refusal.messages, code=refusal.code)


def _open(package_bytes, passphrase):
    try:
        return read_package(package_bytes, passphrase)
    except PackageRefused as refusal:
        raise _refused(refusal) from None


# ----- step 1: check -----


def _read_upload(uploaded_file):
    limit = max_package_bytes()
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise ValidationError({"upload": too_large_message(uploaded_file.size)}, code="too_large")
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"upload": too_large_message()}, code="too_large")
    return data


def _record_rejection(actor, school, code, size):
    # The refusal is what happened; nothing else was written, so it stands on its own.
    with transaction.atomic():
        audit_record(
            actor=actor, action="exchange.transfer.rejected", school=school, data={"reason": code, "size": size}
        )


def transfer_check(*, actor, school, uploaded_file, passphrase):
    """Open and check an uploaded package, and keep it (encrypted) as a batch waiting for confirmation.

    Who: those who may import (SENCO, deputy SENCO). Guarantees: nothing about pupils is
    written; a refused file raises ``ValidationError`` on ``upload`` with every reason, is
    not kept, and leaves an ``exchange.transfer.rejected`` audit event (the reason code and
    size, never content); a good file is kept on private storage under a random name, as
    received, with the preview in ``batch.summary``. The passphrase is neither kept nor logged.
    """
    require_importer(actor, school)
    require(actor.user is not None)
    data = _read_upload(uploaded_file)
    try:
        opened = read_package(data, passphrase)
    except PackageRefused as refusal:
        _record_rejection(actor, school, refusal.code, len(data))
        raise ValidationError({"upload": refusal.messages}, code=refusal.code) from None
    summary = preview(plan_intake(actor, school, opened))
    with transaction.atomic():
        batch = batches.batch_open(
            actor=actor,
            school=school,
            kind=ImportKind.TRANSFER,
            uploaded_file=uploaded_file,
            max_bytes=max_package_bytes(),
        )
        try:
            return batches.batch_record_preview(
                batch=batch,
                rows_total=0,
                summary=summary,
                problems=[{"row": 0, "column": "", "message": message} for message in summary["blockers"]],
            )
        except BaseException:
            batch.file.delete(save=False)  # the batch's row goes with the rollback; its file would not
            raise


# ----- step 2: confirm -----


def transfer_confirm(*, actor, batch, passphrase, match_confirmed_pupil=None):
    """Receive a checked batch's package with the passphrase given again; the batch ends COMMITTED.

    All or nothing: a wrong passphrase, a change since the check, or any refusal leaves the
    batch waiting and nothing written, so the person can try again or abandon it.
    """
    require_importer(actor, batch.school)
    require(batch.kind == ImportKind.TRANSFER)
    with transaction.atomic():
        # Claimed first: a batch already imported or abandoned says so, rather than that its file is gone.
        batch = batches.batch_start(actor=actor, batch=batch)
        data = batches.batch_bytes(batch)
        transfer = transfer_receive(
            actor=actor,
            school=batch.school,
            package_bytes=data,
            passphrase=passphrase,
            match_confirmed_pupil=match_confirmed_pupil,
        )
        try:
            batches.batch_finish(actor=actor, batch=batch, summary=transfer.counts)
        except BaseException:
            _delete_files(Document.objects.filter(received_in=transfer))
            raise
    return transfer


# ----- the service that writes -----


def transfer_receive(*, actor, school, package_bytes, passphrase, match_confirmed_pupil=None):
    """Receive a transfer package into ``school``; return the ``ReceivedTransfer``.

    Who: those who may import into the school (SENCO, deputy SENCO), signed in.
    ``match_confirmed_pupil`` is the pupil the person saw the package matched to and
    confirmed, or ``None`` when the check said a new pupil would be created; a different
    match now is refused (``CHANGED_SINCE_CHECK``), and a match on name and date of birth
    alone needs it.

    Guarantees: the package is opened and checked as untrusted input (``reader``); nothing
    of the receiving school is changed (a matched pupil keeps their details, statuses,
    needs and plan); a new pupil is created with the package's SEN history and needs; the
    document is kept as received; measures and documents are created marked as received
    in it (a file the document checks refuse is left out, not fatal); the same package is
    never received twice for the same pupil. One transaction, all or nothing (stored files
    of a failed attempt are removed). Audited as ``exchange.transfer.received`` with the
    package's SHA-256 and counts, never its content.
    """
    require_importer(actor, school)
    require(actor.user is not None)
    opened = _open(package_bytes, passphrase)
    intake = plan_intake(actor, school, opened, check_files=False)
    expected = match_confirmed_pupil.pk if match_confirmed_pupil is not None else None
    if (intake.pupil.pk if intake.pupil else None) != expected:
        raise ValidationError(
            CONFIRM_MATCH if intake.match == NAME_AND_DOB and expected is None else CHANGED_SINCE_CHECK,
            code="match_changed",
        )
    if intake.blockers:
        raise ValidationError(intake.blockers, code="blocked")
    created = []
    try:
        with transaction.atomic():
            new_pupil = intake.pupil is None
            pupil = _create_pupil(actor, school, intake) if new_pupil else intake.pupil
            transfer = _keep(actor, pupil, opened)
            measures = _add_measures(actor, pupil, transfer, intake)
            refused = _add_documents(actor, pupil, transfer, intake, created)
            transfer.counts = {
                "new_pupil": int(new_pupil),
                "plan_versions": len(opened.document["plan_versions"]),
                "reviews": len(opened.document["reviews"]),
                "measures": measures,
                "documents": len(created),
                "files_refused": len(intake.refused_files) + refused,
                "left_out": len(intake.skipped),
            }
            audit_record(
                actor=actor,
                action="exchange.transfer.received",
                target=transfer,
                pupil=pupil,
                data={"sha256": opened.sha256, "package_version": transfer.package_version, **transfer.counts},
            )
    except BaseException:
        _delete_files(created)
        raise
    return transfer


def _delete_files(documents):
    for document in documents:
        with contextlib.suppress(OSError, ValueError):
            document.file.delete(save=False)


def _create_pupil(actor, school, intake):
    data = intake.document["pupil"]
    current = intake.current_status
    pupil = pupil_create(
        actor=actor,
        school=school,
        provision=current["provision"] if current else "N",
        tier=current["tier"] if current else "universal",
        status_from=day(current["starts_on"]) if current else None,
        upn=data["upn"],
        legal_forename=data["legal_forename"],
        legal_surname=data["legal_surname"],
        preferred_name=data.get("preferred_name", ""),
        pronouns=data.get("pronouns", ""),
        date_of_birth=day(data["date_of_birth"]),
        year_group=intake.year_group,
        sex=data["sex"],
        date_joined=actor.today,
    )
    for row in intake.history:
        # Closed periods from the previous school: history only, never the open status.
        sen_history_add(
            actor=actor,
            pupil=pupil,
            provision=row["provision"],
            tier=row["tier"],
            starts_on=day(row["starts_on"]),
            ends_on=day(row["ends_on"]),
        )
    for row, need_type in intake.closed_needs:
        need = _need(actor, pupil, row, need_type)
        need_end(actor=actor, need=need, ends_on=day(row["ends_on"]), expected_version=need.lock_version)
    for row, need_type in intake.open_needs:
        _need(actor, pupil, row, need_type)
    return pupil


def _need(actor, pupil, row, need_type):
    return need_add(
        actor=actor,
        pupil=pupil,
        need_type=need_type,
        rank=row["rank"],
        description=row.get("description", ""),
        visibility=row.get("visibility", "everyone"),
        starts_on=day(row.get("starts_on")),
    )


def _keep(actor, pupil, opened):
    document = opened.document
    transfer = ReceivedTransfer(
        pupil=pupil,
        from_school_name=document["source_school"]["name"],
        from_school_urn=document["source_school"]["urn"],
        package_version=document["package_version"],
        exported_at=datetime.datetime.fromisoformat(document["exported_at"].replace("Z", "+00:00")),
        package_sha256=opened.sha256,
        document=document,
        received_by=actor.user,
    )
    try:
        transfer.full_clean()
        with transaction.atomic():
            transfer.save()
    except (ValidationError, IntegrityError):
        # Received by someone else between the check and now.
        raise ValidationError(_("This package has already been imported for this pupil."), code="duplicate") from None
    return transfer


def _add_measures(actor, pupil, transfer, intake):
    scales = {}
    for entry, target in intake.measures:
        if isinstance(target, dict):
            key = target["name"].lower()
            if key not in scales:
                scales[key] = measure_type_create(
                    actor=actor,
                    name=target["name"],
                    min_value=target["min_value"],
                    max_value=target["max_value"],
                    higher_is_better=target["higher_is_better"],
                )
            target = scales[key]
        measure_record(
            actor=actor,
            pupil=pupil,
            group=None,
            measure_type=target,
            point=entry["point"],
            value=Decimal(entry["value"]),
            taken_on=day(entry["taken_on"]),
            note=entry.get("note", ""),
            received_in=transfer,
        )
    return len(intake.measures)


def _add_documents(actor, pupil, transfer, intake, created):
    """Each file through the document service; one it refuses is left out. Returns how many were refused."""
    refused = 0
    for entry, content, name in intake.documents:
        try:
            with transaction.atomic():
                document = document_upload(
                    actor=actor,
                    pupil=pupil,
                    upload=SimpleUploadedFile(name, content),
                    title=entry["title"],
                    kind=entry["kind"],
                    written_on=day(entry["written_on"]),
                    visibility=Visibility.STAFF,
                    author=entry.get("author", ""),
                    recommendations=entry.get("recommendations", ""),
                    received_in=transfer,
                )
        except ValidationError:
            refused += 1
            continue
        created.append(document)
    return refused

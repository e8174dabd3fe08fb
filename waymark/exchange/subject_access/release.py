"""The release: everything held about the pupil, less what is withheld, as one ZIP.

    README.txt                  what is in the ZIP and what "withheld" means, in plain English
    everything-held.pdf         one tagged PDF (PDF/UA-1) of every section, for reading
    documents/01-<name>         each stored document not withheld, as it was uploaded
    data.json                   the same sections as data
    data/01-<section>.csv       one CSV per register entry, every cell formula-safe

Withheld items and fields read "[withheld: reason]" wherever they would have been. The ZIP is
kept on private storage under a random name (``release_file``, with its SHA-256) for the
audited download; the release itself is audited with counts, never content. A release that
sent restricted words is downloaded only by those who may read them (``selectors``).
"""

import hashlib
import io
import json
import secrets
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from waymark.core.audit import audit_record
from waymark.core.services import STALE_MESSAGE, save_versioned
from waymark.core.spreadsheets import csv_bytes, safe_filename
from waymark.evidence.uploads.kinds import EXTENSIONS
from waymark.provision.dates import day_text

from ..models import SubjectAccessRequest
from .gather import gather
from .readable import format_datetime
from .redaction import annotate, restricted_released, summarise
from .requests import lock_gathering, require_request_administrator

PDF_NAME = "everything-held.pdf"
ZIP_CONTENT_TYPE = "application/zip"


RESTRICTED_UNREAD = _lazy(
    "The record holds restricted information that only the SENCO can read, and it is not withheld. "
    "Ask the SENCO to decide about it (with the DSL) and to release the request."
)


def withheld_text(reason):
    return f"[{_('withheld')}: {reason}]"


def item_cells(item, labels):
    """One item as cells under ``labels``: its words, "[withheld: reason]", or '' where it has none."""
    if item.withheld:
        return [withheld_text(item.withheld)] * max(len(labels), 1)
    by_label = {value.label: value for value in item.values}
    cells = []
    for label in labels:
        value = by_label.get(label)
        if value is None:
            cells.append("")
        else:
            cells.append(withheld_text(value.withheld) if value.withheld else value.text)
    return cells


def item_pairs(item):
    """(label, text) pairs of an item as released; empty when the whole item is withheld."""
    if item.withheld:
        return []
    return [(value.label, withheld_text(value.withheld) if value.withheld else value.text) for value in item.values]


def section_csv(section):
    labels = section.labels
    if not section.items:
        return csv_bytes([_("Nothing is held in this part of the record")], [])
    header = [_("Item"), *labels]
    return csv_bytes(header, [[item.released_title, *item_cells(item, labels)] for item in section.items])


def csv_name(section):
    return f"data/{section.number:02d}-{slugify(section.title) or 'section'}.csv"


def release_data(request, sections, *, released_at):
    """The sections as plain data: what ``data.json`` holds."""
    return {
        "about": {
            "pupil": request.pupil.full_name,
            "school": request.pupil.school.name,
            "requested_by": request.requester_name,
            "received_on": request.received_on.isoformat(),
            "released_at": released_at.isoformat(),
            "withheld_means": _("Withheld items and parts read [withheld: reason]."),
        },
        "sections": [
            {
                "title": section.title,
                "what": section.what,
                "file": csv_name(section),
                "items": [
                    {"title": item.released_title, "withheld": item.withheld}
                    if item.withheld
                    else {"title": item.released_title, "fields": dict(item_pairs(item))}
                    for item in section.items
                ],
            }
            for section in sections
        ],
    }


def _pdf_sections(sections):
    out = []
    for section in sections:
        labels = section.labels
        out.append(
            {
                "section": section,
                "labels": labels,
                "rows": [item_cells(item, labels) for item in section.items] if section.tabular else [],
                "items": [
                    {
                        "title": item.released_title,
                        "withheld": item.withheld and withheld_text(item.withheld),
                        "pairs": item_pairs(item),
                    }
                    for item in section.items
                ],
            }
        )
    return out


def release_pdf(request, sections, *, released_at):
    """One tagged PDF (PDF/UA-1) of every section, as ``plans.documents.pdf`` makes plans."""
    from waymark.plans.documents.pdf import tagged_pdf

    html = render_to_string(
        "exchange/sar_release_pdf.html",
        {
            "sar": request,
            "pupil": request.pupil,
            "school": request.pupil.school,
            "sections": _pdf_sections(sections),
            "released_on": day_text(timezone.localdate(released_at)),
            "received_on": day_text(request.received_on),
        },
    )
    return tagged_pdf(html)


def _documents(sections):
    """(name in the ZIP, bytes) of each stored document not withheld; the count of files not found."""
    section = next((section for section in sections if section.model == "evidence.Document"), None)
    files, missing = [], 0
    for item in section.items if section else ():
        if item.withheld or not item.obj.file:
            continue
        try:
            with item.obj.file.open("rb") as handle:
                body = handle.read()
        except (FileNotFoundError, OSError, ValueError):
            missing += 1
            continue
        files.append((_document_name(item, len(files) + 1), body))
    return files, missing


# A file's original name often repeats its title ("SALT report for Zeph.pdf"): withholding either
# withholds the name the file is stored under in the ZIP too.
DOCUMENT_NAME_FIELDS = frozenset({"original_name", "title"})


def _document_name(item, number):
    """The file's name in the ZIP: its original name, unless that or the document's title is withheld."""
    if not DOCUMENT_NAME_FIELDS & {value.name for value in item.withheld_values}:
        return f"documents/{number:02d}-{safe_filename(item.obj.original_name)}"
    extension = EXTENSIONS.get(item.obj.content_type, "bin")
    return f"documents/{number:02d}-document.{extension}"


def build_release(request, sections, *, released_at):
    """The ZIP's bytes and the counts that describe it (never content)."""
    counts = summarise(sections)
    files, missing = _documents(sections)
    counts["documents"] = len(files)
    counts["documents_missing"] = missing
    readme = render_to_string(
        "exchange/sar_release_readme.txt",
        {
            "sar": request,
            "pupil": request.pupil,
            "school": request.pupil.school,
            "sections": sections,
            "csv_names": [(section, csv_name(section)) for section in sections],
            "counts": counts,
            "pdf_name": PDF_NAME,
            "released_on": format_datetime(released_at),
            "received_on": day_text(request.received_on),
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme.encode("utf-8"))
        archive.writestr(PDF_NAME, release_pdf(request, sections, released_at=released_at))
        for name, body in files:
            archive.writestr(name, body)
        data = release_data(request, sections, released_at=released_at)
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
        for section in sections:
            archive.writestr(csv_name(section), section_csv(section))
    return buffer.getvalue(), counts


def release_preview(request):
    """What a release would hold now: the annotated sections and their counts (for the confirm page)."""
    sections = annotate(request, gather(request.pupil))
    return sections, summarise(sections)


@transaction.atomic
def sar_release(*, actor, request, expected_version):
    """Release everything held about the pupil, less what is withheld, as a ZIP; return the request.

    Guarantees: only someone who administers the records (SENCO, head) may release, and
    only someone who may read restricted content (the SENCO) while restricted items or parts
    are not withheld (``restricted_unread``); the request is still being gathered and
    unchanged since the form was opened (checked on a locked read, so a redaction cannot
    slip in between); the ZIP is built from what is held now, withheld items and fields
    replaced by "[withheld: reason]"; it is stored on private storage with its SHA-256; the
    request becomes RELEASED and read-only. Audited with counts, among them how many items
    went out with restricted words (``restricted_released``), which decides who may download
    it. If saving fails, the stored file is removed again.
    """
    require_request_administrator(actor, request.pupil)
    current = lock_gathering(request)
    # Also checked by save_versioned, but here before the ZIP is built: a stale form builds nothing.
    if expected_version is not None and current.lock_version != int(expected_version):
        raise ValidationError(STALE_MESSAGE, code="stale")
    released_at = timezone.now()
    sections = annotate(current, gather(current.pupil))
    if not actor.can_see_restricted() and restricted_released(sections):
        # Whoever releases has read what goes: restricted words are shown to the SENCO and the DSL
        # alone, so someone else releasing would be sending what nobody who releases has read.
        raise ValidationError(RESTRICTED_UNREAD, code="restricted_unread")
    payload, counts = build_release(current, sections, released_at=released_at)
    current.release_file.save(f"{secrets.token_hex(16)}.zip", ContentFile(payload), save=False)
    stored_name = current.release_file.name
    try:
        current.release_sha256 = hashlib.sha256(payload).hexdigest()
        current.status = SubjectAccessRequest.Status.RELEASED
        current.released_at = released_at
        current.released_by = actor.user
        save_versioned(current, expected_version=expected_version)
        audit_record(actor=actor, action="exchange.sar.released", target=current, pupil=current.pupil, data=counts)
    except Exception:
        current.release_file.storage.delete(stored_name)
        raise
    return current


def download_name(request):
    return safe_filename(f"subject-access-release-{request.received_on.isoformat()}.zip")

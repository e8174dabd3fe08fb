"""The retention run: what has passed its time, and deleting it.

What goes, and when:

- an **archived leaver's whole record** once the school's retention date (date of birth
  plus ``School.retention_years_after_birth``) has passed, unless a legal hold is open:
  every model in the personal-data register (``core.personal_data``) that belongs to the
  pupil, the stored files those rows point at, and the audit events about the pupil. A
  pupil on roll, or not archived, is never deleted, whatever their age;
- **audit events** older than ``WAYMARK_AUDIT_RETENTION_DAYS``;
- **uploaded import files** and their batches, 30 days after the import finished (or was
  left at its preview);
- **accounts with nothing left** (``installation``): no parent link, no membership, no
  share and no local-authority role (a parent whose children's records have all gone).

Each deletion leaves a ``DeletionRecord`` (kind, school, the deleted public id, the rule,
counts by model) and never a name. Each pupil's record goes in one transaction with its
record, and its files leave the disk only once that transaction has committed.
"""

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from waymark.core.audit import audit_record
from waymark.core.models import AuditEvent
from waymark.core.personal_data import PERSONAL_DATA
from waymark.evidence.storage import private_storage
from waymark.pupils.models import Pupil

from ..batches import batch_fail_stuck
from ..models import DeletionRecord, ImportBatch, LegalHold, retention_ends_on
from ..permissions import require_records_administrator
from .records import open_holds

IMPORT_FILE_DAYS = 30
AUDIT_LABEL = AuditEvent._meta.label  # "core.AuditEvent"
Status = ImportBatch.Status
logger = logging.getLogger(__name__)


def audit_cutoff(now=None):
    return (now or timezone.now()) - datetime.timedelta(days=settings.WAYMARK_AUDIT_RETENTION_DAYS)


def _import_cutoff(now):
    return now - datetime.timedelta(days=IMPORT_FILE_DAYS)


@dataclass
class DuePupil:
    pupil: Pupil
    ends_on: datetime.date  # the day after which the record may go
    hold: LegalHold | None = None


@dataclass
class SchoolRetention:
    """What has passed retention in one school, read without changing anything."""

    school: object
    today: datetime.date
    years: int
    due: list = field(default_factory=list)  # DuePupil: will be deleted
    held: list = field(default_factory=list)  # DuePupil with an open legal hold: kept
    import_batches: list = field(default_factory=list)
    audit_events: int = 0
    audit_before: datetime.datetime | None = None


@dataclass
class SchoolRun:
    school: object
    pupils: int = 0
    files: int = 0
    import_files: int = 0
    audit_events: int = 0
    skipped: list = field(default_factory=list)  # (public id, reason)
    counts: Counter = field(default_factory=Counter)


# ----- what is due -----


def _past_retention_candidates(school, today):
    years = school.retention_years_after_birth
    # Anyone born after this cannot be past retention; the exact day is checked in Python below.
    born_by = datetime.date(today.year - years, 12, 31)
    holds = open_holds().filter(pupil=OuterRef("pk"))
    return (
        Pupil.objects.filter(
            school=school,
            archived_at__isnull=False,
            date_left__isnull=False,
            date_left__lte=today,
            date_of_birth__lte=born_by,
        )
        .annotate(on_hold=Exists(holds))
        .order_by("legal_surname", "legal_forename", "pk")
    )


def retention_preview(*, actor, school, today=None, now=None):
    """What a retention run would delete in ``school`` now, and what a legal hold keeps. Changes nothing.

    Who: the system actor (the command) or those who administer the school's records.
    """
    require_records_administrator(actor, school)
    now = now or timezone.now()
    today = today or timezone.localdate()
    plan = SchoolRetention(school=school, today=today, years=school.retention_years_after_birth)
    candidates = list(_past_retention_candidates(school, today))
    held_ids = [pupil.pk for pupil in candidates if pupil.on_hold]
    holds = {hold.pupil_id: hold for hold in open_holds().filter(pupil_id__in=held_ids)}
    for pupil in candidates:
        ends_on = retention_ends_on(pupil, plan.years)
        if ends_on >= today:
            continue
        if pupil.on_hold:
            plan.held.append(DuePupil(pupil, ends_on, holds.get(pupil.pk)))
        else:
            plan.due.append(DuePupil(pupil, ends_on))
    plan.import_batches = list(_expired_batches(school, now))
    plan.audit_before = audit_cutoff(now)
    plan.audit_events = AuditEvent.objects.filter(school=school, created_at__lt=plan.audit_before).count()
    return plan


def _expired_batches(school, now):
    cutoff = _import_cutoff(now)
    finished = ~Q(status__in=[Status.QUEUED, Status.RUNNING, Status.PREVIEWED]) & Q(finished_at__lt=cutoff)
    # A preview nobody went on with for 30 days is as finished as an abandoned one.
    left_at_preview = Q(status=Status.PREVIEWED, created_at__lt=cutoff)
    return ImportBatch.objects.filter(school=school).filter(finished | left_at_preview).order_by("created_at", "pk")


# ----- deleting one pupil's record -----


def _owned_by_pupil(entry):
    """Whether the register's path to the pupil runs along foreign keys from the model itself.

    A model reached the other way (a session log, through its attendance) belongs to
    something else, a group, and stays: only the pupil's own rows under it go.
    """
    if entry.by_public_id or not entry.pupil_path:
        return True
    model = entry.model_class
    for name in entry.pupil_path.split("__"):
        field_ = model._meta.get_field(name)
        # A concrete foreign key or one-to-one field; a reverse relation is not concrete.
        if not (field_.concrete and (field_.many_to_one or field_.one_to_one)):
            return False
        model = field_.related_model
    return True


def _stored_files(pupil):
    names = []
    for entry in PERSONAL_DATA:
        if not _owned_by_pupil(entry):
            continue
        for field_ in entry.model_class._meta.concrete_fields:
            if isinstance(field_, models.FileField):
                names += [name for name in entry.for_pupil(pupil).values_list(field_.name, flat=True) if name]
    return names


def _delete_files_on_commit(names):
    def delete():
        storage = private_storage()
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                # The row has gone; a file left behind has only its random name, and is logged.
                logger.warning("Retention could not delete the stored file %s.", name)

    transaction.on_commit(delete)


def deletion_problem(pupil, *, today, years, has_hold):
    """Why ``pupil``'s record must not be deleted now, or ``None`` if it may be."""
    if not pupil.is_archived:
        return "not archived"
    if pupil.date_left is None or pupil.date_left > today:
        return "on roll"
    if retention_ends_on(pupil, years) >= today:
        return "retention date not passed"
    if has_hold:
        return "legal hold"
    return None


def _delete_pupil_rows(pupil):
    """Delete every row of the register that belongs to ``pupil``; the counts by model."""
    counts = Counter()
    # Children before parents, the register's order reversed: reviews and parents' responses
    # protect the plan version they are about, so they must go before it.
    for entry in reversed(PERSONAL_DATA):
        if not _owned_by_pupil(entry):
            continue
        if entry.model == AUDIT_LABEL:
            _total, by_model = AuditEvent.objects.purge_for_pupil(pupil.public_id)
        else:
            _total, by_model = entry.for_pupil(pupil).delete()
        counts.update({label: n for label, n in by_model.items() if n})
    return counts


@transaction.atomic
def pupil_record_delete(*, actor, pupil, today=None):
    """Delete ``pupil``'s whole record, past retention, leaving only a ``DeletionRecord``.

    Who: the system actor or those who administer the school's records. Guarantees, checked
    again under a lock on the pupil's row: archived, left, past the school's retention date
    and no open legal hold (otherwise a ``ValidationError`` and nothing deleted). Every
    model of the personal-data register that belongs to the pupil goes, with the audit
    events about them; stored files are deleted once the deletion commits.
    Returns the ``DeletionRecord``.
    """
    school = pupil.school
    require_records_administrator(actor, school)
    today = today or timezone.localdate()
    fresh = Pupil.objects.select_for_update().filter(pk=pupil.pk).order_by("pk").get()
    years = school.retention_years_after_birth
    has_hold = open_holds().filter(pupil=fresh).exists()
    problem = deletion_problem(fresh, today=today, years=years, has_hold=has_hold)
    if problem:
        raise ValidationError(f"This record cannot be deleted: {problem}.")
    subject_id = str(fresh.public_id)
    files = _stored_files(fresh)
    counts = _delete_pupil_rows(fresh)
    counts["files"] = len(files)
    record = DeletionRecord.objects.create(
        kind=DeletionRecord.Kind.PUPIL,
        school=school,
        subject_id=subject_id,
        rule=f"Archived leaver past the school's retention date (date of birth + {years} years); "
        f"deleted on {today.isoformat()}",
        counts=dict(sorted(counts.items())),
    )
    _delete_files_on_commit(files)
    return record


# ----- import files -----


@transaction.atomic
def import_batch_expire(*, actor, batch):
    """Delete a finished (or long-abandoned) import batch and its stored file, leaving a ``DeletionRecord``."""
    require_records_administrator(actor, batch.school)
    name = batch.file.name
    subject_id = str(batch.public_id)
    _total, by_model = ImportBatch.objects.filter(pk=batch.pk).delete()
    counts = {**by_model, "files": 1 if name else 0}
    record = DeletionRecord.objects.create(
        kind=DeletionRecord.Kind.IMPORT_FILE,
        school=batch.school,
        subject_id=subject_id,
        rule=f"Import file and its checks, kept {IMPORT_FILE_DAYS} days after the import finished",
        counts=counts,
    )
    if name:
        _delete_files_on_commit([name])
    return record


# ----- audit events -----


@transaction.atomic
def audit_events_expire(*, school=None, now=None):
    """Purge audit events older than ``WAYMARK_AUDIT_RETENTION_DAYS``: one school's, or those with no school.

    Leaves a ``DeletionRecord`` when any went. Returns how many.
    """
    before = audit_cutoff(now)
    events = (
        AuditEvent.objects.filter(school=school)
        if school is not None
        else AuditEvent.objects.filter(school__isnull=True)
    )
    total, _by_model = events.purge_expired(before=before)
    if total:
        DeletionRecord.objects.create(
            kind=DeletionRecord.Kind.AUDIT,
            school=school,
            rule=f"Audit events older than {settings.WAYMARK_AUDIT_RETENTION_DAYS} days "
            f"(before {before.date().isoformat()})",
            counts={AUDIT_LABEL: total},
        )
    return total


# ----- a school's run -----


def retention_apply(*, actor, school, today=None, now=None):
    """Delete everything in ``school`` that has passed retention now (see ``retention_preview``).

    Each pupil's record is deleted in its own transaction, so one that cannot go (a hold
    placed a moment ago) is skipped and reported, and the others still go. Audited once
    per run as ``exchange.retention.deleted``, with counts and no pupil's id.
    Returns a ``SchoolRun``.
    """
    now = now or timezone.now()
    today = today or timezone.localdate()
    plan = retention_preview(actor=actor, school=school, today=today, now=now)
    run = SchoolRun(school=school)
    for due in plan.due:
        try:
            record = pupil_record_delete(actor=actor, pupil=due.pupil, today=today)
        except ValidationError as error:
            run.skipped.append((str(due.pupil.public_id), " ".join(error.messages)))
            continue
        except ProtectedError as error:
            # A model outside the register protects one of the rows: nothing of this pupil went.
            labels = sorted({obj._meta.label for obj in error.protected_objects})
            run.skipped.append((str(due.pupil.public_id), f"still referred to by {', '.join(labels)}."))
            continue
        run.pupils += 1
        run.files += record.counts.get("files", 0)
        run.counts.update(record.counts)
    # An import its worker never finished would otherwise say "Importing" for ever.
    batch_fail_stuck(school=school, actor=actor, now=now)
    for batch in plan.import_batches:
        record = import_batch_expire(actor=actor, batch=batch)
        run.import_files += 1
        run.files += record.counts.get("files", 0)
    run.audit_events = audit_events_expire(school=school, now=now)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="exchange.retention.deleted",
            school=school,
            data={
                "pupils": run.pupils,
                "import_files": run.import_files,
                "audit_events": run.audit_events,
                "files": run.files,
                "skipped": len(run.skipped),
            },
        )
    return run

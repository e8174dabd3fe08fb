"""``manage.py retention``: the dry run changes nothing; the run deletes exactly what has passed.

``expired`` is an archived leaver past the school's retention date with something in nearly
every model of the personal-data register: plans with a review (which protects the plan
version), documents and a subject access release on disk, notifications and audit events
about them, a parent and a specialist whose accounts have nothing else. Around them sit the
records that must survive: pupils on roll, leavers not archived, a legal hold, a record not
yet past its date, another school's, another pupil's attendance in the same session.
"""

import datetime
import hashlib
import io
import json
import os

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.accounts.models import User
from waymark.core.actor import Actor
from waymark.core.audit import audit_record
from waymark.core.models import AuditEvent, Notification
from waymark.core.personal_data import PERSONAL_DATA
from waymark.evidence.models import Document, Note
from waymark.evidence.storage import private_storage
from waymark.exchange.models import DeletionRecord, ImportBatch, LegalHold, ReceivedTransfer, SubjectAccessRequest
from waymark.exchange.retention import pupil_record_delete, retention_preview
from waymark.plans.tests.review_factories import AgreementResponseFactory, plan_in_force, started_review
from waymark.provision.models import Attendance, SessionLog
from waymark.provision.tests import factories as pf
from waymark.pupils.models import Pupil
from waymark.tests import factories as f
from waymark.tests.helpers import fingerprint

TODAY = timezone.localdate()
D = datetime.timedelta(days=1)
LONG_AGO = timezone.now() - datetime.timedelta(days=10)


def stored_files():
    root = django_settings.WAYMARK_PRIVATE_MEDIA_ROOT
    return sorted(os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names)


def old_pupil(school, *, archived=True, left=datetime.date(1998, 7, 20), born=datetime.date(1980, 3, 14), **fields):
    pupil = f.PupilFactory(
        school=school,
        date_of_birth=born,
        date_joined=datetime.date(born.year + 4, 9, 1),
        date_left=left,
        **fields,
    )
    f.SenStatusFactory(pupil=pupil, provision="K", tier="targeted", starts_on=datetime.date(born.year + 5, 9, 1))
    if archived:
        archive(pupil)
    return pupil


def archive(pupil):
    with scopes_disabled():
        Pupil.objects.filter(pk=pupil.pk).update(archived_at=timezone.now())
        pupil.refresh_from_db()


def hold(pupil, by, **fields):
    with scopes_disabled():
        return LegalHold.objects.create(pupil=pupil, reason="A claim", placed_by=by, **fields)


def age_audit_event(event, days):
    # Audit rows are append-only to the app; a test moves one back in time underneath it.
    models.QuerySet.update(AuditEvent.objects.filter(pk=event.pk), created_at=timezone.now() - days * D)


def build_expired(cast):
    """An archived leaver past retention with rows in nearly every register model. Returns a namespace."""
    with scopes_disabled():
        return _build_expired(cast)


def _build_expired(cast):
    from types import SimpleNamespace

    x = SimpleNamespace()
    school = cast.school
    x.pupil = pupil = f.PupilFactory(
        school=school,
        legal_forename="Wilhelmina",
        legal_surname="Expiredshire",
        date_of_birth=datetime.date(1980, 3, 14),
        date_joined=datetime.date(1984, 9, 1),
        year_group=8,
    )
    f.SenStatusFactory(pupil=pupil, provision="K", tier="targeted", starts_on=datetime.date(1990, 9, 1))
    f.NeedFactory(pupil=pupil, rank=1)
    f.EnrolmentFactory(pupil=pupil, group=cast.class_group)
    x.parent = f.UserFactory(
        full_name="Ottoline Orphanparent", email="orphan.parent@example.test", date_joined=LONG_AGO
    )
    f.ParentLinkFactory(pupil=pupil, user=x.parent)
    x.specialist = f.UserFactory(full_name="Sol Specialist", date_joined=LONG_AGO)
    f.ShareFactory(pupil=pupil, specialist=x.specialist, created_by=cast.senco)
    # A plan in force with a review and a parent's response: both protect the version.
    version = plan_in_force(pupil, by=cast.senco)
    started_review(pupil, cast.senco)
    link = pupil.parent_links.get()
    AgreementResponseFactory(version=version, link=link)
    Note.objects.create(pupil=pupil, text="Settled well.", happened_on=TODAY - 400 * D, written_by=cast.senco)
    x.document = Document.objects.create(
        pupil=pupil,
        title="EP report",
        kind=Document.Kind.PROFESSIONAL_REPORT,
        written_on=TODAY - 500 * D,
        file=ContentFile(b"%PDF-1.4 report", name="report.pdf"),
        original_name="report.pdf",
        content_type="application/pdf",
        size=15,
        sha256=hashlib.sha256(b"%PDF-1.4 report").hexdigest(),
        scan=Document.Scan.NOT_SCANNED,
        uploaded_by=cast.senco,
    )
    x.sar = SubjectAccessRequest.objects.create(
        pupil=pupil,
        requester_kind=SubjectAccessRequest.Requester.PARENT,
        requester_name="Ottoline Orphanparent",
        identity_check=SubjectAccessRequest.IdentityCheck.KNOWN_PARENT,
        received_on=TODAY - 300 * D,
        due_on=TODAY - 270 * D,
        logged_by=cast.senco,
        status=SubjectAccessRequest.Status.RELEASED,
        release_file=ContentFile(b"PK release", name="release.zip"),
    )
    ReceivedTransfer.objects.create(
        pupil=pupil,
        from_school_name="Old School",
        package_version="1.0",
        exported_at=timezone.now() - 900 * D,
        package_sha256="a" * 64,
        document={"pupil": {}},
        received_by=cast.senco,
    )
    pf.GroupMemberFactory(group=cast.group, pupil=pupil)
    x.session = pf.SessionLogFactory(group=cast.group, date=TODAY - 200 * D, logged_by=cast.ta)
    pf.AttendanceFactory(session=x.session, pupil=pupil)
    x.other_attendance = pf.AttendanceFactory(session=x.session, pupil=cast.pupil)
    pf.MeasureFactory(pupil=pupil, recorded_by=cast.ta)
    pf.OtherCostFactory(school=school, pupil=pupil, created_by=cast.senco)
    hold(pupil, cast.head, lifted_at=timezone.now(), lifted_by=cast.head)
    Notification.objects.create(
        school=school,
        kind="plan_shared",
        event_key="k1",
        email="orphan.parent@example.test",
        pupil_id=pupil.public_id,
        subject="Plan",
    )
    with scope(school=[school.pk]):
        audit_record(actor=Actor.for_user(cast.senco), action="pupils.pupil.viewed", target=pupil, pupil=pupil)
    Pupil.objects.filter(pk=pupil.pk).update(date_left=datetime.date(1998, 7, 20), archived_at=timezone.now())
    pupil.refresh_from_db()
    x.files = [x.document.file.name, x.sar.release_file.name]
    return x


@pytest.fixture
def expired(cast):
    return build_expired(cast)


def run(*args):
    out = io.StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def everything():
    """Counts of every register model, deletion records, users and the files on disk."""
    with scopes_disabled():
        counts = {entry.model: entry.model_class._default_manager.count() for entry in PERSONAL_DATA}
        counts["DeletionRecord"] = DeletionRecord.objects.count()
        counts["users"] = User.objects.count()
        counts["ImportBatch"] = ImportBatch.objects.count()
        counts["archived"] = list(Pupil.objects.filter(archived_at__isnull=False).values_list("pk", flat=True))
    counts["files"] = stored_files()
    return counts


def rows_about(pupil):
    with scopes_disabled():
        return {entry.model: entry.for_pupil(pupil).count() for entry in PERSONAL_DATA}


# ----- the dry run -----


def test_one_of_dry_run_or_apply_is_required(cast):
    with pytest.raises(CommandError):
        run()
    with pytest.raises(CommandError):
        run("--dry-run", "--apply")


def test_an_unknown_school_is_refused(cast):
    with pytest.raises(CommandError, match="No school has the URN 999999"):
        run("--dry-run", "--school", "999999")


def test_the_dry_run_lists_what_would_go_and_changes_nothing(cast, expired, django_capture_on_commit_callbacks):
    held = old_pupil(cast.school)
    hold(held, cast.head)
    before, counts_before = fingerprint(), everything()
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--dry-run")
    assert fingerprint() == before
    assert everything() == counts_before
    assert str(expired.pupil.public_id) in out
    assert "Past retention but kept by a legal hold: 1" in out and str(held.public_id) in out
    assert "Accounts with no child, school or share left (once the records above go), to delete: 2" in out
    assert "Dry run: nothing was deleted" in out
    # Ids only: a run's output ends up in logs.
    assert "Wilhelmina" not in out and "Expiredshire" not in out and "Ottoline" not in out


# ----- applying -----


def test_apply_deletes_the_whole_record_files_and_audit_trail(cast, expired, django_capture_on_commit_callbacks):
    assert all(os.path.exists(private_storage().path(name)) for name in expired.files)
    assert rows_about(expired.pupil)["plans.Review"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--apply")
    left = {model: n for model, n in rows_about(expired.pupil).items() if n}
    assert left == {}
    assert not any(os.path.exists(private_storage().path(name)) for name in expired.files)
    assert not AuditEvent.objects.filter(pupil_id=expired.pupil.public_id).exists()
    # The group's session stays, with the other pupil's attendance.
    with scopes_disabled():
        assert SessionLog.objects.filter(pk=expired.session.pk).exists()
        assert Attendance.objects.filter(pk=expired.other_attendance.pk).exists()
        assert Pupil.objects.filter(pk=cast.pupil.pk).exists()
    assert "Deleted: 1 pupil record, 2 stored files" in out


def test_apply_leaves_a_deletion_record_with_no_name(cast, expired, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run("--apply")
    record = DeletionRecord.objects.get(kind=DeletionRecord.Kind.PUPIL)
    assert record.subject_id == str(expired.pupil.public_id)
    assert record.school == cast.school
    assert "31 years" in record.rule
    assert record.counts["pupils.Pupil"] == 1
    assert record.counts["plans.Review"] == 1
    assert record.counts["plans.PlanVersion"] == 1
    assert record.counts["evidence.Document"] == 1
    assert record.counts["core.AuditEvent"] >= 1
    assert record.counts["core.Notification"] == 1
    assert record.counts["files"] == 2
    everything_recorded = json.dumps(list(DeletionRecord.objects.values()), default=str)
    for word in (
        "Wilhelmina",
        "Expiredshire",
        "Ottoline",
        "Orphanparent",
        "orphan.parent",
        "1980-03-14",
        "Sol Specialist",
    ):
        assert word not in everything_recorded


def test_a_run_is_audited_once_per_school_with_counts_and_no_pupil(cast, expired, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run("--apply")
    events = AuditEvent.objects.filter(action="exchange.retention.deleted")
    school_event = events.get(school=cast.school)
    assert school_event.pupil_id is None and school_event.actor is None
    assert school_event.data["pupils"] == 1 and school_event.data["files"] == 2
    assert events.filter(school=cast.other_school).get().data["pupils"] == 0
    installation = events.get(school__isnull=True)
    assert installation.data["accounts"] == 2


def test_parent_accounts_left_with_nothing_are_deleted(cast, expired, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--apply")
    assert not User.objects.filter(pk__in=[expired.parent.pk, expired.specialist.pk]).exists()
    # Everyone in the cast still has a reason to be here.
    assert User.objects.filter(pk__in=[u.pk for u in cast.people.values()]).count() == len(cast.people)
    records = DeletionRecord.objects.filter(kind=DeletionRecord.Kind.PARENT_ACCOUNT)
    assert {r.subject_id for r in records} == {str(expired.parent.public_id), str(expired.specialist.public_id)}
    assert all(r.school is None and r.counts.get("accounts.User") == 1 for r in records)
    assert "Deleted: 2 accounts with no child" in out


def test_an_account_made_moments_ago_or_still_named_on_a_kept_record_stays(cast, django_capture_on_commit_callbacks):
    fresh = f.UserFactory()  # joined now: its link may be on its way
    author = f.UserFactory(date_joined=LONG_AGO)
    with scopes_disabled():
        Note.objects.create(pupil=cast.pupil, text="Seen in class.", happened_on=TODAY, written_by=author)
    admin = f.UserFactory(date_joined=LONG_AGO, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--apply")
    assert User.objects.filter(pk__in=[fresh.pk, author.pk, admin.pk]).count() == 3
    assert f"Kept account {author.public_id}" in out


def test_only_archived_leavers_past_retention_without_a_hold_are_deleted(
    cast, expired, django_capture_on_commit_callbacks
):
    school = cast.school
    on_roll = old_pupil(school, archived=False, left=None)
    on_roll_but_marked = old_pupil(school, archived=True, left=None)
    leaving_later = old_pupil(school, archived=True, left=TODAY + 10 * D)
    not_archived = old_pupil(school, archived=False)
    held = old_pupil(school)
    hold(held, cast.head)
    not_yet = old_pupil(school, born=TODAY.replace(year=TODAY.year - 20), left=TODAY - 300 * D)
    birthday_today = old_pupil(school, born=datetime.date(TODAY.year - 31, TODAY.month, min(TODAY.day, 28)))
    kept = [on_roll, on_roll_but_marked, leaving_later, not_archived, held, not_yet]
    with django_capture_on_commit_callbacks(execute=True):
        run("--apply")
    with scopes_disabled():
        remaining = set(Pupil.objects.values_list("pk", flat=True))
    assert all(p.pk in remaining for p in kept)
    assert expired.pupil.pk not in remaining
    # Retention ends on the day itself; the record goes the day after.
    if TODAY.day <= 28:
        assert birthday_today.pk in remaining


def test_a_lifted_hold_no_longer_keeps_the_record(cast, django_capture_on_commit_callbacks):
    pupil = old_pupil(cast.school)
    hold(pupil, cast.head, lifted_at=timezone.now(), lifted_by=cast.head)
    with django_capture_on_commit_callbacks(execute=True):
        run("--apply")
    with scopes_disabled():
        assert not Pupil.objects.filter(pk=pupil.pk).exists()


def test_a_schools_own_setting_decides(cast, django_capture_on_commit_callbacks):
    pupil = old_pupil(cast.school, born=datetime.date(TODAY.year - 40, 1, 1))
    cast.school.retention_years_after_birth = 50
    cast.school.save()
    with django_capture_on_commit_callbacks(execute=True):
        run("--apply")
    with scopes_disabled():
        assert Pupil.objects.filter(pk=pupil.pk).exists()


def test_school_limits_the_run_to_that_school(cast, expired, django_capture_on_commit_callbacks):
    elsewhere = old_pupil(cast.other_school)
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--apply", "--school", cast.other_school.urn)
    with scopes_disabled():
        assert Pupil.objects.filter(pk=expired.pupil.pk).exists()
        assert not Pupil.objects.filter(pk=elsewhere.pk).exists()
    # Accounts belong to no school: only a run over every school deletes them.
    assert User.objects.filter(pk=expired.parent.pk).exists()
    assert "Across the installation" not in out


def test_a_second_run_finds_nothing_more(cast, expired, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run("--apply")
    records = DeletionRecord.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--apply")
    assert DeletionRecord.objects.count() == records
    assert "Deleted: 0 pupil records" in out


# ----- aged audit events and import files -----


def test_audit_events_past_their_retention_are_purged(cast, settings, django_capture_on_commit_callbacks):
    settings.WAYMARK_AUDIT_RETENTION_DAYS = 100
    with scope(school=[cast.school.pk]):
        actor = Actor.for_user(cast.senco)
        aged = audit_record(actor=actor, action="pupils.register.viewed")
        recent = audit_record(actor=actor, action="pupils.register.viewed")
    no_school = audit_record(actor=None, action="pupils.register.viewed")
    age_audit_event(aged, 101)
    age_audit_event(no_school, 101)
    age_audit_event(recent, 99)
    with django_capture_on_commit_callbacks(execute=True):
        run("--apply", "--school", cast.school.urn)
    assert not AuditEvent.objects.filter(pk=aged.pk).exists()
    assert AuditEvent.objects.filter(pk__in=[recent.pk, no_school.pk]).count() == 2
    record = DeletionRecord.objects.get(kind=DeletionRecord.Kind.AUDIT, school=cast.school)
    assert record.counts == {"core.AuditEvent": 1} and "100 days" in record.rule
    with django_capture_on_commit_callbacks(execute=True):
        run("--apply")
    assert not AuditEvent.objects.filter(pk=no_school.pk).exists()
    assert DeletionRecord.objects.filter(kind=DeletionRecord.Kind.AUDIT, school__isnull=True).count() == 1


def batch(cast, status, *, days_ago, finished=True):
    made = ImportBatch.objects.create(
        school=cast.school,
        kind="roster",
        status=status,
        original_name="roster.csv",
        file=ContentFile(b"UPN,Surname\n", name="x.upload"),
        sha256="b" * 64,
        size=12,
        created_by=cast.senco,
        finished_at=timezone.now() - days_ago * D if finished else None,
    )
    ImportBatch.objects.filter(pk=made.pk).update(created_at=timezone.now() - days_ago * D)
    made.refresh_from_db()
    return made


def test_import_files_go_thirty_days_after_the_import_finished(cast, django_capture_on_commit_callbacks):
    Status = ImportBatch.Status
    with scopes_disabled():
        old_done = batch(cast, Status.COMMITTED, days_ago=31)
        old_preview = batch(cast, Status.PREVIEWED, days_ago=31, finished=False)
        recent_done = batch(cast, Status.REJECTED, days_ago=29)
        running = batch(cast, Status.RUNNING, days_ago=40, finished=False)
    gone_files = [old_done.file.name, old_preview.file.name]
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--apply", "--school", cast.school.urn)
    with scopes_disabled():
        remaining = set(ImportBatch.objects.values_list("pk", flat=True))
    assert remaining == {recent_done.pk, running.pk}
    assert not any(os.path.exists(private_storage().path(name)) for name in gone_files)
    assert os.path.exists(private_storage().path(recent_done.file.name))
    records = DeletionRecord.objects.filter(kind=DeletionRecord.Kind.IMPORT_FILE)
    assert {r.subject_id for r in records} == {str(old_done.public_id), str(old_preview.public_id)}
    assert all(r.counts == {"exchange.ImportBatch": 1, "files": 1} for r in records)
    assert "Deleted: 2 import files" in out


# ----- the service on its own -----


def test_the_service_refuses_a_record_not_due_even_when_asked_directly(cast):
    on_roll = old_pupil(cast.school, archived=False, left=None)
    held = old_pupil(cast.school)
    hold(held, cast.head)
    with scope(school=[cast.school.pk]):
        actor = Actor.system(cast.school)
        for pupil in (on_roll, held, cast.pupil):
            with pytest.raises(Exception) as caught:
                pupil_record_delete(actor=actor, pupil=pupil)
            assert "cannot be deleted" in str(caught.value)
    with scopes_disabled():
        assert Pupil.objects.filter(pk__in=[on_roll.pk, held.pk, cast.pupil.pk]).count() == 3


@pytest.mark.parametrize("who", ["teacher", "dsl", "trust_lead", "governor"])
def test_only_records_administrators_may_see_what_is_due(cast, who):
    from django.core.exceptions import PermissionDenied

    with scope(school=[cast.school.pk]), pytest.raises(PermissionDenied):
        retention_preview(actor=Actor.for_user(getattr(cast, who)), school=cast.school)


def test_a_record_something_else_still_protects_is_kept_and_reported(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db.models.deletion import ProtectedError

    from waymark.exchange.retention import run as retention_run

    blocked, free = old_pupil(cast.school), old_pupil(cast.school)
    real = retention_run.pupil_record_delete

    def delete(*, actor, pupil, today=None):
        if pupil.pk == blocked.pk:
            raise ProtectedError("protected", {cast.school})
        return real(actor=actor, pupil=pupil, today=today)

    monkeypatch.setattr(retention_run, "pupil_record_delete", delete)
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--apply", "--school", cast.school.urn)
    assert f"Kept pupil {blocked.public_id}: still referred to by schools.School." in out
    with scopes_disabled():
        assert Pupil.objects.filter(pk=blocked.pk).exists()
        assert not Pupil.objects.filter(pk=free.pk).exists()
    event = AuditEvent.objects.get(action="exchange.retention.deleted", school=cast.school)
    assert event.data["pupils"] == 1 and event.data["skipped"] == 1

"""Data in and out: imports from the MIS and CTF files, transfers between schools, subject
access requests, legal holds and the record that a deletion happened.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from waymark.core.models import PublicIdModel, VersionedModel
from waymark.evidence.storage import private_storage
from waymark.pupils.models import pupil_child_manager


class ImportKind(models.TextChoices):
    ROSTER = "roster", _("Roster (CSV or XLSX from the MIS)")
    CTF = "ctf", _("Common Transfer File (CTF)")
    TRANSFER = "transfer", _("Transfer package from another school")


class ColumnMapping(models.Model):
    """How a school's MIS export names its columns, remembered for the next import of the same shape.

    ``headers_key`` is the file's header row, normalised (lower case, single spaces, joined
    with a tab), so the same export from the same MIS finds its mapping again.
    """

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    headers_key = models.CharField(max_length=2000)
    mapping = models.JSONField(default=dict)  # {"header as in the file": "field name" or ""}
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(school="school")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "headers_key"], name="one_mapping_per_header_row")]

    def __str__(self):
        return f"Column mapping for {self.school}"


class ImportBatch(PublicIdModel):
    """One uploaded file on its way in: checked, previewed, then committed all at once or not at all.

    The file is kept on private storage between the preview and the commit (two requests,
    or a background task for a large file) and deleted once the batch is committed or
    abandoned; ``rows_done`` is what the progress page reads while a large file commits.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Checked, waiting to be imported")
        REJECTED = "rejected", _("Rejected: nothing imported")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed: nothing imported")
        ABANDONED = "abandoned", _("Abandoned")

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    original_name = models.CharField(max_length=255)
    file = models.FileField(storage=private_storage, upload_to="imports/%Y/%m/", max_length=300, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    mapping = models.JSONField(default=dict, blank=True)  # roster: the column mapping used
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Counts and per-row outcomes of the preview and the commit: {"created": n, "updated": n, ...}
    summary = models.JSONField(default=dict, blank=True)
    # The problems found: [{"row": 3, "column": "DOB", "message": "..."}]; row 0 for the file as a whole.
    problems = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def percent_done(self):
        return 100 if not self.rows_total else min(100, round(100 * self.rows_done / self.rows_total))


class ReceivedTransfer(PublicIdModel):
    """A pupil's record received from their previous school in a transfer package.

    ``document`` is the package's validated JSON (plans from their snapshots, reviews,
    delivered provision, measures, SEN history) kept exactly as received: it is history
    from another school, shown as such and never merged into this school's own plan.
    Measures and documents are also created as rows here, marked with this transfer.
    """

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="received_transfers")
    from_school_name = models.CharField(max_length=200)
    from_school_urn = models.CharField(max_length=6, blank=True)
    package_version = models.CharField(max_length=10)
    exported_at = models.DateTimeField()
    package_sha256 = models.CharField(max_length=64)
    document = models.JSONField()
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    objects = pupil_child_manager()

    class Meta:
        ordering = ["-exported_at", "-id"]
        constraints = [
            # The same package imported twice for the same pupil is one transfer, not two.
            models.UniqueConstraint(fields=["pupil", "package_sha256"], name="one_transfer_per_package_per_pupil"),
        ]

    def __str__(self):
        return f"Record from {self.from_school_name}"


class SubjectAccessRequest(PublicIdModel, VersionedModel):
    """A request for everything held about a pupil, answered within one month (extendable, with a reason)."""

    class Requester(models.TextChoices):
        PARENT = "parent", _("A parent or carer with parental responsibility")
        PUPIL = "pupil", _("The pupil")
        REPRESENTATIVE = "representative", _("Someone acting for the pupil or a parent (with written authority)")

    class IdentityCheck(models.TextChoices):
        KNOWN_PARENT = "known_parent", _("A parent the school knows, asking from their Waymark account or in person")
        DOCUMENTS = "documents", _("Identity documents seen")
        AUTHORITY = "authority", _("Written authority and identity documents seen")
        PUPIL_IN_PERSON = "pupil_in_person", _("The pupil, known to staff, asked in person")

    class Status(models.TextChoices):
        GATHERING = "gathering", _("Being gathered and reviewed")
        RELEASED = "released", _("Released")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REFUSED = "refused", _("Refused")

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="subject_access_requests")
    requester_kind = models.CharField(_("who is asking"), max_length=20, choices=Requester.choices)
    requester_name = models.CharField(_("their full name"), max_length=150)
    parent_link = models.ForeignKey(
        "pupils.ParentLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acting_for = models.CharField(_("who they act for, and their authority"), max_length=300, blank=True)
    identity_check = models.CharField(_("how their identity was checked"), max_length=30, choices=IdentityCheck.choices)
    identity_details = models.CharField(_("details of the check"), max_length=300, blank=True)
    received_on = models.DateField(_("date the request was received"))
    due_on = models.DateField(_("due date"))
    extended_to = models.DateField(_("extended due date"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.GATHERING)
    closed_reason = models.TextField(blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_file = models.FileField(storage=private_storage, upload_to="releases/%Y/%m/", max_length=300, blank=True)
    release_sha256 = models.CharField(max_length=64, blank=True)

    objects = pupil_child_manager()

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"Subject access request from {self.requester_name}"

    @property
    def deadline(self):
        return self.extended_to or self.due_on

    def clean(self):
        errors = {}
        if self.extended_to and self.due_on and self.extended_to <= self.due_on:
            errors["extended_to"] = _("The extended date must be after the due date.")
        if self.extended_to and not self.extension_reason.strip():
            errors["extension_reason"] = _("Give the reason for extending the deadline.")
        if self.requester_kind == self.Requester.REPRESENTATIVE and not self.acting_for.strip():
            errors["acting_for"] = _("Say who they act for and what authority they showed.")
        if errors:
            raise ValidationError(errors)


class Redaction(models.Model):
    """One item, or one field of one item, withheld from a subject access release, and why."""

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="redactions")
    model = models.CharField(max_length=60)  # "app_label.ModelName" from the personal-data register
    object_pk = models.CharField(max_length=64)
    field = models.CharField(max_length=60, blank=True)  # blank: the whole item
    reason = models.CharField(_("reason"), max_length=300)
    redacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    redacted_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="request__pupil__school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "model", "object_pk", "field"], name="one_redaction_per_item"),
        ]

    def __str__(self):
        return f"{self.model} {self.object_pk} {self.field}".strip()


class LegalHold(PublicIdModel):
    """Stops retention deleting a pupil's record (a claim, an inquiry, a safeguarding review) until lifted."""

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.TextField(_("reason for the hold"))
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = pupil_child_manager()

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"], condition=Q(lifted_at__isnull=True), name="one_open_hold_per_pupil"
            )
        ]

    def __str__(self):
        return f"Legal hold from {self.placed_at:%Y-%m-%d}"


class DeletionRecord(models.Model):
    """The minimal record that retention deleted something: what kind, when, under which rule, how many rows.

    Never a name or any content: only that a record with this id existed and was deleted.
    Not scoped, since a deleted pupil's school may itself be gone; read by administrators.
    """

    class Kind(models.TextChoices):
        PUPIL = "pupil", _("A pupil's record, past its retention date")
        AUDIT = "audit", _("Audit events past their retention period")
        PARENT_ACCOUNT = "parent_account", _("A parent's account with no child left")
        IMPORT_FILE = "import_file", _("An uploaded import file no longer needed")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject_id = models.CharField(max_length=64, blank=True)  # the public id that was deleted, if any
    rule = models.CharField(max_length=200)  # "date of birth + 31 years (2026-09-01)"
    counts = models.JSONField(default=dict)  # {"plans.PlanVersion": 3, "files": 2}
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deleted_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} deleted {self.deleted_at:%Y-%m-%d}"


def retention_ends_on(pupil, years_after_birth):
    """The day after which a pupil's record may be deleted: their date of birth plus the school's years."""
    born = pupil.date_of_birth
    try:
        return born.replace(year=born.year + years_after_birth)
    except ValueError:  # born on 29 February
        return datetime.date(born.year + years_after_birth, 3, 1)

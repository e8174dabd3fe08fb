"""Evidence about a pupil: notes on their timeline, documents and reports, and shares with outside specialists."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from waymark.core.models import PublicIdModel, VersionedModel, Visibility
from waymark.pupils.models import pupil_child_manager

from .storage import private_storage


class ShareQuerySet(models.QuerySet):
    def live(self, on=None):
        """Accepted, started, not past expiry and not ended early."""
        on = on or datetime.date.today()
        return self.filter(starts_on__lte=on, expires_on__gte=on, ended_at__isnull=True, specialist__isnull=False)


class Share(PublicIdModel):
    """One pupil shared with one outside specialist (or LA officer) until an expiry date.

    The SENCO shares by email: the share waits, with ``specialist`` empty, until the person
    who holds the emailed link accepts it as an account with that same address.
    """

    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", _("The parents gave their consent")
        PUBLIC_TASK = "public_task", _("Another lawful basis (for example, a statutory assessment)")

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="shares")
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    email = models.EmailField(_("their email address"), blank=True)
    full_name = models.CharField(_("their name"), max_length=150, blank=True)
    service = models.CharField(_("service"), max_length=150, help_text=_("For example, Educational Psychology"))
    can_see_plan = models.BooleanField(_("the plan in force"), default=True)
    can_see_documents = models.BooleanField(_("documents and reports"), default=False)
    can_add_report = models.BooleanField(_("they may add a report or recommendations"), default=False)
    lawful_basis_kind = models.CharField(
        _("lawful basis"), max_length=20, choices=LawfulBasis.choices, default=LawfulBasis.CONSENT
    )
    lawful_basis = models.TextField(_("details of consent or the lawful basis"))
    starts_on = models.DateField(_("from"))
    expires_on = models.DateField(_("until"))
    # The emailed link: only its hash is kept, and it works once.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="pupil__school", _manager_class=models.Manager.from_queryset(ShareQuerySet))

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("starts_on")), name="share_expires_after_start"
            ),
            models.CheckConstraint(condition=Q(specialist__isnull=False) | ~Q(email=""), name="share_names_a_person"),
        ]

    def __str__(self):
        return f"{self.pupil} shared with {self.specialist or self.email} until {self.expires_on}"

    def clean(self):
        if self.starts_on and self.expires_on and self.expires_on < self.starts_on:
            raise ValidationError({"expires_on": _("The share must end after it starts.")})

    @property
    def display_name(self):
        if self.specialist_id:
            return self.specialist.full_name or self.specialist.email
        return self.full_name or self.email

    def is_live(self, on):
        return self.specialist_id is not None and self.ended_at is None and self.starts_on <= on <= self.expires_on


class Note(PublicIdModel, VersionedModel):
    """A dated note on a pupil's timeline, perhaps about one outcome of their plan."""

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"), validators=[MaxLengthValidator(5000)])
    happened_on = models.DateField(_("date"))
    # The outcome's lineage (``plans.Outcome.lineage``), so the link holds across plan versions.
    outcome = models.UUIDField(_("about this outcome (optional)"), null=True, blank=True)
    visibility = models.CharField(
        _("who can see this"), max_length=20, choices=Visibility.choices, default=Visibility.STAFF
    )
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    objects = pupil_child_manager()

    class Meta:
        ordering = ["-happened_on", "-written_at"]

    def __str__(self):
        return f"Note about {self.pupil} on {self.happened_on}"


class Document(PublicIdModel, VersionedModel):
    """A file about a pupil, kept outside the public media path and only ever downloaded through a scoped view."""

    class Kind(models.TextChoices):
        PROFESSIONAL_REPORT = "professional_report", _("Professional report")
        ASSESSMENT = "assessment", _("Assessment")
        LETTER = "letter", _("Letter")
        WORK_SAMPLE = "work_sample", _("Sample of work or photo")
        OTHER = "other", _("Other")

    class Scan(models.TextChoices):
        CLEAN = "clean", _("Checked for viruses")
        NOT_SCANNED = "not_scanned", _("Not checked: no virus scanner is set up")

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind of document"), max_length=30, choices=Kind.choices)
    written_on = models.DateField(_("date of the document"))
    author = models.CharField(_("written by (optional)"), max_length=150, blank=True)
    file = models.FileField(storage=private_storage, upload_to="documents/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    # Decided from the content, never from the name or the browser's claim.
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    scan = models.CharField(max_length=20, choices=Scan.choices)
    visibility = models.CharField(
        _("who can see this"), max_length=20, choices=Visibility.choices, default=Visibility.STAFF
    )
    # A report an outside specialist added through their share.
    share = models.ForeignKey(Share, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    recommendations = models.TextField(_("recommendations (optional)"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Set when the document came in a transfer package from the previous school.
    received_in = models.ForeignKey(
        "exchange.ReceivedTransfer", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )

    objects = pupil_child_manager()

    class Meta:
        ordering = ["-written_on", "-uploaded_at"]

    def __str__(self):
        return self.title

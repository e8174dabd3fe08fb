"""Pupils, their SEN status and needs, their families and their classes."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from waymark.core.models import PublicIdModel, VersionedModel, Visibility
from waymark.schools.models import YEAR_GROUP_CHOICES, year_group_label

from .upn import UPNError, validate_upn


class PupilChildQuerySet(models.QuerySet):
    """Rows that belong to a pupil are reached through the pupils the actor may reach."""

    def restrict(self, actor, action, *, audience="anyone"):
        from .selectors import pupil_filter

        return self.filter(pupil__in=Pupil.objects.filter(pupil_filter(actor, action, audience=audience)))


def pupil_child_manager():
    return ScopedManager(school="pupil__school", _manager_class=models.Manager.from_queryset(PupilChildQuerySet))


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class PupilQuerySet(models.QuerySet):
    def restrict(self, actor, action, *, audience="anyone"):
        """The pupils ``actor`` may take ``action`` on (``pupils.selectors.pupil_filter``)."""
        from .selectors import pupil_filter

        return self.filter(pupil_filter(actor, action, audience=audience))

    def not_archived(self):
        return self.filter(archived_at__isnull=True)

    def matching(self, search):
        """Pupils whose names hold every word of ``search``, or whose UPN is one of them (any case)."""
        pupils = self
        for term in (search or "").split():
            pupils = pupils.filter(
                Q(legal_forename__icontains=term)
                | Q(legal_surname__icontains=term)
                | Q(preferred_name__icontains=term)
                | Q(upn__iexact=term)
            )
        return pupils

    def on_roll(self, on=None):
        on = on or datetime.date.today()
        return self.filter(Q(date_left__isnull=True) | Q(date_left__gte=on))


class Pupil(PublicIdModel, VersionedModel):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField(
        _("UPN"),
        max_length=13,
        blank=True,
        help_text=_("Unique pupil number: 13 characters. Leave blank if the child does not have one."),
    )
    legal_forename = models.CharField(_("legal first name"), max_length=100)
    legal_surname = models.CharField(_("legal last name"), max_length=100)
    preferred_name = models.CharField(
        _("preferred first name"), max_length=100, blank=True, help_text=_("Leave blank to use their legal first name")
    )
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True, help_text=_("For example, she/her"))
    date_of_birth = models.DateField(_("date of birth"))
    year_group = models.SmallIntegerField(_("year group"), choices=YEAR_GROUP_CHOICES)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_joined = models.DateField(_("date joined the school"))
    date_left = models.DateField(_("date left the school"), null=True, blank=True)
    # A leaver's record, kept read-only and out of the register until retention deletes it.
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = ScopedManager(school="school", _manager_class=models.Manager.from_queryset(PupilQuerySet))

    class Meta:
        ordering = ["legal_surname", "legal_forename"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "upn"], condition=~Q(upn=""), name="one_pupil_per_upn_per_school"
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def forename(self):
        return self.preferred_name or self.legal_forename

    @property
    def full_name(self):
        return f"{self.forename} {self.legal_surname}"

    @property
    def year_group_label(self):
        return year_group_label(self.year_group)

    @property
    def is_archived(self):
        return self.archived_at is not None

    def clean(self):
        errors = {}
        if self.upn:
            try:
                self.upn = validate_upn(self.upn)
            except UPNError as error:
                errors["upn"] = str(error)
        today = datetime.date.today()
        if self.date_of_birth and self.date_of_birth > today:
            errors["date_of_birth"] = _("Date of birth must be in the past.")
        if self.date_of_birth and self.date_joined and self.date_joined < self.date_of_birth:
            errors["date_joined"] = _("The date they joined must be after their date of birth.")
        if self.date_left and self.date_joined and self.date_left < self.date_joined:
            errors["date_left"] = _("The date they left must be after the date they joined.")
        if errors:
            raise ValidationError(errors)


class Provision(models.TextChoices):
    """The census SEN provision code."""

    NO_SEN = "N", _("N – No special educational need")
    SEN_SUPPORT = "K", _("K – SEN support")
    EHC_PLAN = "E", _("E – Education, health and care plan")
    # Legacy codes appear in old transfer files: kept as history, never as the open status.
    STATEMENT = "S", _("S – Statement (legacy)")
    SCHOOL_ACTION_PLUS = "P", _("P – School Action Plus (legacy)")
    SCHOOL_ACTION = "A", _("A – School Action (legacy)")


LEGACY_PROVISIONS = {Provision.STATEMENT, Provision.SCHOOL_ACTION_PLUS, Provision.SCHOOL_ACTION}
ON_REGISTER_PROVISIONS = {Provision.SEN_SUPPORT, Provision.EHC_PLAN}


class Tier(models.TextChoices):
    UNIVERSAL = "universal", _("Universal")
    TARGETED = "targeted", _("Targeted")
    TARGETED_PLUS = "targeted_plus", _("Targeted Plus")
    SPECIALIST = "specialist", _("Specialist")


# Which tiers each current provision code may go with.
TIERS_FOR_PROVISION = {
    Provision.NO_SEN: {Tier.UNIVERSAL},
    Provision.SEN_SUPPORT: {Tier.TARGETED, Tier.TARGETED_PLUS},
    Provision.EHC_PLAN: {Tier.SPECIALIST},
}


class SenStatus(models.Model):
    """One period of a pupil's census provision code and tier; at most one is open."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="sen_statuses")
    provision = models.CharField(_("SEN provision"), max_length=1, choices=Provision.choices)
    tier = models.CharField(_("tier of support"), max_length=20, choices=Tier.choices)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    # Empty when an import command or task (``Actor.system``) recorded it, with no person behind it.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = pupil_child_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name_plural = "SEN statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"], condition=Q(ends_on__isnull=True), name="one_open_sen_status_per_pupil"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=False) | Q(provision__in=["N", "K", "E"]),
                name="legacy_provision_is_never_open",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="sen_status_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.provision} from {self.starts_on}"

    @property
    def is_open(self):
        return self.ends_on is None

    def clean(self):
        errors = {}
        if self.is_open and self.provision in LEGACY_PROVISIONS:
            errors["provision"] = _("Legacy codes S, A and P can only be kept as history, not as the current status.")
        allowed = TIERS_FOR_PROVISION.get(self.provision)
        if allowed and self.tier not in allowed:
            if self.provision == Provision.EHC_PLAN:
                errors["tier"] = _("A pupil with an EHC plan is in the specialist tier.")
            elif self.tier == Tier.SPECIALIST:
                errors["tier"] = _("The specialist tier is for pupils with an EHC plan (provision E).")
            elif self.provision == Provision.NO_SEN:
                errors["tier"] = _("A pupil with no SEN (provision N) is in the universal tier.")
            else:
                errors["tier"] = _("SEN support (provision K) goes with the targeted or targeted plus tier.")
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date must be on or after the start date.")
        if errors:
            raise ValidationError(errors)


class AreaOfNeed(models.Model):
    """A broad area of need. Data, not code: the reform may replace them."""

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class NeedType(models.Model):
    """A census need type code (SPLD, ASD, ...)."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    area = models.ForeignKey(AreaOfNeed, null=True, blank=True, on_delete=models.PROTECT, related_name="need_types")
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class Need(PublicIdModel, VersionedModel):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="needs")
    need_type = models.ForeignKey(NeedType, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the primary need, 2 the secondary"))
    description = models.TextField(_("description"), blank=True)
    visibility = models.CharField(
        _("who can see the description"), max_length=20, choices=Visibility.choices, default=Visibility.EVERYONE
    )
    starts_on = models.DateField(_("identified on"), null=True, blank=True)
    ends_on = models.DateField(_("no longer a need from"), null=True, blank=True)

    objects = pupil_child_manager()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "rank"], condition=Q(ends_on__isnull=True), name="one_open_need_per_rank"
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="need_rank_from_one"),
        ]

    def __str__(self):
        return f"{self.need_type.code} (rank {self.rank})"


class ParentLink(PublicIdModel, VersionedModel):
    """A parent or carer of one child: the school's contact record, and their access once they accept.

    The record exists before the parent has an account (the school keeps contact details
    from its MIS, and some parents never use email); ``user`` is set when they accept an
    invitation. Anything but ``active`` removes every page and email.
    """

    class Relationship(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        PARENT = "parent", _("Parent")
        STEP_PARENT = "step_parent", _("Step-parent")
        FOSTER_CARER = "foster_carer", _("Foster carer")
        GUARDIAN = "guardian", _("Guardian")
        GRANDPARENT = "grandparent", _("Grandparent")
        OTHER = "other", _("Other carer")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RESTRICTED = "restricted", _("Restricted")
        SUSPENDED = "suspended", _("Suspended")

    class Format(models.TextChoices):
        STANDARD = "standard", _("No preference")
        LARGE_PRINT = "large_print", _("Large print")
        PAPER = "paper", _("Paper copy")
        PHONE = "phone", _("Phone call")
        EASY_READ = "easy_read", _("Easy read")

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="parent_links"
    )
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("email address"), blank=True)
    relationship = models.CharField(_("relationship to the child"), max_length=20, choices=Relationship.choices)
    parental_responsibility = models.BooleanField(_("has parental responsibility"), default=True)
    contact_by_email = models.BooleanField(_("email"), default=True)
    contact_by_phone = models.BooleanField(_("phone"), default=False)
    contact_by_post = models.BooleanField(_("letter"), default=False)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    language = models.CharField(
        _("preferred language"), max_length=60, blank=True, help_text=_("Leave blank for English")
    )
    needs_interpreter = models.BooleanField(_("needs an interpreter"), default=False)
    preferred_format = models.CharField(
        _("preferred format"), max_length=20, choices=Format.choices, default=Format.STANDARD
    )
    access_needs = models.CharField(
        _("other access needs"),
        max_length=300,
        blank=True,
        help_text=_("For example, a hearing loop, step-free access, or more time in meetings"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Why a link is restricted (a court order, say): only the SENCO and DSL ever see it.
    status_reason = models.TextField(_("reason"), blank=True)

    objects = pupil_child_manager()

    class Meta:
        ordering = ["pupil", "full_name"]
        constraints = [models.UniqueConstraint(fields=["pupil", "user"], name="one_link_per_parent_and_child")]

    def __str__(self):
        return f"{self.full_name} – {self.get_relationship_display()} of {self.pupil}"

    def clean(self):
        if self.status != self.Status.ACTIVE and not self.status_reason.strip():
            raise ValidationError({"status_reason": _("Give the reason this link is restricted or suspended.")})

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def has_account(self):
        return self.user_id is not None

    @property
    def contact_email(self):
        """Where email for this parent goes: their account's address once they have one."""
        return self.user.email if self.user_id else self.email

    @property
    def contact_needs(self):
        """Language, interpreter and format in a line, for every page where staff contact them."""
        parts = []
        if self.language:
            parts.append(self.language)
        if self.needs_interpreter:
            parts.append(str(_("needs an interpreter")))
        if self.preferred_format != self.Format.STANDARD:
            parts.append(str(self.get_preferred_format_display()))
        if self.access_needs:
            parts.append(self.access_needs)
        return ", ".join(parts)


class ParentInvitation(PublicIdModel):
    """An invitation for one parent record to see one child. Needs the emailed link and the code.

    The code is given to the parent in person or by letter, so an email that reaches the
    wrong inbox is not enough. Both are stored only as hashes.
    """

    MAX_CODE_ATTEMPTS = 5

    link = models.ForeignKey(ParentLink, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(school="link__pupil__school")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.link}"

    def is_usable(self, now):
        return (
            self.accepted_at is None
            and self.withdrawn_at is None
            and self.expires_at > now
            and self.failed_attempts < self.MAX_CODE_ATTEMPTS
        )


class Enrolment(models.Model):
    """A pupil in a registration class or teaching group, between two dates (inclusive)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="enrolments")
    group = models.ForeignKey("schools.ClassGroup", on_delete=models.CASCADE, related_name="enrolments")
    starts_on = models.DateField()
    ends_on = models.DateField()

    objects = pupil_child_manager()

    class Meta:
        ordering = ["group"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="enrolment_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.pupil} in {self.group}"

"""Trusts, schools, school time, and who works where in which role."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from waymark.core.models import PublicIdModel, VersionedModel


class Role(models.TextChoices):
    SENCO = "senco", _("SENCO")
    DEPUTY_SENCO = "deputy_senco", _("Deputy SENCO")
    DSL = "dsl", _("Designated safeguarding lead")
    HEAD = "head", _("Headteacher")
    HEAD_OF_YEAR = "head_of_year", _("Head of year")
    TEACHER = "teacher", _("Teacher")
    TEACHING_ASSISTANT = "ta", _("Teaching assistant")
    OFFICE = "office", _("Office or admin")
    GOVERNOR = "governor", _("Governor")
    TRUST_LEAD = "trust_lead", _("Trust lead")


class Phase(models.TextChoices):
    NURSERY = "nursery", _("Nursery")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    ALL_THROUGH = "all_through", _("All-through")
    SPECIAL = "special", _("Special")
    COLLEGE = "college", _("College")


# National curriculum year groups as stored: nursery is -1, reception 0, then 1 to 14.
YEAR_GROUP_CHOICES = [(-1, _("Nursery")), (0, _("Reception"))] + [
    (year, _("Year %(year)d") % {"year": year}) for year in range(1, 15)
]
YEAR_GROUP_LABELS = dict(YEAR_GROUP_CHOICES)
# The year group a school's pupils leave from at the end of the school year, by phase.
FINAL_YEAR_BY_PHASE = {
    Phase.NURSERY: -1,
    Phase.PRIMARY: 6,
    Phase.SECONDARY: 11,
    Phase.ALL_THROUGH: 13,
    Phase.SPECIAL: 14,
    Phase.COLLEGE: 14,
}


def year_group_label(year_group):
    return YEAR_GROUP_LABELS.get(year_group, str(year_group))


def default_mfa_roles():
    return list(settings.WAYMARK_DEFAULT_MFA_ROLES)


class Trust(PublicIdModel):
    """A multi-academy trust: the data controller for its academies."""

    name = models.CharField(_("name"), max_length=200)

    def __str__(self):
        return self.name


class ReviewCycle(models.IntegerChoices):
    """How many months after a review the next one falls due; never more than a year (the duty)."""

    TERMLY = 4, _("Every term")
    TWICE_A_YEAR = 6, _("Twice a year")
    YEARLY = 12, _("Once a year")


MAX_MONTHS_BETWEEN_REVIEWS = 12


def default_review_scale():
    """The rating scale most schools use: -2 much less than expected to +2 much more."""
    return [
        {"value": -2, "label": "Much less than expected"},
        {"value": -1, "label": "Less than expected"},
        {"value": 0, "label": "As expected"},
        {"value": 1, "label": "More than expected"},
        {"value": 2, "label": "Much more than expected"},
    ]


def default_met_ratings():
    return [0, 1, 2]


class School(PublicIdModel, VersionedModel):
    """The tenant: every pupil's record belongs to exactly one school."""

    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(_("name"), max_length=200)
    urn = models.CharField(
        _("URN"), max_length=6, unique=True, validators=[RegexValidator(r"^\d{6}$", _("A URN is 6 digits."))]
    )
    la_number = models.CharField(
        _("local authority number"),
        max_length=3,
        validators=[RegexValidator(r"^\d{3}$", _("A local authority number is 3 digits."))],
    )
    establishment_number = models.CharField(
        _("establishment number"),
        max_length=4,
        validators=[RegexValidator(r"^\d{4}$", _("An establishment number is 4 digits."))],
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    # Roles whose members must set up two-factor sign-in; an empty list leaves it optional.
    mfa_required_roles = models.JSONField(default=default_mfa_roles, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    # Reviews (plans app): how often plans are reviewed, and the scale each outcome is rated on.
    review_cycle_months = models.PositiveSmallIntegerField(
        _("how often plans are reviewed"), choices=ReviewCycle.choices, default=ReviewCycle.TERMLY
    )
    review_scale = models.JSONField(_("outcome rating scale"), default=default_review_scale)
    met_ratings = models.JSONField(_("ratings that count as met"), default=default_met_ratings)
    complaints_procedure = models.TextField(
        _("complaints procedure"),
        blank=True,
        help_text=_("What a parent should do if they are unhappy: who to contact and how. Shown to parents."),
    )
    complaints_url = models.URLField(_("link to the complaints policy"), blank=True)
    # Costing provision (provision app, DOMAIN.md): a school year's weeks, and the notional SEN
    # budget a school spends on one pupil before the local authority tops up.
    school_weeks = models.PositiveSmallIntegerField(
        _("weeks in the school year"), default=38, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    notional_threshold = models.DecimalField(
        _("notional SEN threshold a pupil (£)"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("6000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Pupils whose provision costs more than this a year are flagged on the provision map."),
    )

    # Retention (exchange app, docs/data-protection.md): SEN records are commonly kept by the
    # last school until the pupil's date of birth plus 31 years.
    retention_years_after_birth = models.PositiveSmallIntegerField(
        _("keep a pupil's record until their date of birth plus (years)"),
        default=31,
        validators=[MinValueValidator(18), MaxValueValidator(100)],
        help_text=_("Commonly 31 years for SEN records. Records under a legal hold are never deleted."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def final_year_group(self):
        return FINAL_YEAR_BY_PHASE[self.phase]

    def rating_label(self, value):
        return next((step["label"] for step in self.review_scale if step["value"] == value), "")

    def rating_counts_as_met(self, value):
        return value in self.met_ratings

    @property
    def dfe_number(self):
        return f"{self.la_number}{self.establishment_number}"


class LocalAuthorityOfficer(models.Model):
    """A local-authority user: aggregate figures for the LA's schools, and pupils shared with them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="la_roles")
    la_number = models.CharField(max_length=3)
    name = models.CharField(_("local authority"), max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "la_number"], name="one_la_role_per_user_and_la")]

    def __str__(self):
        return f"{self.user} at {self.name}"


class AcademicYear(PublicIdModel):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="academic_years")
    name = models.CharField(_("name"), max_length=20, help_text=_("For example, 2026 to 2027"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    rolled_over_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "starts_on"], name="one_academic_year_per_start"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="year_ends_after_start"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("The last day must be after the first day.")})


class Term(PublicIdModel):
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("name"), max_length=50, help_text=_("For example, Autumn term"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    objects = ScopedManager(school="academic_year__school")

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not (self.starts_on and self.ends_on and self.academic_year_id):
            return
        if self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("The last day of the term must be after its first day.")})
        year = self.academic_year
        if self.starts_on < year.starts_on or self.ends_on > year.ends_on:
            raise ValidationError(
                _("A term must fall within the school year (%(start)s to %(end)s).")
                % {"start": year.starts_on.strftime("%-d %B %Y"), "end": year.ends_on.strftime("%-d %B %Y")}
            )
        overlapping = Term.objects.filter(
            academic_year=year, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(_("This term overlaps %(term)s.") % {"term": overlapping.first().name})


class Membership(PublicIdModel, VersionedModel):
    """A person's place in one school, with one or more roles (a head who is also the SENCO)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    roles = models.JSONField(_("roles"), default=list)
    year_groups = models.JSONField(_("year groups led"), default=list, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["user__full_name"]
        constraints = [models.UniqueConstraint(fields=["user", "school"], name="one_membership_per_school")]

    def __str__(self):
        return f"{self.user} at {self.school}"

    def clean(self):
        valid = set(Role.values)
        if not self.roles:
            raise ValidationError({"roles": _("Choose at least one role.")})
        unknown = [role for role in self.roles if role not in valid]
        if unknown:
            raise ValidationError({"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)}})
        if Role.HEAD_OF_YEAR in self.roles and not self.year_groups:
            raise ValidationError({"year_groups": _("Choose the year groups a head of year leads.")})
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date must be after the start date.")})

    def is_current(self, on):
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)

    def role_labels(self):
        labels = dict(Role.choices)
        return [labels.get(role, role) for role in self.roles]


class ClassGroup(PublicIdModel, VersionedModel):
    """A registration class (primary form) or a teaching group (secondary subject set), for one school year."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration class")
        TEACHING = "teaching", _("Teaching group")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="class_groups")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="class_groups")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    subject = models.CharField(_("subject"), max_length=60, blank=True)
    year_group = models.SmallIntegerField(_("year group"), choices=YEAR_GROUP_CHOICES, null=True, blank=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["kind", "year_group", "name"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "kind", "name"], name="unique_group_name_per_year")
        ]

    def __str__(self):
        return self.name


class GroupStaff(models.Model):
    """A teacher or TA working with a class or group, between two dates (inclusive)."""

    class Kind(models.TextChoices):
        TEACHER = "teacher", _("Teacher")
        TEACHING_ASSISTANT = "ta", _("Teaching assistant")

    group = models.ForeignKey(ClassGroup, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_assignments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()

    objects = ScopedManager(school="group__school")

    class Meta:
        ordering = ["group", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="staff_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.user} ({self.kind}) in {self.group}"


class StaffInvitation(PublicIdModel):
    """An emailed link a new member of staff follows to join the school with given roles."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff_invitations")
    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=150)
    roles = models.JSONField(default=list)
    year_groups = models.JSONField(default=list, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.email} to {self.school}"

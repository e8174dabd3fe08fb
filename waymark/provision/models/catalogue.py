"""What a school can deliver and measure: intervention types, its interventions, measure types, staff costs.

None of these rows holds anything about a pupil. Built-in intervention and measure types
belong to no school; a school's own interventions may be shared with the other schools
of its trust, so reads go through ``available_to(school)`` rather than the school scope.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from waymark.core.models import PublicIdModel, VersionedModel
from waymark.plans.models import Provision

# Where the money comes from: the same sources a plan's commitments name (DOMAIN.md, costing).
Funding = Provision.Funding


class InterventionType(models.Model):
    """One of the common interventions written for this project (data migration 0002), by broad area."""

    code = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=150)
    area = models.ForeignKey("pupils.AreaOfNeed", on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("what it is"))
    sessions_per_week = models.DecimalField(_("typical sessions a week"), max_digits=4, decimal_places=1)
    minutes_per_session = models.PositiveIntegerField(_("typical minutes a session"))
    group_size = models.PositiveIntegerField(_("typical group size"))
    measure_kind = models.CharField(_("usual measure"), max_length=20, blank=True)

    class Meta:
        ordering = ["area__order", "name"]

    def __str__(self):
        return self.name


class InterventionQuerySet(models.QuerySet):
    def available_to(self, school):
        """The school's own interventions and those other schools of its trust share."""
        shared = Q(shared_with_trust=True, school__trust=school.trust) if school.trust_id else Q(pk__in=[])
        return self.filter(Q(school=school) | shared)


class Intervention(PublicIdModel, VersionedModel):
    """An intervention on a school's list, usually started from a built-in type and adapted."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="interventions")
    intervention_type = models.ForeignKey(
        InterventionType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("type")
    )
    name = models.CharField(_("name"), max_length=150)
    area = models.ForeignKey(
        "pupils.AreaOfNeed", on_delete=models.PROTECT, related_name="+", verbose_name=_("broad area of need")
    )
    description = models.TextField(_("what it is"), blank=True)
    sessions_per_week = models.DecimalField(
        _("sessions a week"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    minutes_per_session = models.PositiveIntegerField(_("minutes a session"), validators=[MinValueValidator(5)])
    group_size = models.PositiveIntegerField(_("usual group size"), validators=[MinValueValidator(1)])
    measure_type = models.ForeignKey(
        "provision.MeasureType",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("how progress is measured"),
    )
    shared_with_trust = models.BooleanField(_("share with the other schools in our trust"), default=False)
    is_archived = models.BooleanField(_("no longer offered"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Not the school scope: a trust's schools read each other's shared interventions (no pupil data).
    objects = models.Manager.from_queryset(InterventionQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="one_intervention_name_per_school")]

    def __str__(self):
        return self.name


class MeasureType(PublicIdModel):
    """A scale progress is measured on. Built-in ones have no school; a school adds its own scales."""

    class Kind(models.TextChoices):
        STANDARD_SCORE = "standard_score", _("Standardised score (mean 100)")
        READING_AGE = "reading_age", _("Reading age")
        SPELLING_AGE = "spelling_age", _("Spelling age")
        SDQ = "sdq", _("SDQ total difficulties")
        BOXALL = "boxall", _("Boxall Profile")
        SCALE = "scale", _("The school's own scale")

    # Ages are stored in months; a ratio gain is worked out for them (DOMAIN.md).
    AGE_KINDS = (Kind.READING_AGE, Kind.SPELLING_AGE)

    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="measure_types"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    min_value = models.DecimalField(_("lowest possible value"), max_digits=7, decimal_places=2)
    max_value = models.DecimalField(_("highest possible value"), max_digits=7, decimal_places=2)
    higher_is_better = models.BooleanField(_("a higher value is better"), default=True)

    objects = models.Manager()

    class Meta:
        ordering = ["school_id", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(max_value__gt=models.F("min_value")), name="measure_range_not_empty"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_age(self):
        return self.kind in self.AGE_KINDS

    def clean(self):
        if self.min_value is not None and self.max_value is not None and self.max_value <= self.min_value:
            raise ValidationError({"max_value": _("The highest value must be more than the lowest.")})


def measure_types_for(school):
    """Built-in measure types and the school's own."""
    return MeasureType.objects.filter(Q(school__isnull=True) | Q(school=school))


class StaffRole(PublicIdModel, VersionedModel):
    """A kind of staff who deliver provision, with what an hour of their time costs the school."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="staff_roles")
    name = models.CharField(_("role"), max_length=100)
    hourly_cost = models.DecimalField(
        _("cost an hour (£)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Pay with on-costs (National Insurance and pension), in pounds."),
    )

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="one_staff_role_name_per_school"),
            models.CheckConstraint(condition=Q(hourly_cost__gte=0), name="staff_role_cost_not_negative"),
        ]

    def __str__(self):
        return self.name

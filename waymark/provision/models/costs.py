"""Costs beyond staff time: resources, licences and outside services."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from waymark.core.models import PublicIdModel

from .catalogue import Funding


class OtherCost(PublicIdModel):
    """A yearly cost for one group (shared by its pupils) or for one pupil."""

    class Kind(models.TextChoices):
        RESOURCES = "resources", _("Resources")
        LICENCE = "licence", _("Licence or subscription")
        OUTSIDE_SERVICE = "outside_service", _("Outside service")
        OTHER = "other", _("Other")

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="other_costs")
    group = models.ForeignKey(
        "provision.InterventionGroup", null=True, blank=True, on_delete=models.CASCADE, related_name="other_costs"
    )
    pupil = models.ForeignKey("pupils.Pupil", null=True, blank=True, on_delete=models.CASCADE, related_name="costs")
    kind = models.CharField(_("kind of cost"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("what it is"), max_length=200)
    annual_amount = models.DecimalField(
        _("cost a year (£)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    funding = models.CharField(_("funded from"), max_length=30, choices=Funding.choices, default=Funding.SEN_BUDGET)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="school")

    class Meta:
        ordering = ["description"]
        constraints = [
            models.CheckConstraint(condition=Q(annual_amount__gte=0), name="other_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(group__isnull=True, pupil__isnull=False) | Q(group__isnull=False, pupil__isnull=True),
                name="other_cost_for_a_group_or_a_pupil",
            ),
        ]

    def __str__(self):
        return self.description

    def clean(self):
        if (self.group_id is None) == (self.pupil_id is None):
            raise ValidationError(_("A cost is for one group or for one pupil."))

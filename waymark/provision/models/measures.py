"""Entry and exit measures, and the small sums that judge progress (DOMAIN.md, "Ratio gain")."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from waymark.core.models import PublicIdModel, VersionedModel
from waymark.pupils.models import pupil_child_manager

# Months in an average year, so a ratio gain does not depend on which months a programme spans.
DAYS_PER_MONTH = Decimal("30.4375")


class Measure(PublicIdModel, VersionedModel):
    """One value on one scale for one pupil on one day: at a group's entry or exit, or a check on the way."""

    class Point(models.TextChoices):
        ENTRY = "entry", _("Entry")
        EXIT = "exit", _("Exit")
        CHECK = "check", _("Check along the way")

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="measures")
    group = models.ForeignKey(
        "provision.InterventionGroup", null=True, blank=True, on_delete=models.CASCADE, related_name="measures"
    )
    measure_type = models.ForeignKey("provision.MeasureType", on_delete=models.PROTECT, related_name="measures")
    point = models.CharField(_("when"), max_length=10, choices=Point.choices)
    # Ages in months; every other kind in the scale's own units.
    value = models.DecimalField(_("value"), max_digits=7, decimal_places=2)
    taken_on = models.DateField(_("date taken"))
    note = models.CharField(_("note (optional)"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Set when the measure came in a transfer package: it was taken at the previous school.
    received_in = models.ForeignKey(
        "exchange.ReceivedTransfer", null=True, blank=True, on_delete=models.CASCADE, related_name="measures"
    )

    objects = pupil_child_manager()

    class Meta:
        ordering = ["taken_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "group", "measure_type", "point"],
                condition=Q(point__in=["entry", "exit"]),
                name="one_entry_and_one_exit_per_pupil_group_measure",
            ),
        ]

    def __str__(self):
        return f"{self.measure_type} {self.get_point_display().lower()} for {self.pupil}"

    def clean(self):
        kind = self.measure_type if self.measure_type_id else None
        if kind is not None and self.value is not None and not (kind.min_value <= self.value <= kind.max_value):
            raise ValidationError(
                {
                    "value": _("Enter a value from %(low)s to %(high)s.")
                    % {"low": kind.min_value, "high": kind.max_value}
                }
            )


def months_between(start, end) -> Decimal:
    return Decimal((end - start).days) / DAYS_PER_MONTH


def ratio_gain(entry_months, exit_months, entry_on, exit_on):
    """Months gained in reading or spelling age ÷ months elapsed; ``None`` when no time has passed."""
    elapsed = months_between(entry_on, exit_on)
    if elapsed <= 0:
        return None
    return ((Decimal(exit_months) - Decimal(entry_months)) / elapsed).quantize(Decimal("0.01"), ROUND_HALF_UP)


class RatioGainBand(models.TextChoices):
    """Brooks's bands: under 1.4 modest, 1.4 to 2 useful, 2 to 3 substantial, 3 and over remarkable."""

    MODEST = "modest", _("Modest")
    USEFUL = "useful", _("Useful")
    SUBSTANTIAL = "substantial", _("Substantial")
    REMARKABLE = "remarkable", _("Remarkable")


def ratio_gain_band(ratio):
    if ratio is None:
        return None
    if ratio >= 3:
        return RatioGainBand.REMARKABLE
    if ratio >= 2:
        return RatioGainBand.SUBSTANTIAL
    if ratio >= Decimal("1.4"):
        return RatioGainBand.USEFUL
    return RatioGainBand.MODEST


USEFUL_OR_BETTER = frozenset({RatioGainBand.USEFUL, RatioGainBand.SUBSTANTIAL, RatioGainBand.REMARKABLE})

"""What is shared with people outside the school. The sharing journey comes with provision."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from waymark.core.models import PublicIdModel


class ShareQuerySet(models.QuerySet):
    def live(self, on=None):
        on = on or datetime.date.today()
        return self.filter(starts_on__lte=on, expires_on__gte=on, ended_at__isnull=True)


class Share(PublicIdModel):
    """One pupil shared with one outside specialist (or LA officer) until an expiry date."""

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="shares")
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares")
    service = models.CharField(_("service"), max_length=150)
    can_see_plan = models.BooleanField(_("can see the plan"), default=True)
    can_see_documents = models.BooleanField(_("can see documents"), default=False)
    can_add_report = models.BooleanField(_("can add a report or recommendations"), default=False)
    lawful_basis = models.TextField(_("consent or other lawful basis"))
    starts_on = models.DateField(_("from"))
    expires_on = models.DateField(_("until"))
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="pupil__school", _manager_class=models.Manager.from_queryset(ShareQuerySet))

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("starts_on")), name="share_expires_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.pupil} shared with {self.specialist} until {self.expires_on}"

    def clean(self):
        if self.starts_on and self.expires_on and self.expires_on < self.starts_on:
            raise ValidationError({"expires_on": _("The share must end after it starts.")})

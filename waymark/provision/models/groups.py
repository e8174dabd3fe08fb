"""Intervention groups: who runs them, who is in them, when they meet, and what each session did.

A group *delivers against* a commitment in a pupil's plan (docs/plans.md): a member row
names the commitment's lineage, so the link survives new plan versions, and the group's
timetable, staff and sessions change without touching the plan.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from waymark.core.models import PublicIdModel, VersionedModel
from waymark.pupils.models import pupil_child_manager

from .catalogue import Funding


class GroupQuerySet(models.QuerySet):
    def led_by(self, user):
        return self.filter(leaders__user=user)


class InterventionGroup(PublicIdModel, VersionedModel):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="intervention_groups")
    intervention = models.ForeignKey(
        "provision.Intervention", on_delete=models.PROTECT, related_name="groups", verbose_name=_("intervention")
    )
    name = models.CharField(_("group name"), max_length=100, help_text=_("For example, Year 3 phonics (Tuesday)"))
    minutes_per_session = models.PositiveIntegerField(_("minutes a session"))
    starts_on = models.DateField(_("first session"))
    ends_on = models.DateField(_("last session"))
    room = models.CharField(_("where (optional)"), max_length=100, blank=True)
    funding = models.CharField(_("funded from"), max_length=30, choices=Funding.choices, default=Funding.SEN_BUDGET)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScopedManager(school="school", _manager_class=models.Manager.from_queryset(GroupQuerySet))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="group_ends_after_start"),
            models.CheckConstraint(condition=Q(minutes_per_session__gte=5), name="group_session_at_least_5_minutes"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last session must be on or after the first.")})


class GroupLeader(models.Model):
    """A member of staff who runs a group; their role prices their time (costing)."""

    group = models.ForeignKey(InterventionGroup, on_delete=models.CASCADE, related_name="leaders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="groups_led")
    staff_role = models.ForeignKey(
        "provision.StaffRole", on_delete=models.PROTECT, related_name="+", verbose_name=_("role (for costing)")
    )

    objects = ScopedManager(school="group__school")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_leader_row_per_person")]

    def __str__(self):
        return f"{self.user} runs {self.group}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class GroupSlot(models.Model):
    """The group meets on this school day at this time, every week of term between its dates."""

    group = models.ForeignKey(InterventionGroup, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    starts_at = models.TimeField(_("time"))

    objects = ScopedManager(school="group__school")

    class Meta:
        ordering = ["weekday", "starts_at"]
        # One session a day keeps "a session logged twice for the same date" meaningful.
        constraints = [models.UniqueConstraint(fields=["group", "weekday"], name="one_slot_per_group_day")]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}"


class GroupMember(models.Model):
    """A pupil in a group between two dates; ``commitment`` is the plan provision it delivers."""

    group = models.ForeignKey(InterventionGroup, on_delete=models.CASCADE, related_name="members")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="intervention_memberships")
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)
    # ``plans.Provision.lineage`` of the commitment in the pupil's plan that this place delivers.
    commitment = models.UUIDField(_("delivers this part of the plan"), null=True, blank=True)

    objects = pupil_child_manager()

    class Meta:
        ordering = ["pupil__legal_surname", "pupil__legal_forename"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="member_leaves_after_joining",
            ),
        ]

    def __str__(self):
        return f"{self.pupil} in {self.group}"

    def is_member_on(self, day):
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


def member_on(day):
    """Filter for member rows current on ``day``."""
    return Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gte=day))


class SessionLog(PublicIdModel, VersionedModel):
    """What happened at one planned session: delivered (with attendance) or cancelled (with a reason)."""

    class Status(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    class CancelReason(models.TextChoices):
        STAFF_ABSENT = "staff_absent", _("Staff absent or covering elsewhere")
        PUPILS_AWAY = "pupils_away", _("Pupils away (trip, event or assessment)")
        ROOM = "room", _("No room available")
        SCHOOL_EVENT = "school_event", _("Whole-school event or closure")
        OTHER = "other", _("Another reason")

    group = models.ForeignKey(InterventionGroup, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    status = models.CharField(_("what happened"), max_length=20, choices=Status.choices)
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=20, choices=CancelReason.choices, blank=True)
    note = models.TextField(_("note (optional)"), blank=True, validators=[MaxLengthValidator(500)])
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="group__school")

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["group", "date"], name="one_session_log_per_group_day"),
            models.CheckConstraint(
                condition=Q(status="delivered", cancel_reason="") | Q(status="cancelled") & ~Q(cancel_reason=""),
                name="cancelled_session_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.group} on {self.date:%d %B %Y}"

    def clean(self):
        if self.status == self.Status.CANCELLED and not self.cancel_reason:
            raise ValidationError({"cancel_reason": _("Say why the session was cancelled.")})
        if self.status == self.Status.DELIVERED:
            self.cancel_reason = ""


class Attendance(models.Model):
    session = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="attendances")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="session_attendances")
    attended = models.BooleanField(_("attended"))

    objects = pupil_child_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "pupil"], name="one_attendance_per_pupil_session")]

    def __str__(self):
        return f"{self.pupil} {'attended' if self.attended else 'missed'} {self.session}"

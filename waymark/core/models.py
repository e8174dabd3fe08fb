"""Shared model building blocks and the append-only audit trail."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicIdModel(models.Model):
    """Rows reached by URL carry an unguessable id; the integer key never leaves the server."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True

    def validate_unique(self, exclude=None):
        # A fresh uuid4 does not collide, and the unique index still guards it. Checking it in
        # full_clean() cost one query per save, joined through the school scope, which
        # PostgreSQL's planner sometimes ran as a scan of whole tables (minutes for the demo).
        super().validate_unique(exclude={*(exclude or ()), "public_id"})


class VersionedModel(models.Model):
    """A row edited through forms: ``lock_version`` lets a service refuse a stale save."""

    lock_version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Visibility(models.TextChoices):
    """Who may read a piece of content, on top of who may see the pupil at all."""

    EVERYONE = "everyone", _("Everyone who can see the plan")
    STAFF = "staff", _("Staff only (never parents)")
    RESTRICTED = "restricted", _("Restricted (SENCO and DSL only)")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only; retention deletes them with purge_expired().")

    def purge_expired(self, *, before):
        """The one way audit rows leave: past their own retention period (see retention)."""
        return models.QuerySet.delete(self.filter(created_at__lt=before))

    def purge_for_pupil(self, pupil_public_id):
        """Retention's other way: a deleted pupil's trail goes with their record (a DeletionRecord stays)."""
        return models.QuerySet.delete(self.filter(pupil_id=pupil_public_id))


class AuditEvent(models.Model):
    """Who did what to which record, and when. Ids and codes only, never copies of content.

    Not scoped by school: the trail must also hold events with no school (sign-in, a
    trust lead's action), and it is only ever read through ``core.selectors``.
    """

    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    pupil_id = models.UUIDField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "-created_at"])]

    def __str__(self):
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")


class Notification(models.Model):
    """One email about one event to one address. The unique key is what stops a second one.

    ``event_key`` names the event precisely (the review date it reminds about, the version
    that was shared), so a reminder re-run by cron, a retried task or a second worker finds
    the row already there and sends nothing.
    """

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    event_key = models.CharField(max_length=200)
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pupil_id = models.UUIDField(null=True, blank=True)
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "event_key", "email"], name="one_notification_per_event_and_address"
            )
        ]

    def __str__(self):
        return f"{self.kind} to {self.email} ({self.event_key})"

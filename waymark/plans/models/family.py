"""What parents and the pupil bring to the plan: views before a review, agreement or
disagreement with a version shared for agreement, requests, and the pupil's own voice.

Each parent's contributions are theirs: another parent of the same child sees them only
when the school chooses to share them (``shared_with_family``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waymark.core.models import PublicIdModel, Visibility

from .plan import PlanVersion, SupportPlan, VersionContent, version_content_manager
from .review import Review, plan_child_manager


class ContributionChannel(models.TextChoices):
    """How a parent's words reached the school. Anything but online was recorded by staff."""

    ONLINE = "online", _("Written by the parent in Waymark")
    MEETING = "meeting", _("Given at a meeting")
    PAPER = "paper", _("Given on paper")
    PHONE = "phone", _("Given by phone")


class OnBehalfMixin(models.Model):
    given_via = models.CharField(
        _("how it was given"), max_length=20, choices=ContributionChannel.choices, default=ContributionChannel.ONLINE
    )
    # The member of staff who recorded it on the parent's behalf; empty when the parent wrote it.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        abstract = True

    @property
    def on_behalf(self):
        return self.given_via != ContributionChannel.ONLINE


class ParentContribution(PublicIdModel, OnBehalfMixin):
    """A parent's views on how things are going, given before (or at) a review."""

    link = models.ForeignKey("pupils.ParentLink", on_delete=models.CASCADE, related_name="contributions")
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="contributions")
    # Set when the review they fed into is completed; until then they belong to the coming one.
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="parent_views", editable=False
    )
    going_well = models.TextField(_("What is going well at home"), blank=True)
    worries = models.TextField(_("What worries us"), blank=True)
    would_like = models.TextField(_("What we would like to happen"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    shared_with_family = models.BooleanField(_("show to the child's other parents and carers"), default=False)
    seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = plan_child_manager()

    class Meta:
        ordering = ["plan", "-created_at"]

    def __str__(self):
        return f"Views of {self.link.full_name} on {self.created_at:%Y-%m-%d}"


class AgreementResponse(PublicIdModel, OnBehalfMixin):
    """A parent agrees or disagrees with one exact version shared for agreement."""

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="responses")
    link = models.ForeignKey("pupils.ParentLink", on_delete=models.CASCADE, related_name="responses")
    agrees = models.BooleanField(_("agrees with the plan"))
    comment = models.TextField(_("comment"), blank=True)
    responded_at = models.DateTimeField(auto_now_add=True)
    reply = models.TextField(_("the school's reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True, editable=False)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = version_content_manager()

    class Meta:
        ordering = ["version", "responded_at"]
        constraints = [models.UniqueConstraint(fields=["version", "link"], name="one_response_per_parent_and_version")]

    def __str__(self):
        return f"{self.link.full_name} {'agrees' if self.agrees else 'disagrees'} with {self.version}"


class ParentRequest(PublicIdModel, OnBehalfMixin):
    """A parent asks for a meeting or a paper copy of the plan."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("A meeting")
        PAPER_COPY = "paper_copy", _("A paper copy of the plan")

    link = models.ForeignKey("pupils.ParentLink", on_delete=models.CASCADE, related_name="requests")
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="parent_requests")
    kind = models.CharField(_("what they asked for"), max_length=20, choices=Kind.choices)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = plan_child_manager()

    class Meta:
        ordering = ["plan", "-created_at"]

    def __str__(self):
        return f"{self.link.full_name} asked for {self.get_kind_display()}"


class PupilVoice(PublicIdModel, VersionContent):
    """The pupil's own answers, given in the locked pupil-voice mode, shown in the about-me section.

    ``visibility`` STAFF is the SENCO's judgement that an older pupil's views are kept from
    their parents. Carried forward with the about-me section when a new draft is started.
    """

    class Style(models.TextChoices):
        YOUNGER = "younger", _("Younger pupils: pictures and few words")
        OLDER = "older", _("Older pupils: plain text")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="pupil_voices")
    style = models.CharField(max_length=10, choices=Style.choices)
    # [{"question": "...", "answer": "..."}, ...] in the order asked, with the words as shown.
    answers = models.JSONField(default=list)
    given_at = models.DateTimeField()
    # The adult who opened the locked mode and sat with the pupil.
    given_with = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["version", "given_at"]

    def __str__(self):
        return f"Pupil's views given {self.given_at:%Y-%m-%d}"

    @property
    def hidden_from_parents(self):
        return self.visibility != Visibility.EVERYONE

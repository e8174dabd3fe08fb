"""Reviews: assess, plan, do, review. A review rates each outcome of the plan in force, records
who took part and what they said, decides what happens next and opens the next draft."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from waymark.core.models import PublicIdModel, VersionedModel
from waymark.pupils.models import PupilChildQuerySet

from .plan import PlanVersion, SupportPlan


class PlanChildQuerySet(models.QuerySet):
    """Rows that belong to a plan are reached through the pupils the actor may reach."""

    def restrict(self, actor, action, *, audience="anyone"):
        from waymark.pupils.models import Pupil
        from waymark.pupils.selectors import pupil_filter

        return self.filter(plan__pupil__in=Pupil.objects.filter(pupil_filter(actor, action, audience=audience)))


def plan_child_manager():
    return ScopedManager(school="plan__pupil__school", _manager_class=models.Manager.from_queryset(PlanChildQuerySet))


class Review(PublicIdModel, VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being written")
        COMPLETED = "completed", _("Completed")

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue the plan as it is")
        ADJUST = "adjust", _("Adjust the plan")
        NEW_OUTCOMES = "new_outcomes", _("Set new outcomes")
        SPECIALIST = "specialist", _("Seek advice from an outside specialist")
        EHC_REQUEST = "ehc_request", _("Request an EHC needs assessment")

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="reviews")
    # The version in force that was reviewed; its snapshot names the outcomes rated.
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    held_on = models.DateField(_("date of the review"))
    participants = models.TextField(
        _("who took part"), blank=True, help_text=_("Staff, specialists and anyone else, with their role")
    )
    parents_present = models.ManyToManyField(
        "pupils.ParentLink", blank=True, related_name="+", verbose_name=_("parents and carers who took part")
    )
    pupil_took_part = models.BooleanField(_("the pupil took part"), default=False)
    pupil_views = models.TextField(_("the pupil's views"), blank=True)
    # The SENCO's judgement for an older pupil: their views are kept from their parents.
    pupil_views_hidden_from_parents = models.BooleanField(_("keep the pupil's views from their parents"), default=False)
    what_worked = models.TextField(_("what worked"), blank=True)
    what_did_not = models.TextField(_("what did not work"), blank=True)
    decisions = models.JSONField(_("decision"), default=list, blank=True)
    decision_notes = models.TextField(_("more about the decision"), blank=True)
    next_review_on = models.DateField(_("next review date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # The draft that completing the review opened, with unmet outcomes carried forward.
    next_version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = plan_child_manager()

    class Meta:
        ordering = ["plan", "-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status="draft"), name="one_review_in_progress_per_plan"
            )
        ]

    def __str__(self):
        return f"Review of {self.plan.pupil} on {self.held_on}"

    @property
    def is_completed(self):
        return self.status == self.Status.COMPLETED

    def decision_labels(self):
        return [str(self.Decision(value).label) for value in self.decisions if value in self.Decision.values]


class OutcomeRating(models.Model):
    """One outcome of the reviewed version, rated on the school's scale, with the evidence."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    # The outcome's id in the reviewed version's snapshot, and its words as they were.
    outcome_id = models.UUIDField()
    outcome_text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)
    rating = models.SmallIntegerField(_("rating"), null=True, blank=True)
    # Whether the rating counted as met on the school's scale when the review was completed.
    met = models.BooleanField(null=True, editable=False)
    evidence = models.TextField(_("evidence"), blank=True)
    comment = models.TextField(_("comment"), blank=True)

    objects = ScopedManager(school="review__plan__pupil__school")

    class Meta:
        ordering = ["review", "order"]
        constraints = [models.UniqueConstraint(fields=["review", "outcome_id"], name="one_rating_per_outcome")]

    def __str__(self):
        return f"{self.outcome_text[:40]}: {self.rating}"


class ParentMeeting(PublicIdModel):
    """A meeting with a pupil's parents. The Code expects three a year for pupils on SEN support."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Plan review")
        PLANNING = "planning", _("Planning meeting")
        OTHER = "other", _("Other meeting")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("By phone")
        VIDEO = "video", _("By video call")

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="parent_meetings")
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("kind of meeting"), max_length=20, choices=Kind.choices, default=Kind.PLANNING)
    mode = models.CharField(_("how it was held"), max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    parents = models.ManyToManyField("pupils.ParentLink", related_name="meetings", verbose_name=_("who came"))
    notes = models.TextField(_("notes"), blank=True)
    review = models.OneToOneField(Review, null=True, blank=True, on_delete=models.CASCADE, related_name="meeting")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="pupil__school", _manager_class=models.Manager.from_queryset(PupilChildQuerySet))

    class Meta:
        ordering = ["pupil", "-held_on"]

    def __str__(self):
        return f"{self.get_kind_display()} with parents of {self.pupil} on {self.held_on}"

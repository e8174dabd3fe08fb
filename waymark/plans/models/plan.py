"""The Individual Support Plan: a pupil's plan, its versions, and what each version commits to.

A version is a draft while the SENCO writes it. Sharing it for agreement or publishing it
freezes a complete snapshot (``PlanVersion.snapshot``) of its content, together with the
template's labels, staff names and intervention names as they were then. Every page,
document and comparison of a frozen version is drawn from that snapshot, so later edits to
a template, the strategy bank or a person's name never change what was agreed.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from waymark.core.models import PublicIdModel, VersionedModel, Visibility
from waymark.pupils.models import PupilChildQuerySet


class PlanTemplate(PublicIdModel, VersionedModel):
    """The section set, order, labels and help text of a plan. Built-in ones belong to no school."""

    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="plan_templates"
    )
    trust = models.ForeignKey(
        "schools.Trust", null=True, blank=True, on_delete=models.CASCADE, related_name="plan_templates"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # [{"key": "outcomes", "label": "...", "help_text": "..."}, ...] in display order.
    sections = models.JSONField(default=list)
    is_builtin = models.BooleanField(default=False, editable=False)
    is_default = models.BooleanField(_("use for new plans"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(school__isnull=False) & Q(trust__isnull=False)), name="template_owner_is_one_or_none"
            )
        ]

    def __str__(self):
        return self.name


class BankEntry(PublicIdModel, VersionedModel):
    """A strategy, adjustment or outcome stem a SENCO can start from, with why it is there.

    Built-in entries belong to no school. A school edits one by making its own copy that
    ``replaces`` it, so the built-in text is never changed under anyone's feet.
    """

    class Kind(models.TextChoices):
        STRATEGY = "strategy", _("Strategy")
        ADJUSTMENT = "adjustment", _("Adjustment in class")
        OUTCOME = "outcome", _("Outcome stem")

    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="bank_entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(
        "pupils.AreaOfNeed", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    need_codes = models.JSONField(_("need codes"), default=list, blank=True)
    text = models.TextField(
        _("text"),
        help_text=_("Use {name} for the pupil's name and {they}, {them}, {their} for their pronouns"),
    )
    rationale = models.TextField(_("why it helps"), help_text=_("The evidence or reasoning behind it, briefly"))
    subject = models.CharField(_("subject"), max_length=60, blank=True)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replacements")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "area__order", "text"]
        verbose_name_plural = "bank entries"

    def __str__(self):
        return self.text[:60]


class SupportPlan(PublicIdModel):
    """A pupil's plan across all its versions; one per pupil."""

    pupil = models.OneToOneField("pupils.Pupil", on_delete=models.CASCADE, related_name="support_plan")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(school="pupil__school", _manager_class=models.Manager.from_queryset(PupilChildQuerySet))

    def __str__(self):
        return f"Plan for {self.pupil}"


class PlanVersionQuerySet(models.QuerySet):
    def restrict(self, actor, action, *, audience="anyone"):
        from waymark.pupils.models import Pupil
        from waymark.pupils.selectors import pupil_filter

        pupils = Pupil.objects.filter(pupil_filter(actor, action, audience=audience))
        return self.filter(plan__pupil__in=pupils)


class PlanVersion(PublicIdModel, VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SHARED = "shared", _("Shared for agreement")
        ACTIVE = "active", _("Active")
        SUPERSEDED = "superseded", _("Superseded")
        CLOSED = "closed", _("Closed")

    FROZEN = (Status.SHARED, Status.ACTIVE, Status.SUPERSEDED, Status.CLOSED)

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    template = models.ForeignKey(PlanTemplate, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(max_length=20)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # Frozen content: set once, when the version is shared or published, never changed after.
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(
        school="plan__pupil__school", _manager_class=models.Manager.from_queryset(PlanVersionQuerySet)
    )

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_version_number_per_plan"),
            models.UniqueConstraint(fields=["plan"], condition=Q(status="draft"), name="one_draft_per_plan"),
            models.UniqueConstraint(fields=["plan"], condition=Q(status="active"), name="one_active_version_per_plan"),
            models.UniqueConstraint(fields=["plan"], condition=Q(status="shared"), name="one_shared_version_per_plan"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(snapshot__isnull=False), name="frozen_versions_have_a_snapshot"
            ),
        ]

    def __str__(self):
        return f"Version {self.number} ({self.get_status_display()})"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_frozen(self):
        return self.status in self.FROZEN

    def save(self, *args, **kwargs):
        # What was shared or published can never be rewritten, whatever code path tries.
        if self.pk is not None:
            stored = type(self)._base_manager.filter(pk=self.pk).values_list("snapshot", flat=True).first()
            if stored is not None and stored != self.snapshot:
                raise ValidationError(_("A shared or published plan cannot be changed."))
        super().save(*args, **kwargs)


class VersionContentQuerySet(models.QuerySet):
    def restrict(self, actor, action, *, audience="anyone"):
        return self.filter(version__in=PlanVersion.objects.restrict(actor, action, audience=audience))


def version_content_manager():
    return ScopedManager(
        school="version__plan__pupil__school", _manager_class=models.Manager.from_queryset(VersionContentQuerySet)
    )


class VersionContent(VersionedModel):
    """Something a draft holds. Each row saves on its own, so sections save independently."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="+")
    visibility = models.CharField(
        _("who can see this"), max_length=20, choices=Visibility.choices, default=Visibility.EVERYONE
    )

    objects = version_content_manager()

    class Meta:
        abstract = True


class PlanSection(VersionContent):
    """A text section's fields (see ``sections.TEXT_SECTION_FIELDS``) and who may see it."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=30)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="one_section_per_key")]


class OrderedItem(PublicIdModel, VersionContent):
    order = models.PositiveIntegerField(default=0)
    # The text as inserted from the bank, so the author is told if it was never personalised.
    bank_entry = models.ForeignKey(BankEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    bank_text = models.TextField(blank=True, editable=False)
    # The field holding the item's main words, compared with ``bank_text``.
    text_field = "text"

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    @property
    def is_unedited(self):
        """Still word for word as it came from the bank, never made personal to the pupil."""
        return bool(self.bank_text) and getattr(self, self.text_field, "").strip() == self.bank_text.strip()


class Barrier(OrderedItem):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="barriers")
    need = models.ForeignKey(
        "pupils.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("need")
    )
    text = models.TextField(_("how this affects learning"))


class Outcome(OrderedItem):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="outcomes")
    text = models.TextField(_("what we want to achieve"))
    baseline = models.TextField(_("where the pupil is now (baseline)"), blank=True)
    target = models.TextField(_("target"), blank=True)
    measure = models.CharField(_("how it will be measured"), max_length=300, blank=True)
    by_date = models.DateField(_("by when"), null=True, blank=True)
    who_checks = models.CharField(_("who checks"), max_length=150, blank=True)
    # Carried forward from an earlier version's outcome (reviews carry unmet outcomes forward).
    carried_from = models.UUIDField(null=True, blank=True, editable=False)
    # The same for every copy of this outcome from version to version: progress charts follow it.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)


class Provision(OrderedItem):
    class Funding(models.TextChoices):
        SEN_BUDGET = "sen_budget", _("School SEN budget")
        INCLUSIVE_MAINSTREAM_FUND = "imf", _("Inclusive Mainstream Fund")
        EXPERTS_AT_HAND = "experts_at_hand", _("Experts at Hand")
        EHC_PLAN = "ehc_plan", _("EHC plan / Specialist Provision Package")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="provisions")
    what = models.CharField(_("what"), max_length=200)
    text_field = "what"
    delivered_by_role = models.CharField(_("who delivers (role)"), max_length=100, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who delivers (person)"),
    )
    sessions_per_week = models.DecimalField(_("sessions a week"), max_digits=4, decimal_places=1)
    minutes_per_session = models.PositiveIntegerField(_("minutes a session"))
    group_size = models.PositiveIntegerField(_("group size"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    funding = models.CharField(_("funding"), max_length=30, choices=Funding.choices, default=Funding.SEN_BUDGET)
    # The same commitment in the version this one was copied from, so groups that deliver it
    # can follow it from version to version (docs/plans.md).
    carried_from = models.UUIDField(null=True, blank=True, editable=False)
    # The same for every copy of this commitment: a group member row names it (provision app).
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)

    class Meta(OrderedItem.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(group_size__gte=1), name="provision_group_has_someone"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="provision_ends_after_start"),
        ]


class Adjustment(OrderedItem):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="adjustments")
    text = models.CharField(_("adjustment"), max_length=300)
    is_key = models.BooleanField(_("key adjustment"), default=False)
    subject = models.CharField(_("subject (optional)"), max_length=60, blank=True)


class SpecialistInput(OrderedItem):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="specialist_inputs")
    who = models.CharField(_("who"), max_length=150)
    service = models.CharField(_("service"), max_length=150)
    given_on = models.DateField(_("date"))
    recommendations = models.TextField(_("recommendations"))


class ReadReceipt(models.Model):
    """A member of staff confirms they have read this version of the plan."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="read_receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    objects = version_content_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="one_read_receipt_per_person")]

    def __str__(self):
        return f"{self.user} read {self.version}"

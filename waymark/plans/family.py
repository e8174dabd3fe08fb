"""Writes about parents' words: their views, their agreement or disagreement, their requests.

Parents write through their own ACTIVE link (``Action.RESPOND``); staff who review the
plan (SENCO, deputy) record the same things on a parent's behalf, marked with how they
were given and who recorded them, reply to responses, choose which views the child's
other parents see, and deal with requests. Nothing is ever recorded for a restricted or
suspended link. Every write checks permission again, runs in a transaction, and leaves
one audit event.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import require, require_pupil
from waymark.pupils.models import ParentLink

from .family_selectors import own_active_links
from .models import (
    AgreementResponse,
    ContributionChannel,
    ParentContribution,
    ParentRequest,
    PlanVersion,
    SupportPlan,
)

VIEW_FIELDS = ("going_well", "worries", "would_like")
# Long enough for a full letter; short enough that nobody pastes a book in.
MAX_TEXT = 5000

CHANGED_MESSAGE = gettext_lazy(
    "This plan has changed since you opened the page, so your response has not been saved. "
    "Read the latest version of the plan, then tell us if you agree with it."
)
NOT_SHARED_MESSAGE = gettext_lazy("There is no plan waiting for agreement at the moment.")
NO_PLAN_MESSAGE = gettext_lazy("The school has not started a plan for this child yet.")
EMPTY_VIEWS_MESSAGE = gettext_lazy(
    "Answer at least one question: what is going well at home, what worries you, or what you would like to happen."
)
DISAGREE_COMMENT_MESSAGE = gettext_lazy("Tell us what you do not agree with")
STAFF_CHANNELS = (ContributionChannel.MEETING, ContributionChannel.PAPER, ContributionChannel.PHONE)


# ----- who may write -----


def _require_own_active_link(actor, link):
    """The link is the actor's own, still active, for a child the actor may respond about."""
    require(own_active_links(actor, Action.RESPOND).filter(pk=link.pk).exists())


def _require_reviewer(actor, pupil):
    require_pupil(actor, pupil, Action.REVIEW)


def _require_recordable(link):
    """Staff never record anything for a restricted or suspended link."""
    fresh_status = ParentLink.objects.filter(pk=link.pk).values_list("status", flat=True).first()
    if fresh_status != ParentLink.Status.ACTIVE:
        raise ValidationError(
            _(
                "%(name)s's link to this child is restricted or suspended, so nothing can be recorded for them. "
                "Speak to the SENCO or the designated safeguarding lead."
            )
            % {"name": link.full_name},
            code="not_active",
        )


def _require_staff_channel(given_via):
    if given_via not in STAFF_CHANNELS:
        raise ValidationError(
            {"given_via": _("Select how they gave it: at a meeting, on paper or by phone")}, code="channel"
        )


def _plan_of(link):
    plan = SupportPlan.objects.filter(pupil_id=link.pupil_id).first()
    if plan is None:
        raise ValidationError(NO_PLAN_MESSAGE, code="no_plan")
    return plan


def _views(going_well, worries, would_like):
    texts = {
        "going_well": (going_well or "").strip(),
        "worries": (worries or "").strip(),
        "would_like": (would_like or "").strip(),
    }
    if not any(texts.values()):
        raise ValidationError(EMPTY_VIEWS_MESSAGE, code="empty")
    too_long = [name for name, text in texts.items() if len(text) > MAX_TEXT]
    if too_long:
        raise ValidationError({name: _too_long_message() for name in too_long}, code="long")
    return texts


def _too_long_message():
    return _("Write %(limit)d characters or fewer") % {"limit": MAX_TEXT}


def _require_length(field, text):
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _too_long_message()}, code="long")


# ----- views before a review -----


def _contribution_create(*, actor, link, texts, given_via, recorded_by, action):
    plan = _plan_of(link)
    # A double click sends the same views twice. Under a lock on the parent's record the second
    # request waits for the first, then finds its views and returns them: nothing new is kept.
    ParentLink.objects.select_for_update(of=("self",)).filter(pk=link.pk).order_by("pk").first()
    already = (
        ParentContribution.objects.filter(link=link, plan=plan, review__isnull=True, given_via=given_via, **texts)
        .order_by("pk")
        .first()
    )
    if already is not None:
        return already
    contribution = ParentContribution(link=link, plan=plan, given_via=given_via, **texts)
    contribution.recorded_by = recorded_by
    if recorded_by is not None:
        # Staff wrote it down themselves: it is not news to them on the dashboard.
        contribution.seen_at = timezone.now()
        contribution.seen_by = recorded_by
    contribution.full_clean()
    contribution.save()
    audit_record(
        actor=actor,
        action=action,
        target=contribution,
        pupil=link.pupil,
        data={"link": str(link.public_id), "given_via": given_via},
    )
    return contribution


@transaction.atomic
def contribution_add(*, actor, link, going_well="", worries="", would_like=""):
    """A parent's own views for the coming review, through their own active link.

    Guarantees: the link is the actor's and active; the child has a plan; at least one
    answer; saved as given online, for the review to come; one audit event. The same views
    sent again before the review (a double click) are kept once: the first is returned.
    """
    _require_own_active_link(actor, link)
    texts = _views(going_well, worries, would_like)
    return _contribution_create(
        actor=actor,
        link=link,
        texts=texts,
        given_via=ContributionChannel.ONLINE,
        recorded_by=None,
        action="plans.contribution.added",
    )


@transaction.atomic
def contribution_record(*, actor, link, given_via, going_well="", worries="", would_like=""):
    """Staff record a parent's views given at a meeting, on paper or by phone, marked as such.

    Works for parents with no account. Refused for a restricted or suspended link. The same
    views recorded twice before the review (a double click) are kept once.
    """
    _require_reviewer(actor, link.pupil)
    _require_recordable(link)
    _require_staff_channel(given_via)
    texts = _views(going_well, worries, would_like)
    return _contribution_create(
        actor=actor,
        link=link,
        texts=texts,
        given_via=given_via,
        recorded_by=actor.user,
        action="plans.contribution.recorded",
    )


@transaction.atomic
def contribution_mark_seen(*, actor, pupil):
    """Mark every unseen contribution about ``pupil`` as seen by the actor; audited only when there were any."""
    _require_reviewer(actor, pupil)
    unseen = ParentContribution.objects.filter(plan__pupil=pupil, seen_at__isnull=True)
    ids = [str(public_id) for public_id in unseen.values_list("public_id", flat=True)]
    if not ids:
        return 0
    count = ParentContribution.objects.filter(public_id__in=ids, seen_at__isnull=True).update(
        seen_at=timezone.now(), seen_by=actor.user
    )
    audit_record(actor=actor, action="plans.contribution.seen", pupil=pupil, data={"contributions": ids})
    return count


@transaction.atomic
def contribution_sharing_change(*, actor, contribution, shared):
    """Show or hide one parent's views to the child's other parents and carers.

    Views of a restricted or suspended parent are never shown to the family.
    """
    link = contribution.link
    _require_reviewer(actor, link.pupil)
    shared = bool(shared)
    if shared and link.status != ParentLink.Status.ACTIVE:
        raise ValidationError(
            _("These views cannot be shown to the family: %(name)s's link is restricted or suspended.")
            % {"name": link.full_name},
            code="not_active",
        )
    if contribution.shared_with_family == shared:
        return contribution
    contribution.shared_with_family = shared
    contribution.full_clean()
    contribution.save(update_fields=["shared_with_family"])
    audit_record(
        actor=actor,
        action="plans.contribution.sharing_changed",
        target=contribution,
        pupil=link.pupil,
        data={"shared_with_family": shared},
    )
    return contribution


# ----- agreement -----


def _respond(*, actor, link, version, agrees, comment, given_via, recorded_by, action):
    require(version.plan.pupil_id == link.pupil_id)
    status = (
        PlanVersion.objects.select_for_update()
        .filter(pk=version.pk)
        .order_by("pk")
        .values_list("status", flat=True)
        .first()
    )
    if status != PlanVersion.Status.SHARED:
        raise ValidationError(CHANGED_MESSAGE, code="changed")
    if agrees is None:
        raise ValidationError({"agrees": _("Select whether you agree with the plan")}, code="required")
    comment = (comment or "").strip()
    if not agrees and not comment:
        raise ValidationError({"comment": DISAGREE_COMMENT_MESSAGE}, code="required")
    _require_length("comment", comment)
    earlier = AgreementResponse.objects.filter(version=version, link=link).first()
    if earlier is not None:
        raise ValidationError(
            _(
                "A response to version %(number)d was already recorded on %(date)s. It stays on record and "
                "cannot be changed. To say more, ask for a meeting."
            )
            % {"number": version.number, "date": date_format(timezone.localtime(earlier.responded_at), "j F Y")},
            code="duplicate",
        )
    response = AgreementResponse(version=version, link=link, agrees=bool(agrees), comment=comment, given_via=given_via)
    response.recorded_by = recorded_by
    response.full_clean()
    response.save()
    audit_record(
        actor=actor,
        action=action,
        target=response,
        pupil=link.pupil,
        data={"version": str(version.public_id), "agrees": bool(agrees), "given_via": given_via},
    )
    return response


@transaction.atomic
def response_give(*, actor, link, version, agrees, comment=""):
    """A parent agrees or disagrees with the exact version shared for agreement.

    Guarantees: the link is the actor's and active and the version is their child's; the
    version is still the one shared for agreement when this runs (else nothing changes);
    a comment when disagreeing; one response per parent per version; one audit event.
    """
    _require_own_active_link(actor, link)
    return _respond(
        actor=actor,
        link=link,
        version=version,
        agrees=agrees,
        comment=comment,
        given_via=ContributionChannel.ONLINE,
        recorded_by=None,
        action="plans.response.given",
    )


@transaction.atomic
def response_record(*, actor, link, version, given_via, agrees, comment=""):
    """Staff record a parent's agreement or disagreement given at a meeting, on paper or by phone.

    Against the version shared for agreement now; refused for a restricted or suspended link.
    """
    _require_reviewer(actor, link.pupil)
    _require_recordable(link)
    _require_staff_channel(given_via)
    return _respond(
        actor=actor,
        link=link,
        version=version,
        agrees=agrees,
        comment=comment,
        given_via=given_via,
        recorded_by=actor.user,
        action="plans.response.recorded",
    )


@transaction.atomic
def response_reply(*, actor, response, reply):
    """The school's reply to a parent's response, shown to that parent. One reply, kept as written."""
    _require_reviewer(actor, response.link.pupil)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("Enter your reply")}, code="required")
    _require_length("reply", reply)
    locked = AgreementResponse.objects.select_for_update().filter(pk=response.pk).order_by("pk").first()
    if locked is None or locked.reply:
        raise ValidationError(_("This response already has a reply. It stays as it was sent."), code="replied")
    locked.reply = reply
    locked.replied_at = timezone.now()
    locked.replied_by = actor.user
    locked.full_clean()
    locked.save()
    audit_record(
        actor=actor,
        action="plans.response.replied",
        target=locked,
        pupil=response.link.pupil,
        data={"version": str(response.version.public_id)},
    )
    return locked


# ----- requests -----


@transaction.atomic
def request_make(*, actor, link, kind, message=""):
    """A parent asks for a meeting or a paper copy of the plan. One open request of each kind at a time."""
    _require_own_active_link(actor, link)
    if kind not in ParentRequest.Kind.values:
        raise ValidationError({"kind": _("Select what you would like")}, code="required")
    message = (message or "").strip()
    _require_length("message", message)
    plan = _plan_of(link)
    # Under a lock on the parent's record, two requests sent at once cannot both be "the first".
    ParentLink.objects.select_for_update(of=("self",)).filter(pk=link.pk).order_by("pk").first()
    earlier = ParentRequest.objects.filter(link=link, kind=kind, resolved_at__isnull=True).first()
    if earlier is not None:
        raise ValidationError(
            _("You already asked for this on %(date)s. The school will be in touch.")
            % {"date": date_format(timezone.localtime(earlier.created_at), "j F Y")},
            code="duplicate",
        )
    request = ParentRequest(link=link, plan=plan, kind=kind, message=message)
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action="plans.request.made",
        target=request,
        pupil=link.pupil,
        data={"kind": kind},
    )
    return request


@transaction.atomic
def request_resolve(*, actor, request):
    """Staff mark a parent's request as dealt with."""
    _require_reviewer(actor, request.link.pupil)
    locked = ParentRequest.objects.select_for_update().filter(pk=request.pk).order_by("pk").first()
    if locked is None or locked.resolved_at is not None:
        raise ValidationError(_("This request has already been dealt with."), code="resolved")
    locked.resolved_at = timezone.now()
    locked.resolved_by = actor.user
    locked.full_clean()
    locked.save()
    audit_record(
        actor=actor,
        action="plans.request.resolved",
        target=locked,
        pupil=request.link.pupil,
        data={"kind": locked.kind},
    )
    return locked

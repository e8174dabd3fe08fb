"""Reads for parents' pages, and for the staff pages about what parents said.

Every parent page starts from ``family_link_get``: the actor's own ACTIVE link to the
child. A parent of another child, a restricted or suspended parent, staff and outside
specialists have no such link, so the page is missing (404). Parents read frozen versions
only (never a draft), filtered to what everyone may see (``family_content``); they see
their own contributions and another parent's only when the school shares them.

Each function runs a fixed number of queries, whatever the number of rows.
"""

from django.db.models import Q

from waymark.core.access import Action
from waymark.evidence.share_selectors import shares_for_family
from waymark.pupils.models import ParentLink

from .family_content import PARENT_LEVELS, family_plan, parent_content
from .models import AgreementResponse, ParentContribution, ParentRequest, PlanVersion, Review, SupportPlan
from .selectors import sees_every_version

# The versions a parent may read: shared for agreement, in force, or kept as history.
PARENT_STATUSES = PlanVersion.FROZEN


# ----- the parent's own link -----


def own_active_links(actor, action=Action.VIEW):
    """The actor's own active links, through the restricted queryset; none for anyone else."""
    if actor is None or getattr(actor, "user", None) is None or actor.user.pk is None:
        return ParentLink.objects.none()
    return ParentLink.objects.restrict(actor, action).filter(user=actor.user, status=ParentLink.Status.ACTIVE)


def family_link_get(actor, pupil_public_id):
    """The actor's own ACTIVE link to the child, with the child and school, or ``ParentLink.DoesNotExist``."""
    return own_active_links(actor).select_related("pupil__school", "user").get(pupil__public_id=pupil_public_id)


# ----- versions -----


def family_versions(actor, link):
    """The frozen versions of the child's plan, newest first."""
    return (
        PlanVersion.objects.restrict(actor, Action.VIEW)
        .filter(plan__pupil_id=link.pupil_id, status__in=PARENT_STATUSES)
        .order_by("-number")
    )


def family_version_get(actor, public_id):
    """``(version, link)`` for a frozen version of one of the actor's own children, or ``DoesNotExist``."""
    version = (
        PlanVersion.objects.restrict(actor, Action.VIEW)
        .filter(status__in=PARENT_STATUSES, plan__pupil__in=own_active_links(actor).values("pupil_id"))
        .select_related("plan__pupil__school")
        .get(public_id=public_id)
    )
    link = own_active_links(actor).select_related("user").get(pupil_id=version.plan.pupil_id)
    return version, link


def family_document(version, pupil):
    """The version in the parents' plain-language layout: only what everyone may see."""
    return family_plan(
        parent_content(version.snapshot),
        name=pupil.forename,
        full_name=pupil.full_name,
        next_review_on=version.next_review_on,
    )


# ----- what parents said -----


def _family_contributions(contributions, link):
    """The link's own contributions, and other parents' ones the school shared (while their link is active)."""
    return (
        contributions.filter(plan__pupil_id=link.pupil_id)
        .filter(Q(link=link) | Q(shared_with_family=True, link__status=ParentLink.Status.ACTIVE))
        .select_related("link", "recorded_by")
        .order_by("-created_at", "-id")
    )


def family_contributions(actor, link):
    """``(own, shared)``: the parent's own views, and those of the child's other parents shared with them."""
    rows = list(_family_contributions(ParentContribution.objects.restrict(actor, Action.VIEW), link))
    return [row for row in rows if row.link_id == link.pk], [row for row in rows if row.link_id != link.pk]


def family_responses(link):
    """The parent's own responses, by version id."""
    return {
        response.version_id: response
        for response in AgreementResponse.objects.filter(link=link).select_related("replied_by", "recorded_by")
    }


def family_has_plan(link):
    """Views and requests belong to the plan; a child may have none yet."""
    return SupportPlan.objects.filter(pupil_id=link.pupil_id).exists()


def family_open_requests(link):
    return list(ParentRequest.objects.filter(link=link, resolved_at__isnull=True).order_by("-created_at"))


# ----- reviews -----


def family_reviews(actor, link):
    """Completed reviews of the child's plan, newest first."""
    return (
        Review.objects.restrict(actor, Action.VIEW)
        .filter(plan__pupil_id=link.pupil_id, status=Review.Status.COMPLETED)
        .order_by("-held_on", "-id")
    )


def family_review_get(actor, public_id):
    """``(review, link)`` for a completed review of one of the actor's own children, or ``DoesNotExist``."""
    review = (
        Review.objects.restrict(actor, Action.VIEW)
        .filter(status=Review.Status.COMPLETED, plan__pupil__in=own_active_links(actor).values("pupil_id"))
        .select_related("version", "plan__pupil__school")
        .prefetch_related("ratings")
        .get(public_id=public_id)
    )
    link = own_active_links(actor).get(pupil_id=review.plan.pupil_id)
    return review, link


def review_summary_for_parent(review, link):
    """A completed review as a parent may read it.

    Ratings only for outcomes everyone may see in the reviewed version; the pupil's views
    unless the SENCO kept them from parents; parents' views: the parent's own, and other
    parents' ones only where the school shared them. ``review.ratings`` should be prefetched.
    """
    school = review.plan.pupil.school
    content = parent_content(review.version.snapshot or {"sections": []})
    visible_outcomes = {
        item["id"]
        for section in content.get("sections", [])
        if section["key"] == "outcomes"
        for item in section.get("items", [])
        if item.get("visibility") in PARENT_LEVELS
    }
    ratings = [
        {
            "outcome": rating.outcome_text,
            "label": school.rating_label(rating.rating) if rating.rating is not None else "",
            "met": rating.met,
        }
        for rating in sorted(review.ratings.all(), key=lambda rating: rating.order)
        if str(rating.outcome_id) in visible_outcomes
    ]
    parents_views = list(_family_contributions(ParentContribution.objects.filter(review=review), link))
    return {
        "review": review,
        "held_on": review.held_on,
        "ratings": ratings,
        "what_worked": review.what_worked,
        "what_did_not": review.what_did_not,
        "decisions": review.decision_labels(),
        "decision_notes": review.decision_notes,
        "next_review_on": review.next_review_on,
        "pupil_views": "" if review.pupil_views_hidden_from_parents else review.pupil_views,
        "own_views": [row for row in parents_views if row.link_id == link.pk],
        "shared_views": [row for row in parents_views if row.link_id != link.pk],
    }


# ----- the child's page -----


def family_child_page(actor, link):
    """Everything the child's page shows, in a fixed number of queries."""
    versions = list(family_versions(actor, link))
    shared = next((v for v in versions if v.status == PlanVersion.Status.SHARED), None)
    in_force = next((v for v in versions if v.status == PlanVersion.Status.ACTIVE), None)
    past = [v for v in versions if v.status in (PlanVersion.Status.SUPERSEDED, PlanVersion.Status.CLOSED)]
    responses = family_responses(link)
    own_views, shared_views = family_contributions(actor, link)
    return {
        "link": link,
        "pupil": link.pupil,
        "school": link.pupil.school,
        "has_plan": family_has_plan(link),
        "shared": shared,
        "shared_response": responses.get(shared.pk) if shared else None,
        "in_force": in_force,
        "past": past,
        "owner": (in_force or shared).snapshot.get("owner", "") if (in_force or shared) else "",
        "next_review_on": in_force.next_review_on if in_force else None,
        "reviews": list(family_reviews(actor, link)),
        "own_views": own_views,
        "shared_views": shared_views,
        "open_requests": family_open_requests(link),
        # Who outside school can see the child's records now (live shares only): one query.
        "outside_access": shares_for_family(actor, link.pupil),
    }


def family_children(actor):
    """The actor's children for the home page, each with one thing to do, in a fixed number of queries.

    Each pupil gets ``waiting`` (a version shared for agreement they have not answered)
    and ``next_review_on`` (of the plan in force).
    """
    links = list(own_active_links(actor).select_related("pupil__school").order_by("pupil__legal_surname", "pk"))
    if not links:
        return []
    pupil_ids = [link.pupil_id for link in links]
    versions = list(
        PlanVersion.objects.restrict(actor, Action.VIEW)
        .filter(plan__pupil_id__in=pupil_ids, status__in=(PlanVersion.Status.SHARED, PlanVersion.Status.ACTIVE))
        .values("pk", "status", "next_review_on", "plan__pupil_id")
    )
    answered = set(AgreementResponse.objects.filter(link__in=links).values_list("version_id", "link_id"))
    children = []
    for link in links:
        pupil = link.pupil
        mine = [v for v in versions if v["plan__pupil_id"] == pupil.pk]
        shared = next((v for v in mine if v["status"] == PlanVersion.Status.SHARED), None)
        active = next((v for v in mine if v["status"] == PlanVersion.Status.ACTIVE), None)
        pupil.waiting = shared is not None and (shared["pk"], link.pk) not in answered
        pupil.has_plan_in_force = active is not None
        review_on = active["next_review_on"] if active else None
        # A date already gone is the school's to chase, not something to ask the parent.
        pupil.next_review_on = review_on if review_on and review_on >= actor.today else None
        children.append(pupil)
    return children


# ----- the staff side -----


def version_responses(actor, version):
    """Parents' responses to one frozen version, for staff who see every version; ``[]`` for everyone else."""
    if not version.is_frozen or not actor.is_staff_member or not sees_every_version(actor):
        return []
    return list(
        AgreementResponse.objects.restrict(actor, Action.VIEW, audience="staff")
        .filter(version=version)
        .select_related("link", "recorded_by", "replied_by")
        .order_by("responded_at", "id")
    )


def staff_link_get(actor, public_id):
    """A parent link of a pupil the actor may review (SENCO, deputy), or ``ParentLink.DoesNotExist``."""
    return (
        ParentLink.objects.restrict(actor, Action.REVIEW, audience="staff")
        .select_related("pupil__school", "user")
        .get(public_id=public_id)
    )


def current_shared_version(pupil):
    return (
        PlanVersion.objects.filter(plan__pupil=pupil, status=PlanVersion.Status.SHARED)
        .select_related("plan")
        .order_by("-number")
        .first()
    )


def parent_activity(actor, pupil):
    """Each parent or carer of ``pupil`` with their contributions, responses and open requests.

    For staff who review the pupil's plan (the view has already reached ``pupil`` with
    ``Action.REVIEW``). Five queries whatever the number of rows.
    """
    links = list(
        ParentLink.objects.restrict(actor, Action.REVIEW, audience="staff")
        .filter(pupil=pupil)
        .select_related("user")
        .order_by("full_name", "pk")
    )
    contributions = list(
        ParentContribution.objects.restrict(actor, Action.REVIEW, audience="staff")
        .filter(plan__pupil=pupil)
        .select_related("recorded_by", "seen_by", "review")
        .order_by("-created_at", "-id")
    )
    responses = list(
        AgreementResponse.objects.restrict(actor, Action.REVIEW, audience="staff")
        .filter(version__plan__pupil=pupil)
        .select_related("version", "link", "recorded_by", "replied_by")
        .order_by("-responded_at", "-id")
    )
    requests = list(
        ParentRequest.objects.restrict(actor, Action.REVIEW, audience="staff")
        .filter(plan__pupil=pupil, resolved_at__isnull=True)
        .select_related("recorded_by")
        .order_by("-created_at", "-id")
    )
    shared = current_shared_version(pupil)
    for link in links:
        link.contribution_list = [row for row in contributions if row.link_id == link.pk]
        link.response_list = [row for row in responses if row.link_id == link.pk]
        link.open_requests = [row for row in requests if row.link_id == link.pk]
        link.has_responded_to_shared = shared is not None and any(
            row.version_id == shared.pk for row in link.response_list
        )
    return {"links": links, "shared": shared}

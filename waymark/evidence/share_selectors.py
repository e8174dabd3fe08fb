"""Reads about shares: the school's list for one pupil, the specialist's pages, and what parents are told.

Staff reach a pupil's shares through ``Pupil.objects.restrict(actor, Action.INVITE,
audience="staff")`` (the SENCO, a deputy, the head). A specialist reaches a share only
while it is live and theirs (``shared_get``); everything they read is what everyone who
may see the plan may read, never staff-only or restricted parts. Each function runs a
fixed number of queries, whatever the number of rows.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from waymark.core.access import Action
from waymark.plans.family_content import family_plan, parent_content
from waymark.plans.models import PlanVersion
from waymark.pupils.models import Pupil

from .models import Share
from .selectors import documents_visible_to


@dataclass(frozen=True)
class ShareState:
    code: str  # "live", "waiting", "not_started", "ended", "expired"
    label: str
    tag: str  # GOV.UK tag colour class

    @property
    def can_end(self):
        return self.code in ("live", "waiting", "not_started")


STATES = {
    "live": ShareState("live", _("Can see now"), "govuk-tag--green"),
    "waiting": ShareState("waiting", _("Waiting to be accepted"), "govuk-tag--yellow"),
    "not_started": ShareState("not_started", _("Accepted, starts later"), "govuk-tag--blue"),
    "ended": ShareState("ended", _("Ended early"), "govuk-tag--grey"),
    "expired": ShareState("expired", _("Expired"), "govuk-tag--grey"),
}


def share_state(share, today):
    """Where a share stands on ``today``. Ending early wins over expiry: it says what the school did."""
    if share.ended_at is not None:
        return STATES["ended"]
    if share.expires_on < today:
        return STATES["expired"]
    if share.specialist_id is None:
        return STATES["waiting"]
    if share.starts_on > today:
        return STATES["not_started"]
    return STATES["live"]


# ----- the school's side -----


def shares_managed_by(actor):
    """The shares of pupils ``actor`` manages shares for (``Action.INVITE``), with pupil, school and specialist."""
    managed_pupils = Pupil.objects.restrict(actor, Action.INVITE, audience="staff")
    return Share.objects.filter(pupil__in=managed_pupils).select_related("pupil__school", "specialist")


def share_list(actor, pupil):
    """The pupil's shares for the school's page, each with ``state``: open ones first, then the rest, newest first.

    ``pupil`` has been reached with ``Action.INVITE`` (the list view's scoped lookup).
    """
    shares = list(
        Share.objects.filter(pupil=pupil)
        .select_related("specialist", "created_by", "ended_by")
        .order_by("-created_at", "-pk")
    )
    for share in shares:
        share.state = share_state(share, actor.today)
    return sorted(shares, key=lambda share: not share.state.can_end)


# ----- the specialist's side -----


def specialist_shares(actor):
    """The actor's live shares, for their home page, with pupil and school."""
    if actor is None or actor.user is None or not actor.is_specialist:
        return []
    return list(
        Share.objects.live(actor.today)
        .filter(specialist=actor.user, pupil__in=Pupil.objects.restrict(actor, Action.VIEW))
        .select_related("pupil__school")
        .order_by("expires_on", "pupil__legal_surname", "pupil__legal_forename", "pk")
    )


def shared_get(actor, public_id):
    """The actor's own live share, with its pupil and school, or ``Share.DoesNotExist``.

    Anyone else's share, one waiting to be accepted, not started, expired or ended early is
    missing: the page answers 404 from the very next request after the school ends it.
    """
    if actor is None or actor.user is None:
        raise Share.DoesNotExist
    return (
        Share.objects.live(actor.today)
        .filter(specialist=actor.user, pupil__in=Pupil.objects.restrict(actor, Action.VIEW))
        .select_related("pupil__school")
        .get(public_id=public_id)
    )


def _plan_for_specialist(version, pupil):
    """The plan in force as everyone who may see it reads it (the parents' layout, never staff-only parts)."""
    plan = family_plan(
        parent_content(version.snapshot or {"sections": []}),
        name=pupil.forename,
        full_name=pupil.full_name,
        next_review_on=version.next_review_on,
    )
    # The parents' layout speaks to the family ("You and your family will"); a specialist is not the family.
    plan["responsibilities"] = [
        {**row, "label": _("The family will")} if row["key"] == "parents" else row for row in plan["responsibilities"]
    ]
    return plan


def shared_plan(actor, share):
    """``(version, plan)`` for the plan in force if the share lets them see it, else ``(None, None)``."""
    if not share.can_see_plan:
        return None, None
    version = (
        PlanVersion.objects.restrict(actor, Action.VIEW)
        .filter(plan__pupil_id=share.pupil_id, status=PlanVersion.Status.ACTIVE)
        .order_by("-number")
        .first()
    )
    if version is None:
        return None, None
    return version, _plan_for_specialist(version, share.pupil)


def shared_documents(actor, share):
    """``(documents, own_reports)``: what the share lets them see, and the reports they added through it.

    ``documents`` is ``None`` when the share does not let them see documents; ``own_reports``
    is ``None`` when it does not let them add reports. One query (``documents_visible_to``,
    which decides what a specialist may download), or none when neither applies.
    """
    if not (share.can_see_documents or share.can_add_report):
        return None, None
    rows = list(documents_visible_to(actor, share.pupil).order_by("-written_on", "-uploaded_at"))
    documents = [row for row in rows if row.share_id != share.pk] if share.can_see_documents else None
    own_reports = [row for row in rows if row.share_id == share.pk] if share.can_add_report else None
    return documents, own_reports


def shared_page(actor, share):
    """Everything the specialist's page shows, in a fixed number of queries."""
    version, plan = shared_plan(actor, share)
    documents, own_reports = shared_documents(actor, share)
    return {
        "share": share,
        "pupil": share.pupil,
        "school": share.pupil.school,
        "version": version,
        "plan": plan,
        "documents": documents,
        "own_reports": own_reports,
    }


# ----- what parents are told -----


def shares_for_family(actor, pupil):
    """Who outside school can see the child's records now: live shares only, with the person's account.

    For a parent's own child page (the link has been checked); never a share waiting to be
    accepted, not started, expired or ended.
    """
    return list(
        Share.objects.live(actor.today).filter(pupil=pupil).select_related("specialist").order_by("expires_on", "pk")
    )

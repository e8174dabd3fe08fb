"""The SENCO's home page: reviews due and overdue, parent meetings, parents' views and disagreements.

Shown to those who reach every pupil for ``Action.REVIEW`` (core/views/pages.home). Every
list starts from the actor's restricted querysets, so it holds only the actor's school
and the pupils they reach, and the page runs the same queries however many rows there are:
a count and the first ``ROWS_SHOWN`` rows for each list.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery

from waymark.core.access import Action
from waymark.pupils.models import Pupil
from waymark.schools.models import Term

from .models import AgreementResponse, ParentContribution, ParentMeeting, ParentRequest, PlanVersion, Review
from .review_dates import DUE_SOON_DAYS

ROWS_SHOWN = 10


@dataclass(frozen=True)
class DashboardList:
    rows: list
    total: int

    @property
    def more(self):
        return max(self.total - len(self.rows), 0)


def _first_rows(queryset):
    return DashboardList(rows=list(queryset[:ROWS_SHOWN]), total=queryset.count())


def _plans_in_force(actor, pupils):
    """Active versions of pupils on roll whom ``actor`` reaches, with the review being written, if any."""
    in_progress = Review.objects.filter(plan=OuterRef("plan_id"), status=Review.Status.DRAFT).values("public_id")[:1]
    return (
        PlanVersion.objects.restrict(actor, Action.REVIEW, audience="staff")
        .filter(status=PlanVersion.Status.ACTIVE, plan__pupil__in=pupils)
        .select_related("plan__pupil", "owner")
        .annotate(review_in_progress=Subquery(in_progress))
    )


def current_term(school, today):
    return Term.objects.filter(academic_year__school=school, starts_on__lte=today, ends_on__gte=today).first()


def senco_dashboard(actor):
    """The lists on the SENCO's home page, each with its total and at most ``ROWS_SHOWN`` rows."""
    today = actor.today
    pupils = Pupil.objects.restrict(actor, Action.REVIEW, audience="staff").on_roll(today)
    plans = _plans_in_force(actor, pupils)
    overdue = plans.filter(next_review_on__lt=today).order_by("next_review_on", "pk")
    due_soon = plans.filter(
        next_review_on__gte=today, next_review_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
    ).order_by("next_review_on", "pk")
    term = current_term(actor.school, today)
    no_meeting = None
    if term is not None:
        met_this_term = ParentMeeting.objects.filter(
            pupil=OuterRef("plan__pupil_id"), held_on__gte=term.starts_on, held_on__lte=term.ends_on
        )
        no_meeting = _first_rows(
            plans.filter(~Exists(met_this_term)).order_by("plan__pupil__legal_surname", "plan__pupil__legal_forename")
        )
    contributions = (
        ParentContribution.objects.restrict(actor, Action.REVIEW, audience="staff")
        .filter(seen_at__isnull=True, plan__pupil__in=pupils)
        .select_related("link", "plan__pupil")
        .order_by("-created_at", "-pk")
    )
    disagreements = (
        AgreementResponse.objects.restrict(actor, Action.REVIEW, audience="staff")
        .filter(
            agrees=False,
            replied_at__isnull=True,
            version__status__in=[PlanVersion.Status.SHARED, PlanVersion.Status.ACTIVE],
            version__plan__pupil__in=pupils,
        )
        .select_related("link", "version__plan__pupil")
        .order_by("responded_at", "pk")
    )
    requests = (
        ParentRequest.objects.restrict(actor, Action.REVIEW, audience="staff")
        .filter(resolved_at__isnull=True, plan__pupil__in=pupils)
        .select_related("link", "plan__pupil")
        .order_by("created_at", "pk")
    )
    overdue_list = _first_rows(overdue)
    for version in overdue_list.rows:
        version.days_overdue = (today - version.next_review_on).days
    due_list = _first_rows(due_soon)
    for version in due_list.rows:
        version.days_left = (version.next_review_on - today).days
    return {
        "today": today,
        "due_soon_days": DUE_SOON_DAYS,
        "overdue": overdue_list,
        "due_soon": due_list,
        "term": term,
        "no_meeting": no_meeting,
        "contributions": _first_rows(contributions),
        "disagreements": _first_rows(disagreements),
        "requests": _first_rows(requests),
    }

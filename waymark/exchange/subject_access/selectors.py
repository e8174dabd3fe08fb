"""Reads for the subject access pages: the requests an actor may handle, and pupils to log one for.

Everything starts from the restricted querysets for ADMINISTER (the SENCO and the head reach
every pupil of their school; nobody else reaches any), so a request about a pupil the actor
may not administer is missing, not forbidden.
"""

from django.db.models import Q

from waymark.core.access import Action
from waymark.pupils.models import Pupil

from ..models import SubjectAccessRequest
from ..permissions import can_administer_records

OPEN = SubjectAccessRequest.Status.GATHERING


def sar_restrict(actor):
    if not can_administer_records(actor):
        return SubjectAccessRequest.objects.none()
    return SubjectAccessRequest.objects.restrict(actor, Action.ADMINISTER, audience="staff").select_related(
        "pupil", "pupil__school", "parent_link", "parent_link__user", "logged_by", "released_by"
    )


def sar_get(actor, public_id):
    """The request, or ``SubjectAccessRequest.DoesNotExist`` (and ValueError for a bad id)."""
    return sar_restrict(actor).get(public_id=public_id)


def sar_open_list(actor):
    """Requests still being answered, the nearest deadline first (an extension moves it)."""
    requests = list(sar_restrict(actor).filter(status=OPEN))
    return sorted(requests, key=lambda request: (request.deadline, request.received_on, request.pk))


def sar_closed_list(actor):
    return sar_restrict(actor).exclude(status=OPEN).order_by("-received_on", "-pk")


def pupils_to_log_for(actor, query, limit=20):
    """Pupils the actor administers whose name or UPN contains ``query`` (archived leavers too)."""
    query = (query or "").strip()
    if len(query) < 2 or not can_administer_records(actor):
        return []
    names = Q()
    for word in query.split():  # every word somewhere in the names: "Zeph Quarter" finds Zephyrine Quartermaine
        names &= (
            Q(legal_forename__icontains=word) | Q(legal_surname__icontains=word) | Q(preferred_name__icontains=word)
        )
    matches = names | Q(upn__iexact=query)
    return list(
        Pupil.objects.restrict(actor, Action.ADMINISTER, audience="staff")
        .filter(matches)
        .order_by("legal_surname", "legal_forename", "pk")[:limit]
    )

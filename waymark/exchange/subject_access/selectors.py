"""Reads for the subject access pages: the requests an actor may handle, pupils to log one for,
and whether a release may be downloaded.

Everything starts from the restricted querysets for ADMINISTER (the SENCO and the head reach
every pupil of their school; nobody else reaches any), so a request about a pupil the actor
may not administer is missing, not forbidden.
"""

from django.db.models import Q

from waymark.core.access import Action
from waymark.core.models import AuditEvent
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


def release_sent_restricted(request):
    """Whether the request's release sent restricted words (restricted items or parts not withheld).

    Known from the release's own audit event (``exchange.sar.released``), written in the same
    transaction as the release and never changed after: its counts say how many such items went
    (``redaction.summarise``). When that cannot be read (the event is past the audit retention
    period, or older than the count), the answer is yes, so the ZIP stays with those who may
    read restricted content.
    """
    data = (
        AuditEvent.objects.filter(
            action="exchange.sar.released",
            target_type=SubjectAccessRequest._meta.label_lower,
            target_id=str(request.public_id),
        )
        .order_by("-created_at", "-id")
        .values_list("data", flat=True)
        .first()
    )
    sent = (data or {}).get("restricted_released")
    return not isinstance(sent, int) or sent > 0


def may_download_release(actor, request):
    """Whether ``actor`` (who already reaches the request) may download its release.

    The head may read a release only when it holds nothing they may not read: the SENCO may
    release restricted words the head never sees on the request's page.
    """
    return actor.can_see_restricted() or not release_sent_restricted(request)


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

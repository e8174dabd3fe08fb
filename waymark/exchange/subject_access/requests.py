"""Logging a subject access request, extending its deadline, and closing it without a release.

The deadline (UK GDPR article 12(3), and the ICO's guidance on it): one calendar month from the
day the request is received (``WAYMARK_SUBJECT_ACCESS_MONTHS``), on the corresponding date of the
next month; when that month has no such date (a request received on 31 January), the last day of
that month (28 or 29 February). The ICO allows the next working day when the date falls on a
weekend or bank holiday; Waymark keeps the calendar date, which is never later than the law
allows. A complex request may be extended by up to two further months, with a reason, told to the
requester within the first month.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import require_pupil, save_versioned
from waymark.plans.review_dates import add_months
from waymark.provision.dates import day_text
from waymark.pupils.models import ParentLink

from ..models import SubjectAccessRequest
from ..permissions import require_records_administrator

Requester = SubjectAccessRequest.Requester
IdentityCheck = SubjectAccessRequest.IdentityCheck
Status = SubjectAccessRequest.Status

# At most this many further months for a complex request (ICO: "a further two months").
EXTENSION_MONTHS = 2
CLOSING_STATUSES = (Status.WITHDRAWN, Status.REFUSED)

# Which checks of identity fit which requester: a parent the school knows is a parent's check,
# a pupil asking in person the pupil's, and someone acting for another must show their authority.
IDENTITY_CHECKS_FOR = {
    Requester.PARENT: {IdentityCheck.KNOWN_PARENT, IdentityCheck.DOCUMENTS},
    Requester.PUPIL: {IdentityCheck.PUPIL_IN_PERSON, IdentityCheck.DOCUMENTS},
    Requester.REPRESENTATIVE: {IdentityCheck.AUTHORITY},
}


def due_date(received_on):
    """When the answer is due: ``WAYMARK_SUBJECT_ACCESS_MONTHS`` calendar months after receipt."""
    return add_months(received_on, settings.WAYMARK_SUBJECT_ACCESS_MONTHS)


def latest_extension(request):
    """The furthest the deadline may go: two months beyond the month allowed for the answer."""
    return add_months(request.received_on, settings.WAYMARK_SUBJECT_ACCESS_MONTHS + EXTENSION_MONTHS)


def require_gathering(request):
    """A released, withdrawn or refused request is read-only."""
    if request.status != Status.GATHERING:
        raise ValidationError(
            _("This request is %(status)s, so it can no longer be changed.")
            % {"status": request.get_status_display().lower()},
            code="closed",
        )


def lock_gathering(request):
    """Read the request again, locked, and refuse unless it is still being gathered.

    So a release, a redaction, an extension and a closing cannot cross: each waits for the
    other and then sees its outcome.
    """
    fresh = SubjectAccessRequest.objects.select_for_update().filter(pk=request.pk).order_by("pk").first()
    if fresh is None:
        raise PermissionDenied
    require_gathering(fresh)
    return fresh


def require_request_administrator(actor, pupil):
    """Only those who administer the school's records (SENCO, head) handle requests about its pupils."""
    require_records_administrator(actor, pupil.school)
    require_pupil(actor, pupil, Action.ADMINISTER)


def _check_requester(*, pupil, requester_kind, parent_link, acting_for, identity_check):
    errors = {}
    if requester_kind not in Requester.values:
        errors["requester_kind"] = _("Choose who is asking.")
    elif requester_kind == Requester.PARENT:
        if parent_link is None:
            errors["parent_link"] = _("Choose the parent or carer who is asking.")
        elif parent_link.pupil_id != pupil.pk:
            errors["parent_link"] = _("Choose one of this pupil's parents or carers.")
        elif parent_link.status != ParentLink.Status.ACTIVE:
            errors["parent_link"] = _(
                "This parent's link to the child is not active. If they may still ask, log them as someone "
                "acting for the pupil, with the authority they showed."
            )
        elif not parent_link.parental_responsibility:
            errors["parent_link"] = _(
                "The school has not recorded parental responsibility for this parent or carer. Log them as "
                "someone acting for the pupil, with the authority they showed."
            )
    elif parent_link is not None:
        errors["parent_link"] = _("Choose a parent or carer only when a parent or carer is asking.")
    if requester_kind == Requester.REPRESENTATIVE and not (acting_for or "").strip():
        errors["acting_for"] = _("Say who they act for and what authority they showed.")
    if identity_check not in IdentityCheck.values:
        errors["identity_check"] = _("Choose how their identity was checked.")
    elif requester_kind in IDENTITY_CHECKS_FOR and identity_check not in IDENTITY_CHECKS_FOR[requester_kind]:
        errors["identity_check"] = _("Choose a check of identity that fits who is asking.")
    if errors:
        raise ValidationError(errors)


def _requester_name(pupil, requester_kind, parent_link, typed):
    """Who the request is logged as asking: a parent as named on their link (the name the school
    knows them by), the pupil by their legal name unless another is typed, anyone else as typed."""
    name = (typed or "").strip()
    if requester_kind == Requester.PARENT:
        name = parent_link.full_name
    elif requester_kind == Requester.PUPIL and not name:
        name = f"{pupil.legal_forename} {pupil.legal_surname}"
    if not name:
        raise ValidationError({"requester_name": _("Enter the full name of the person asking.")})
    return name


@transaction.atomic
def sar_log(
    *,
    actor,
    pupil,
    requester_kind,
    requester_name="",
    parent_link=None,
    acting_for="",
    identity_check,
    identity_details="",
    received_on,
):
    """Log a request for everything held about ``pupil``; return the ``SubjectAccessRequest``.

    Guarantees: only someone who administers the school's records (SENCO, head) may log it;
    the received date is not in the future and the due date is one calendar month later
    (``due_date``); a parent or carer asking is an active link of this pupil with parental
    responsibility (anyone else is logged as a representative, with their authority); the
    requester's name for a parent is the name on their link and, for the pupil, the pupil's
    name when none is typed. The default redactions that protect other people are applied in
    the same transaction (``redaction.apply_defaults``), and the request is audited without names.
    """
    from .redaction import apply_defaults  # redaction imports this module (lock_gathering)

    require_request_administrator(actor, pupil)
    if received_on is None:
        raise ValidationError({"received_on": _("Enter the date the request was received.")})
    if received_on > actor.today:
        raise ValidationError({"received_on": _("The date the request was received must be today or in the past.")})
    _check_requester(
        pupil=pupil,
        requester_kind=requester_kind,
        parent_link=parent_link,
        acting_for=acting_for,
        identity_check=identity_check,
    )
    request = SubjectAccessRequest(
        pupil=pupil,
        requester_kind=requester_kind,
        requester_name=_requester_name(pupil, requester_kind, parent_link, requester_name),
        parent_link=parent_link if requester_kind == Requester.PARENT else None,
        acting_for=(acting_for or "").strip() if requester_kind == Requester.REPRESENTATIVE else "",
        identity_check=identity_check,
        identity_details=(identity_details or "").strip(),
        received_on=received_on,
        due_on=due_date(received_on),
        logged_by=actor.user,
    )
    save_versioned(request)
    audit_record(
        actor=actor,
        action="exchange.sar.logged",
        target=request,
        pupil=pupil,
        data={
            "requester_kind": requester_kind,
            "identity_check": identity_check,
            "received_on": received_on.isoformat(),
            "due_on": request.due_on.isoformat(),
        },
    )
    apply_defaults(actor=actor, request=request)
    return request


def _extension_errors(request, extended_to, reason, today):
    """What is wrong with extending ``request`` to ``extended_to``, by field; empty when nothing is."""
    errors = {}
    limit = latest_extension(request)
    if extended_to is None:
        errors["extended_to"] = _("Enter the new due date.")
    elif extended_to <= request.due_on:
        errors["extended_to"] = _("The new due date must be after %(date)s, the date the answer is due.") % {
            "date": day_text(request.due_on)
        }
    elif extended_to > limit:
        errors["extended_to"] = _(
            "The due date can be extended by at most two further months: to %(date)s at the latest."
        ) % {"date": day_text(limit)}
    if not reason:
        errors["extension_reason"] = _("Give the reason for extending the deadline.")
    if not errors and request.extended_to is None and today > request.due_on:
        # The requester must be told of an extension within the first month (ICO); a later
        # change to an extension already made is still allowed.
        errors["extended_to"] = _(
            "The deadline can only be extended within the first month, before %(date)s had passed, "
            "and the requester told why."
        ) % {"date": day_text(request.due_on)}
    return errors


@transaction.atomic
def sar_extend(*, actor, request, extended_to, reason, expected_version):
    """Move the deadline of a complex request, by up to two further months, with the reason.

    Guarantees: the request is still being gathered; the new date is after the due date and no
    later than ``latest_extension``; a reason is given; the first extension is made before the
    original due date has passed (the requester must be told within the first month); a stale
    form is refused. Audited with the dates, never the reason's words.
    """
    require_request_administrator(actor, request.pupil)
    # Waits for a release or redaction under way and refuses a closed request; a change made
    # meanwhile is caught by the version check when saving.
    lock_gathering(request)
    reason = (reason or "").strip()
    errors = _extension_errors(request, extended_to, reason, actor.today)
    if errors:
        raise ValidationError(errors)
    previous = request.extended_to
    request.extended_to = extended_to
    request.extension_reason = reason
    save_versioned(request, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="exchange.sar.extended",
        target=request,
        pupil=request.pupil,
        data={
            "due_on": request.due_on.isoformat(),
            "extended_to": extended_to.isoformat(),
            **({"previously_extended_to": previous.isoformat()} if previous else {}),
        },
    )
    return request


@transaction.atomic
def sar_close(*, actor, request, status, reason, expected_version=None):
    """Close a request without a release: withdrawn by the requester, or refused, with the reason.

    Guarantees: only a request still being gathered can be closed; ``status`` is withdrawn or
    refused; the reason is required (a refusal must be explained to the requester, with their
    right to complain to the ICO). Audited with the status only.
    """
    require_request_administrator(actor, request.pupil)
    lock_gathering(request)
    errors = {}
    if status not in CLOSING_STATUSES:
        errors["status"] = _("Choose whether the request was withdrawn or refused.")
    reason = (reason or "").strip()
    if not reason:
        errors["closed_reason"] = _("Give the reason the request is closed.")
    if errors:
        raise ValidationError(errors)
    request.status = status
    request.closed_reason = reason
    save_versioned(request, expected_version=expected_version)
    audit_record(
        actor=actor, action="exchange.sar.closed", target=request, pupil=request.pupil, data={"status": status}
    )
    return request


def days_left(request, today):
    """Days until the deadline (negative once it has passed)."""
    return (request.deadline - today).days

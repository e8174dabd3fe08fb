"""Sharing one pupil with an outside specialist: the emailed link, accepting it, ending it, and their reports.

The SENCO (or a deputy, or the head: whoever reaches the pupil for ``Action.INVITE``)
shares a pupil by email. The link is stored only as a SHA-256 hash and works once: the
person holding it accepts as the account with the invited address (signing in first if
one exists, or creating one). Until then the share waits, with no specialist, and gives
nobody anything. A share gives access from its first day to its expiry, unless the
school ends it early; ``Share.objects.live`` is the one test of that, used by the actor,
the restricted querysets and every page here.

Nothing on the staff side looks up whether an address has an account.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from waymark.accounts.services import email_address_verify, user_create
from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.links import absolute_url
from waymark.core.models import Visibility
from waymark.core.quiet import is_email_held
from waymark.core.services import require, require_pupil

from .models import Document, Share

# The longest a school may share a pupil for at once; it can share again when it runs out.
LONGEST_SHARE_DAYS = 365


class ShareUnusable(Exception):
    """The link cannot be used (unknown, accepted already, ended or expired): the page says to ask the school."""


class ShareWrongAccount(Exception):
    """Someone is signed in with another address than the one the link was sent to."""


@dataclass(frozen=True)
class IssuedShare:
    """A new share and the token its email carries (kept nowhere else)."""

    share: Share
    token: str


def _token_hash(token):
    return hashlib.sha256(str(token).encode()).hexdigest()


def _same_address(one, other):
    return (one or "").strip().lower() == (other or "").strip().lower()


# ----- sharing -----


def _check_dates(today, starts_on, expires_on):
    if starts_on < today:
        raise ValidationError({"starts_on": _("The share cannot start before today.")})
    if expires_on < today:
        raise ValidationError({"expires_on": _("The date the share ends must be today or in the future.")})
    if expires_on < starts_on:
        raise ValidationError({"expires_on": _("The date the share ends must be on or after the day it starts.")})
    if expires_on > today + datetime.timedelta(days=LONGEST_SHARE_DAYS):
        raise ValidationError(
            {
                "expires_on": _(
                    "A share can last up to a year. Choose an end date no later than %(date)s; "
                    "you can share again when it ends."
                )
                % {"date": date_format(today + datetime.timedelta(days=LONGEST_SHARE_DAYS), "j F Y")}
            }
        )


def open_shares(pupil, today):
    """The pupil's shares that have not ended or expired: live, waiting to be accepted, or not started."""
    return Share.objects.filter(pupil=pupil, ended_at__isnull=True, expires_on__gte=today)


def _check_not_shared_already(pupil, email, today):
    """One open share per address and pupil, whether it was sent to that address or accepted by its account."""
    for other in open_shares(pupil, today).select_related("specialist"):
        if _same_address(email, other.email) or _same_address(email, getattr(other.specialist, "email", "")):
            raise ValidationError(
                {
                    "email": _(
                        "This pupil is already shared with this email address. "
                        "End that share first if you want to change it."
                    )
                }
            )


def _send_share_email(*, share, token):
    if is_email_held():  # the demo writing its made-up history (core/quiet.py)
        return
    school = share.pupil.school
    body = render_to_string(
        "evidence/email/share_invitation.txt",
        {
            "share": share,
            "school": school,
            "link_url": absolute_url("evidence:share-accept", token=token),
            "full_name": share.full_name,
        },
    )
    # The link is sent straight after commit rather than through the task queue: a queued task
    # would keep the usable link, in the clear, in the task table. A rolled-back share sends nothing.
    transaction.on_commit(
        lambda: send_mail(
            _("%(school)s has shared a pupil's record with you on Waymark") % {"school": school.name},
            body,
            None,
            [share.email],
        )
    )


@transaction.atomic
def share_create(
    *,
    actor,
    pupil,
    email,
    full_name,
    service,
    expires_on,
    lawful_basis_kind,
    lawful_basis,
    starts_on=None,
    can_see_plan=True,
    can_see_documents=False,
    can_add_report=False,
):
    """Share ``pupil`` with the person at ``email`` until ``expires_on``, and email them the link.

    Guarantees: the actor reaches the pupil for ``Action.INVITE``; the share starts today or
    later (today if not given) and ends within a year; it lets them see or do at least one
    thing; a lawful basis is recorded; the address has no other open share of this pupil;
    only the link's hash is stored; the email goes only if the transaction commits. Nothing
    says whether the address has an account. Returns an ``IssuedShare``.
    """
    require_pupil(actor, pupil, Action.INVITE)
    today = actor.today
    starts_on = starts_on or today
    _check_dates(today, starts_on, expires_on)
    if not (can_see_plan or can_see_documents or can_add_report):
        raise ValidationError(
            _("Choose what they may see or do: the plan, documents, or adding a report or recommendations.")
        )
    email = (email or "").strip().lower()
    _check_not_shared_already(pupil, email, today)
    token = secrets.token_urlsafe(32)
    share = Share(
        pupil=pupil,
        email=email,
        full_name=(full_name or "").strip(),
        service=(service or "").strip(),
        can_see_plan=bool(can_see_plan),
        can_see_documents=bool(can_see_documents),
        can_add_report=bool(can_add_report),
        lawful_basis_kind=lawful_basis_kind,
        lawful_basis=(lawful_basis or "").strip(),
        starts_on=starts_on,
        expires_on=expires_on,
        token_hash=_token_hash(token),
        created_by=actor.user,
    )
    share.full_clean()
    share.save()
    _send_share_email(share=share, token=token)
    audit_record(
        actor=actor,
        action="evidence.share.created",
        target=share,
        pupil=pupil,
        data={
            "expires_on": expires_on.isoformat(),
            "plan": share.can_see_plan,
            "documents": share.can_see_documents,
            "report": share.can_add_report,
            "lawful_basis": share.lawful_basis_kind,
        },
    )
    return IssuedShare(share=share, token=token)


@transaction.atomic
def share_end(*, actor, share):
    """End a share now: from the next request its person sees nothing, and its link no longer works.

    Guarantees: the actor reaches the pupil for ``Action.INVITE``; a share that has already
    ended or expired is refused with a plain message; ``ended_at`` and ``ended_by`` are set
    and the link's hash is cleared, under a lock, with the audit event.
    """
    require_pupil(actor, share.pupil, Action.INVITE)
    locked = Share.objects.select_for_update(of=("self",)).select_related("pupil").order_by("pk").get(pk=share.pk)
    if locked.ended_at is not None:
        raise ValidationError(_("This share has already been ended."))
    if locked.expires_on < actor.today:
        raise ValidationError(_("This share has already expired, so there is nothing to end."))
    locked.ended_at = timezone.now()
    locked.ended_by = actor.user
    locked.token_hash = None
    locked.full_clean()
    locked.save(update_fields=["ended_at", "ended_by", "token_hash"])
    audit_record(
        actor=actor,
        action="evidence.share.ended",
        target=locked,
        pupil=locked.pupil,
        data={"accepted": locked.specialist_id is not None},
    )
    return locked


# ----- accepting -----


def _usable(share, today):
    return share.token_hash and share.accepted_at is None and share.ended_at is None and share.expires_on >= today


def share_for_token(token, today=None):
    """The share a link opens, if it can still be accepted; otherwise ``None``.

    Looked up before any school scope exists (the visitor may not be signed in); the caller
    then opens the share's own school scope.
    """
    today = today or datetime.date.today()
    with scopes_disabled():
        share = Share.objects.select_related("pupil__school").filter(token_hash=_token_hash(token)).first()
    if share is None or not _usable(share, today):
        return None
    return share


def account_exists_for(share):
    """Only for the person holding the emailed link: whether they must sign in first."""
    return get_user_model().objects.filter(email__iexact=share.email).exists()


def is_invited_account(share, user):
    return user is not None and user.is_authenticated and _same_address(user.email, share.email)


@transaction.atomic
def share_accept(*, share, user=None, full_name="", password=None, today=None):
    """Give the account at the invited address access to the shared pupil, once.

    ``user`` is the signed-in account, which must have the invited address (any case);
    without one, an account is made for the invited address with ``full_name`` and
    ``password`` (Django's password validators apply), its address counting as verified
    because the emailed link reached it. Under a lock: a share no longer usable raises
    ``ShareUnusable``; another account raises ``ShareWrongAccount``; otherwise the share
    gets its specialist and ``accepted_at``, the link's hash is cleared, and it is audited.
    """
    today = today or datetime.date.today()
    locked = (
        Share.objects.select_for_update(of=("self",)).select_related("pupil__school").order_by("pk").get(pk=share.pk)
    )
    if not _usable(locked, today):
        raise ShareUnusable
    new_account = user is None
    if new_account:
        if account_exists_for(locked):
            # The page asks an existing account to sign in; this is the race where one appeared meanwhile.
            raise ValidationError(_("Sign in to Waymark first, then open the link in your email again."))
        user = user_create(email=locked.email, full_name=full_name, password=password)
    elif not is_invited_account(locked, user):
        raise ShareWrongAccount
    else:
        # The emailed link reached them, so the address is theirs.
        email_address_verify(user=user)
    locked.specialist = user
    locked.accepted_at = timezone.now()
    locked.token_hash = None
    locked.full_clean()
    locked.save(update_fields=["specialist", "accepted_at", "token_hash"])
    audit_record(
        actor=user,
        action="evidence.share.accepted",
        target=locked,
        pupil=locked.pupil,
        data={"new_account": new_account},
    )
    return locked


# ----- what the specialist does -----


def require_live_share(actor, share):
    """The actor is the share's specialist and it is live today; otherwise ``PermissionDenied``."""
    require(
        actor is not None
        and actor.user is not None
        and share.specialist_id == actor.user.pk
        and Share.objects.live(actor.today).filter(pk=share.pk, specialist=actor.user).exists()
    )


def share_report_add(*, actor, share, upload, title, written_on, recommendations=""):
    """Add the specialist's report (a file, with any recommendations) to the pupil's documents.

    Guarantees: the actor is the share's specialist, the share is live and lets them add a
    report; the file goes through ``evidence.documents.document_upload`` (its checks of
    size, type, macros and viruses, and its storage outside the public path), staff-only
    and tied to the share; the report is audited ``evidence.report.added``. A refused file
    changes nothing but its refusal event.

    Not wrapped in one transaction: ``document_upload`` records a refused file in a
    transaction of its own, which an outer one would roll back with the refusal. The
    document and its upload event commit together there; this event follows at once.
    """
    from .documents import document_upload  # here, not at the top: documents imports require_live_share

    require_live_share(actor, share)
    if not share.can_add_report:
        raise PermissionDenied
    document = document_upload(
        actor=actor,
        pupil=share.pupil,
        upload=upload,
        title=title,
        kind=Document.Kind.PROFESSIONAL_REPORT,
        written_on=written_on,
        visibility=Visibility.STAFF,
        share=share,
        recommendations=(recommendations or "").strip(),
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="evidence.report.added",
            target=document,
            pupil=share.pupil,
            data={"share": str(share.public_id), "recommendations": bool(document.recommendations)},
        )
    return document

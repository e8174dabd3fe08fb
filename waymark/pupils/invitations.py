"""Inviting parents and carers to see their child's plan: an emailed link and a code on paper.

The school emails a one-use link and gives the parent a short code in person or by
letter; accepting needs both, so an email that reaches the wrong inbox is not enough.
Link and code are stored only as SHA-256 hashes: the code is shown to the school once,
on the printable letter, and never again.

Nothing here looks up whether an account exists for an address when the school invites
someone: staff never learn it. Only the person holding the emailed link is asked to sign
in first when their address already has an account, as for staff invitations.
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from waymark.accounts.services import email_address_verify, user_create
from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.links import absolute_url
from waymark.core.quiet import is_email_held
from waymark.core.services import require_pupil, save_versioned

from .models import ParentInvitation, ParentLink

INVITATION_DAYS = 14
# No 0/O, 1/I/L: a code read aloud or copied from paper has no look-alikes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class InvitationUnusable(Exception):
    """The link cannot be used (unknown, expired, withdrawn, used or locked): the page says to ask the school."""


@dataclass(frozen=True)
class IssuedInvitation:
    """What a new invitation gives the school, once: the code for the letter, the token for the email."""

    invitation: ParentInvitation
    token: str
    code: str

    @property
    def grouped_code(self):
        return group_code(self.code)


# ----- codes and tokens -----


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _code_hash(invitation, code):
    # Salted with the invitation's own id, so one table of hashes does not fit every invitation.
    return hashlib.sha256(f"{invitation.public_id}:{code}".encode()).hexdigest()


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def group_code(code):
    """ "K7QM3XDP" -> "K7QM-3XDP", easier to read aloud and to copy."""
    return f"{code[:4]}-{code[4:]}"


def normalise_code(typed):
    """What a person typed, as a code: capitals, without spaces or dashes."""
    return "".join(ch for ch in str(typed).upper() if ch not in " -–\t")


def code_looks_right(code):
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


# ----- who may be invited -----


def invite_problem(link):
    """Why ``link`` cannot be invited, in plain English, or ``None`` if it can."""
    if not link.is_active:
        return _("You cannot invite %(name)s: their link to this child is restricted or suspended.") % {
            "name": link.full_name
        }
    if link.has_account:
        return _("%(name)s already has an account that can see this child's plan.") % {"name": link.full_name}
    if not link.email.strip():
        return _(
            "%(name)s has no email address. Add one to their contact record, or record their views on their behalf."
        ) % {"name": link.full_name}
    return None


def pending_invitation(link, now=None):
    """The invitation of ``link`` that can still be accepted, from prefetched ``link.invitations``."""
    now = now or timezone.now()
    return next((inv for inv in link.invitations.all() if inv.is_usable(now)), None)


@dataclass(frozen=True)
class AccessState:
    """Whether a parent can see the child's plan yet, for the pupil page."""

    code: str  # "account", "invited" or "not_invited"
    invitation: ParentInvitation | None = None
    last: ParentInvitation | None = None  # the latest invitation that can no longer be used

    @property
    def last_reason(self):
        if self.last is None:
            return ""
        if self.last.withdrawn_at:
            return "withdrawn"
        if self.last.failed_attempts >= ParentInvitation.MAX_CODE_ATTEMPTS:
            return "locked"
        return "expired"


def access_state(link, now=None):
    """From prefetched invitations (newest first): has an account, invited, or not invited."""
    if link.has_account:
        return AccessState("account")
    pending = pending_invitation(link, now)
    if pending is not None:
        return AccessState("invited", invitation=pending)
    last = next((inv for inv in link.invitations.all() if inv.accepted_at is None), None)
    return AccessState("not_invited", last=last)


def withdraw_pending_invitations(link, now):
    """Stop every unused invitation of ``link``; returns how many. Callers audit it."""
    return ParentInvitation.objects.filter(link=link, accepted_at__isnull=True, withdrawn_at__isnull=True).update(
        withdrawn_at=now
    )


# ----- inviting -----


def _send_invitation_email(*, invitation, link, token):
    if is_email_held():  # the demo writing its made-up history (core/quiet.py)
        return
    url = absolute_url("pupils:parent-invitation-accept", token=token)
    school = link.pupil.school
    body = render_to_string(
        "pupils/email/parent_invitation.txt",
        {"invitation": invitation, "link_url": url, "school": school, "full_name": link.full_name},
    )
    # After commit, so a rolled-back invitation (one of many that failed) sends nothing.
    transaction.on_commit(
        lambda: send_mail(
            _("%(school)s has invited you to see your child's support plan") % {"school": school.name},
            body,
            None,
            [invitation.email],
        )
    )


def _lock_link(link):
    # of=("self",): lock the link, not its pupil and school; order_by("pk"): Meta.ordering would join the pupil.
    return (
        ParentLink.objects.select_for_update(of=("self",))
        .select_related("pupil__school")
        .order_by("pk")
        .get(pk=link.pk)
    )


@transaction.atomic
def parent_invite(*, actor, link):
    """Invite one parent record: a new link by email and a new code for the school to give them.

    Guarantees: the actor may invite for this child; the link is active, has an email
    and no account yet; any earlier unused invitation stops working; link and code are
    stored only as hashes; the email (with the link, never the code) is sent only if
    the transaction commits. Returns an ``IssuedInvitation`` holding the code, once.
    """
    require_pupil(actor, link.pupil, Action.INVITE)
    locked = _lock_link(link)
    problem = invite_problem(locked)
    if problem:
        raise ValidationError(problem)
    now = timezone.now()
    withdrawn = withdraw_pending_invitations(locked, now)
    token, code = secrets.token_urlsafe(32), new_code()
    invitation = ParentInvitation(
        link=locked,
        email=locked.email.strip().lower(),
        token_hash=_token_hash(token),
        expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
        created_by=actor.user,
    )
    invitation.code_hash = _code_hash(invitation, code)
    invitation.full_clean()
    invitation.save()
    _send_invitation_email(invitation=invitation, link=locked, token=token)
    audit_record(
        actor=actor,
        action="pupils.parent_link.invited",
        target=locked,
        pupil=locked.pupil,
        data={"invitation": str(invitation.public_id), "withdrawn": withdrawn},
    )
    return IssuedInvitation(invitation=invitation, token=token, code=code)


@transaction.atomic
def parent_invite_many(*, actor, links):
    """Invite several parent records at once: every one, or none.

    Every link is checked before any is invited, and a refusal lists every problem, so
    the school fixes them together. One audit event per parent invited, each on its own
    child's history.
    """
    links = list({link.pk: link for link in links}.values())
    if not links:
        raise ValidationError(_("Select at least one parent or carer to invite."))
    for link in links:
        require_pupil(actor, link.pupil, Action.INVITE)
    problems = [problem for problem in (invite_problem(_lock_link(link)) for link in links) if problem]
    if problems:
        raise ValidationError(problems)
    return [parent_invite(actor=actor, link=link) for link in links]


@transaction.atomic
def invitation_withdraw(*, actor, invitation):
    """Stop an invitation that has not been used: its link and code no longer work."""
    require_pupil(actor, invitation.link.pupil, Action.INVITE)
    locked = ParentInvitation.objects.select_for_update().order_by("pk").get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted, so it cannot be withdrawn."))
    if locked.withdrawn_at is not None:
        raise ValidationError(_("This invitation has already been withdrawn."))
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at"])
    link = invitation.link
    audit_record(
        actor=actor,
        action="pupils.parent_link.invitation_withdrawn",
        target=link,
        pupil=link.pupil,
        data={"invitation": str(locked.public_id)},
    )
    return locked


# ----- accepting -----


def _usable(invitation, now):
    link = invitation.link
    return invitation.is_usable(now) and link.is_active and not link.has_account


def invitation_for_token(token):
    """The invitation a token opens, if it can still be used; otherwise ``None``.

    Looked up before any school scope exists (the visitor may not be signed in); the
    caller then opens the invitation's own school scope.
    """
    with scopes_disabled():
        invitation = (
            ParentInvitation.objects.select_related("link__pupil__school")
            .filter(token_hash=_token_hash(str(token)))
            .first()
        )
    if invitation is None or not _usable(invitation, timezone.now()):
        return None
    return invitation


def account_exists_for(invitation):
    """Only for the person holding the emailed link: whether they must sign in first."""
    return get_user_model().objects.filter(email__iexact=invitation.email).exists()


def _record_wrong_code(invitation, actor):
    invitation.failed_attempts += 1
    invitation.save(update_fields=["failed_attempts"])
    audit_record(
        actor=actor,
        action="pupils.parent_link.invitation_code_failed",
        target=invitation.link,
        pupil=invitation.link.pupil,
        data={"invitation": str(invitation.public_id), "failed_attempts": invitation.failed_attempts},
    )


def invitation_accept(*, invitation, code, user=None, full_name="", password=None):
    """Give ``user`` (or a new account for the invitation's address) access to the child, once.

    Under a lock on the invitation: refuses anything no longer usable with
    ``InvitationUnusable`` (used, expired, withdrawn, locked, or the link changed since);
    a wrong code adds one failed attempt (and its audit event) and changes nothing else;
    a right code sets the link's account, marks the invitation accepted and audits it.
    A signed-in person may accept an invitation sent to another address: they hold the
    emailed link and the school's code, which is what the invitation asks for.
    """
    code = normalise_code(code)
    wrong = False
    with transaction.atomic():
        locked = (
            ParentInvitation.objects.select_for_update(of=("self",))
            .select_related("link__pupil__school")
            .order_by("pk")
            .get(pk=invitation.pk)
        )
        if not _usable(locked, timezone.now()):
            raise InvitationUnusable
        if not hmac.compare_digest(locked.code_hash, _code_hash(locked, code)):
            # Recorded and committed, then refused below: the count must survive the refusal.
            _record_wrong_code(locked, user)
            wrong = True
        else:
            link = _accept(locked, user=user, full_name=full_name, password=password)
    if wrong:
        left = ParentInvitation.MAX_CODE_ATTEMPTS - locked.failed_attempts
        if left <= 0:
            raise InvitationUnusable
        raise ValidationError(
            {
                "code": ngettext(
                    "The code is not right. Check the code in the letter from the school and try again. "
                    "You can try %(left)d more time.",
                    "The code is not right. Check the code in the letter from the school and try again. "
                    "You can try %(left)d more times.",
                    left,
                )
                % {"left": left}
            }
        )
    return link


def _accept(invitation, *, user, full_name, password):
    link = _lock_link(invitation.link)
    if not link.is_active or link.has_account:
        raise InvitationUnusable  # restricted or linked since the page was opened
    new_account = user is None
    if new_account:
        if account_exists_for(invitation):
            # The page asks an existing account to sign in first; this is the race where one appeared meanwhile.
            raise ValidationError(_("Sign in to Waymark first, then open the link in your email again."))
        user = user_create(email=invitation.email, full_name=full_name, password=password)
    elif user.email.lower() == invitation.email.lower():
        # The emailed link reached them, so the address is theirs.
        email_address_verify(user=user)
    if ParentLink.objects.filter(pupil_id=link.pupil_id, user=user).exists():
        raise ValidationError(_("Your account is already linked to this child. Ask the school if you cannot see them."))
    link.user = user
    save_versioned(link)
    now = timezone.now()
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action="pupils.parent_link.invitation_accepted",
        target=link,
        pupil=link.pupil,
        data={"invitation": str(invitation.public_id), "new_account": new_account},
    )
    return link

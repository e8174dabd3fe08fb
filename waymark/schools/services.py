"""Writes to schools, school time, staff and groups."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from waymark.accounts.services import email_address_verify
from waymark.core.access import Action, Reach
from waymark.core.audit import audit_record
from waymark.core.links import absolute_url
from waymark.core.services import require, save_versioned

from .models import AcademicYear, ClassGroup, GroupStaff, Membership, Role, StaffInvitation, Term


def _require_admin(actor, school):
    require(actor.school == school and actor.can_administer())


@transaction.atomic
def academic_year_create(*, actor, school, name, starts_on, ends_on):
    _require_admin(actor, school)
    year = AcademicYear(school=school, name=name, starts_on=starts_on, ends_on=ends_on)
    # Overlap first: it explains a clash in the school's words, where the unique constraint would not.
    overlapping = AcademicYear.objects.filter(school=school, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if overlapping.exists():
        raise ValidationError(_("This school year overlaps %(year)s.") % {"year": overlapping.first().name})
    year.full_clean()
    year.save()
    audit_record(actor=actor, action="schools.academic_year.created", target=year, school=school)
    return year


@transaction.atomic
def term_create(*, actor, academic_year, name, starts_on, ends_on):
    _require_admin(actor, academic_year.school)
    term = Term(academic_year=academic_year, name=name, starts_on=starts_on, ends_on=ends_on)
    term.full_clean()
    term.save()
    audit_record(actor=actor, action="schools.term.created", target=term, school=academic_year.school)
    return term


def academic_year_current(school, on):
    return AcademicYear.objects.filter(school=school, starts_on__lte=on, ends_on__gte=on).first()


# ----- year-end rollover -----


@dataclass
class RolloverPlan:
    """What a rollover would do; built without writing anything so it can be previewed."""

    from_year: AcademicYear
    to_year: AcademicYear | None
    moving_up: dict = field(default_factory=dict)  # old year group -> count
    leavers: list = field(default_factory=list)
    enrolments_to_close: int = 0
    staff_to_close: int = 0
    problems: list = field(default_factory=list)

    @property
    def can_apply(self):
        return not self.problems


def rollover_preview(*, actor, school, from_year):
    from waymark.pupils.models import Enrolment, Pupil

    _require_admin(actor, school)
    to_year = AcademicYear.objects.filter(school=school, starts_on__gt=from_year.ends_on).order_by("starts_on").first()
    plan = RolloverPlan(from_year=from_year, to_year=to_year)
    if to_year is None:
        plan.problems.append(_("Add next school year before rolling over, so pupils have a year to move into."))
    on_roll = Pupil.objects.filter(school=school).filter(Q(date_left__isnull=True) | Q(date_left__gt=from_year.ends_on))
    final = school.final_year_group
    for pupil in on_roll.order_by("year_group", "legal_surname"):
        if pupil.year_group >= final:
            plan.leavers.append(pupil)
        else:
            plan.moving_up[pupil.year_group] = plan.moving_up.get(pupil.year_group, 0) + 1
    plan.enrolments_to_close = Enrolment.objects.filter(
        pupil__school=school, group__academic_year=from_year, ends_on__gt=from_year.ends_on
    ).count()
    plan.staff_to_close = GroupStaff.objects.filter(
        group__school=school, group__academic_year=from_year, ends_on__gt=from_year.ends_on
    ).count()
    if from_year.rolled_over_at is not None:
        plan.problems.append(_("This school year has already been rolled over."))
    elif AcademicYear.objects.filter(
        school=school, starts_on__gt=from_year.starts_on, rolled_over_at__isnull=False
    ).exists():
        # Rolling an older year over after a later one would move pupils up twice.
        plan.problems.append(_("A later school year has already been rolled over, so this one cannot be."))
    return plan


@transaction.atomic
def rollover_apply(*, actor, school, from_year):
    """Move pupils up a year group, record leavers, and close last year's class memberships.

    Runs once per school year; the same preview is recomputed inside the transaction, so
    what is applied is what the rules say now, not what a stale page showed.
    """
    from waymark.pupils.models import Enrolment, Pupil

    plan = rollover_preview(actor=actor, school=school, from_year=from_year)
    if not plan.can_apply:
        raise ValidationError(plan.problems)
    leaver_ids = [pupil.pk for pupil in plan.leavers]
    # Version bumps make any edit form opened before the rollover stale, so it cannot undo it.
    Pupil.objects.filter(pk__in=leaver_ids).update(
        date_left=from_year.ends_on, lock_version=F("lock_version") + 1, updated_at=timezone.now()
    )
    movers = (
        Pupil.objects.filter(school=school)
        .filter(Q(date_left__isnull=True) | Q(date_left__gt=from_year.ends_on))
        .exclude(pk__in=leaver_ids)
    )
    # One statement for the whole school; the version bump makes any open edit form stale.
    movers.update(year_group=F("year_group") + 1, lock_version=F("lock_version") + 1, updated_at=timezone.now())
    Enrolment.objects.filter(
        pupil__school=school, group__academic_year=from_year, ends_on__gt=from_year.ends_on
    ).update(ends_on=from_year.ends_on)
    GroupStaff.objects.filter(
        group__school=school, group__academic_year=from_year, ends_on__gt=from_year.ends_on
    ).update(ends_on=from_year.ends_on)
    AcademicYear.objects.filter(pk=from_year.pk).update(rolled_over_at=timezone.now())
    audit_record(
        actor=actor,
        action="schools.rollover.applied",
        target=from_year,
        school=school,
        data={"moved_up": sum(plan.moving_up.values()), "leavers": len(leaver_ids)},
    )
    return plan


# ----- staff -----


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_roles(roles, year_groups):
    valid = set(Role.values)
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    if set(roles) - valid:
        raise ValidationError({"roles": _("Choose roles from the list.")})
    if Role.HEAD_OF_YEAR in roles and not year_groups:
        raise ValidationError({"year_groups": _("Choose the year groups a head of year leads.")})


@transaction.atomic
def staff_invite(*, actor, school, email, full_name, roles, year_groups=()):
    """Email a one-use link that expires; the token is stored only as a hash."""
    require(actor.school == school and actor.reach(Action.INVITE) == Reach.ALL)
    _clean_roles(roles, year_groups)
    if not actor.can_administer() and {Role.SENCO, Role.HEAD, Role.DSL, Role.TRUST_LEAD}.intersection(roles):
        raise ValidationError({"roles": _("Only the SENCO or headteacher can give leadership roles.")})
    email = email.strip().lower()
    if Membership.objects.filter(school=school, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of staff at this school.")})
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation(
        school=school,
        email=email,
        full_name=full_name,
        roles=list(roles),
        year_groups=[int(y) for y in year_groups],
        token_hash=_token_hash(token),
        expires_at=timezone.now() + datetime.timedelta(days=settings.WAYMARK_INVITATION_DAYS),
        invited_by=actor.user,
    )
    invitation.full_clean()
    invitation.save()
    link = absolute_url("schools:invitation-accept", token=token)
    body = render_to_string(
        "schools/email/staff_invitation.txt",
        {"invitation": invitation, "link": link, "days": settings.WAYMARK_INVITATION_DAYS},
    )
    # Sent after the transaction commits, so a rolled-back invitation sends nothing.
    transaction.on_commit(
        lambda: send_mail(
            _("You have been invited to Waymark by %(school)s") % {"school": school.name},
            body,
            None,
            [email],
        )
    )
    audit_record(actor=actor, action="schools.invitation.sent", target=invitation, school=school)
    return invitation, token


def invitation_for_token(token):
    """The pending invitation a token opens, or None if it is unknown, used or expired.

    Looked up before any scope exists (the person is not signed in yet); the caller
    then opens the invitation's own school scope.
    """
    from django_scopes import scopes_disabled

    with scopes_disabled():
        invitation = (
            StaffInvitation.objects.select_related("school")
            .filter(token_hash=_token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation, user):
    """Create (or extend) the membership the invitation offers, once."""
    locked = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None or locked.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has already been used or has expired. Ask your school for a new one."))
    if user.email.lower() != locked.email.lower():
        raise ValidationError(_("This invitation was sent to a different email address."))
    membership, created = Membership.objects.get_or_create(
        user=user,
        school=locked.school,
        defaults={"roles": locked.roles, "year_groups": locked.year_groups, "starts_on": timezone.localdate()},
    )
    if not created:
        membership.roles = sorted(set(membership.roles) | set(locked.roles))
        membership.year_groups = sorted(set(membership.year_groups) | set(locked.year_groups))
        membership.ends_on = None
        save_versioned(membership)
    # The emailed link reached them, so the address is theirs (allauth needs this for two-factor set-up).
    email_address_verify(user=user)
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    audit_record(actor=user, action="schools.invitation.accepted", target=locked, school=locked.school)
    return membership


@transaction.atomic
def membership_update(*, actor, membership, roles, year_groups, expected_version, ends_on=None):
    _require_admin(actor, membership.school)
    _clean_roles(roles, year_groups)
    if membership.user_id == actor.user.pk and Role.SENCO in actor.roles and Role.SENCO not in roles:
        raise ValidationError({"roles": _("You cannot remove your own SENCO role. Ask another leader to do it.")})
    membership.roles = list(roles)
    membership.year_groups = [int(y) for y in year_groups]
    membership.ends_on = ends_on
    save_versioned(membership, expected_version=expected_version)
    audit_record(actor=actor, action="schools.membership.updated", target=membership, school=membership.school)
    return membership


@transaction.atomic
def class_group_create(*, actor, school, academic_year, kind, name, subject="", year_group=None):
    _require_admin(actor, school)
    group = ClassGroup(
        school=school, academic_year=academic_year, kind=kind, name=name, subject=subject, year_group=year_group
    )
    if ClassGroup.objects.filter(academic_year=academic_year, kind=kind, name__iexact=name).exists():
        raise ValidationError({"name": _("There is already a class or group with this name this year.")})
    save_versioned(group)
    audit_record(actor=actor, action="schools.group.created", target=group, school=school)
    return group


@transaction.atomic
def group_staff_add(*, actor, group, user, kind, starts_on=None):
    """A teacher or TA works with the group from ``starts_on`` to the end of its school year."""
    _require_admin(actor, group.school)
    require(Membership.objects.filter(school=group.school, user=user).exists())
    starts_on = starts_on or max(actor.today, group.academic_year.starts_on)
    assignment = GroupStaff(group=group, user=user, kind=kind, starts_on=starts_on, ends_on=group.academic_year.ends_on)
    assignment.full_clean()
    assignment.save()
    audit_record(actor=actor, action="schools.group_staff.added", target=group, school=group.school)
    return assignment

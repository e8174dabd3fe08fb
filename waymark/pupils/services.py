"""Writes to pupils, their SEN status, needs and families. Each one checks, validates and audits."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waymark.core.access import Action, Reach
from waymark.core.audit import audit_record
from waymark.core.models import Visibility
from waymark.core.services import require, require_pupil, save_versioned

from .models import Enrolment, Need, ParentLink, Pupil, SenStatus
from .upn import UPNError, validate_upn

PUPIL_FIELDS = (
    "upn",
    "legal_forename",
    "legal_surname",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "year_group",
    "sex",
    "date_joined",
    "date_left",
)


def _check_upn_unique(*, school, upn, exclude_pk=None):
    if upn and Pupil.objects.filter(school=school, upn=upn).exclude(pk=exclude_pk).exists():
        raise ValidationError({"upn": _("Another pupil at this school already has this UPN.")})


def _check_no_duplicate_without_upn(*, school, pupil):
    """Children without a UPN are matched on name and date of birth."""
    if pupil.upn:
        return
    clash = (
        Pupil.objects.filter(
            school=school,
            legal_forename__iexact=pupil.legal_forename,
            legal_surname__iexact=pupil.legal_surname,
            date_of_birth=pupil.date_of_birth,
        )
        .exclude(pk=pupil.pk)
        .exists()
    )
    if clash:
        raise ValidationError(
            _("A pupil with this name and date of birth is already on roll. Check you are not adding them twice.")
        )


@transaction.atomic
def pupil_create(*, actor, school, provision="N", tier="universal", status_from=None, **fields):
    """Add a pupil with an opening SEN status. Guarantees a valid UPN, unique in the school, or none."""
    require(actor.school == school and actor.reach(Action.EDIT) == Reach.ALL)
    pupil = Pupil(school=school, **{name: fields[name] for name in PUPIL_FIELDS if name in fields})
    if pupil.upn:
        try:
            pupil.upn = validate_upn(pupil.upn)
        except UPNError as error:
            raise ValidationError({"upn": str(error)}) from None
    _check_upn_unique(school=school, upn=pupil.upn)
    _check_no_duplicate_without_upn(school=school, pupil=pupil)
    save_versioned(pupil)
    status = SenStatus(
        pupil=pupil,
        provision=provision,
        tier=tier,
        starts_on=status_from or pupil.date_joined,
        recorded_by=actor.user,
    )
    status.full_clean()
    status.save()
    audit_record(actor=actor, action="pupils.pupil.created", target=pupil, pupil=pupil)
    return pupil


@transaction.atomic
def pupil_update(*, actor, pupil, expected_version, **fields):
    """Change a pupil's details; refuses a stale save and a UPN another pupil holds."""
    require_pupil(actor, pupil, Action.EDIT)
    changed = []
    for name in PUPIL_FIELDS:
        if name in fields and getattr(pupil, name) != fields[name]:
            setattr(pupil, name, fields[name])
            changed.append(name)
    if pupil.upn:
        try:
            pupil.upn = validate_upn(pupil.upn)
        except UPNError as error:
            raise ValidationError({"upn": str(error)}) from None
    _check_upn_unique(school=pupil.school, upn=pupil.upn, exclude_pk=pupil.pk)
    save_versioned(pupil, expected_version=expected_version)
    audit_record(actor=actor, action="pupils.pupil.updated", target=pupil, pupil=pupil, data={"fields": changed})
    return pupil


@transaction.atomic
def sen_status_change(*, actor, pupil, provision, tier, starts_on, expected_version):
    """Close the open SEN status the day before ``starts_on`` and open the new one.

    Guarantees one open status per pupil, a tier that fits the code (E with specialist),
    and that history never runs backwards.
    """
    require_pupil(actor, pupil, Action.EDIT)
    # The pupil row's version guards the whole status history against two people at once.
    save_versioned(pupil, expected_version=expected_version)
    current = SenStatus.objects.select_for_update().filter(pupil=pupil, ends_on__isnull=True).first()
    if current is not None:
        if starts_on <= current.starts_on:
            raise ValidationError(
                {
                    "starts_on": _("The new status must start after the current one, which started on %(date)s.")
                    % {"date": current.starts_on.strftime("%-d %B %Y")}
                }
            )
        if current.provision == provision and current.tier == tier:
            raise ValidationError(_("That is already the pupil's current provision and tier."))
    new_status = SenStatus(pupil=pupil, provision=provision, tier=tier, starts_on=starts_on, recorded_by=actor.user)
    new_status.full_clean(exclude=["pupil"])
    if current is not None:
        current.ends_on = starts_on - datetime.timedelta(days=1)
        current.save(update_fields=["ends_on"])
    new_status.save()
    audit_record(
        actor=actor,
        action="pupils.sen_status.changed",
        target=pupil,
        pupil=pupil,
        data={"provision": provision, "tier": tier, "from": current.provision if current else None},
    )
    return new_status


@transaction.atomic
def need_add(*, actor, pupil, need_type, rank, description="", visibility="everyone", starts_on=None):
    require_pupil(actor, pupil, Action.EDIT)
    if visibility == Visibility.RESTRICTED:
        require(actor.can_see_restricted())
    if Need.objects.filter(pupil=pupil, rank=rank, ends_on__isnull=True).exists():
        raise ValidationError({"rank": _("This pupil already has a need ranked %(rank)d.") % {"rank": rank}})
    if Need.objects.filter(pupil=pupil, need_type=need_type, ends_on__isnull=True).exists():
        raise ValidationError({"need_type": _("This pupil already has %(code)s as a need.") % {"code": need_type.code}})
    need = Need(
        pupil=pupil,
        need_type=need_type,
        rank=rank,
        description=description,
        visibility=visibility,
        starts_on=starts_on,
    )
    save_versioned(need)
    audit_record(actor=actor, action="pupils.need.added", target=need, pupil=pupil, data={"code": need_type.code})
    return need


def _require_may_change_need(actor, need, new_visibility=None):
    """Nobody changes, ends or lowers a need description they could not read."""
    for level in (need.visibility, new_visibility):
        if level == Visibility.RESTRICTED:
            require(actor.can_see_restricted())


@transaction.atomic
def need_update(*, actor, need, expected_version, **fields):
    require_pupil(actor, need.pupil, Action.EDIT)
    _require_may_change_need(actor, need, fields.get("visibility"))
    for name in ("need_type", "rank", "description", "visibility", "starts_on"):
        if name in fields:
            setattr(need, name, fields[name])
    open_needs = Need.objects.filter(pupil=need.pupil, ends_on__isnull=True).exclude(pk=need.pk)
    if open_needs.filter(rank=need.rank).exists():
        raise ValidationError({"rank": _("This pupil already has a need ranked %(rank)d.") % {"rank": need.rank}})
    if open_needs.filter(need_type=need.need_type).exists():
        raise ValidationError(
            {"need_type": _("This pupil already has %(code)s as a need.") % {"code": need.need_type.code}}
        )
    save_versioned(need, expected_version=expected_version)
    audit_record(actor=actor, action="pupils.need.updated", target=need, pupil=need.pupil)
    return need


@transaction.atomic
def need_end(*, actor, need, ends_on, expected_version):
    require_pupil(actor, need.pupil, Action.EDIT)
    _require_may_change_need(actor, need)
    if need.starts_on and ends_on < need.starts_on:
        raise ValidationError({"ends_on": _("The end date must be after the date the need was identified.")})
    need.ends_on = ends_on
    save_versioned(need, expected_version=expected_version)
    audit_record(actor=actor, action="pupils.need.ended", target=need, pupil=need.pupil)
    return need


@transaction.atomic
def parent_link_create(*, actor, pupil, user, **fields):
    require_pupil(actor, pupil, Action.INVITE)
    fields.setdefault("full_name", user.full_name)
    fields.setdefault("email", user.email)
    link = ParentLink(pupil=pupil, user=user, **fields)
    if ParentLink.objects.filter(pupil=pupil, user=user).exists():
        raise ValidationError(_("This person is already linked to this pupil."))
    save_versioned(link)
    audit_record(actor=actor, action="pupils.parent_link.created", target=link, pupil=pupil)
    return link


@transaction.atomic
def parent_link_update(*, actor, link, expected_version, **fields):
    """Change a parent link. Restricting or suspending takes effect on the next request, everywhere."""
    status_fields = {"status", "status_reason"}
    if set(fields) <= status_fields:
        # Restricting a link is a safeguarding decision: the SENCO and DSL make it, and only
        # those who may read the reason may set it.
        require_pupil(actor, link.pupil, Action.VIEW)
        require(actor.can_see_restricted())
    else:
        require_pupil(actor, link.pupil, Action.EDIT)
        if status_fields & set(fields):
            require(actor.can_see_restricted())
    for name, value in fields.items():
        setattr(link, name, value)
    if link.status == ParentLink.Status.ACTIVE:
        link.status_reason = ""
    save_versioned(link, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="pupils.parent_link.updated",
        target=link,
        pupil=link.pupil,
        data={"status": link.status},
    )
    return link


# ----- parents' contact records -----

CONTACT_FIELDS = (
    "full_name",
    "relationship",
    "email",
    "phone",
    "address",
    "parental_responsibility",
    "contact_by_email",
    "contact_by_phone",
    "contact_by_post",
    "language",
    "needs_interpreter",
    "preferred_format",
    "access_needs",
)


def _contact_fields(fields):
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        # Accounts come only from accepted invitations and status only from the SENCO or DSL.
        raise TypeError(f"Not contact record fields: {', '.join(sorted(unknown))}")
    cleaned = dict(fields)
    for name in ("full_name", "email", "phone", "address", "language", "access_needs"):
        if name in cleaned and cleaned[name] is not None:
            cleaned[name] = str(cleaned[name]).strip()
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].lower()
    return cleaned


def _check_contact(link):
    """Each way of contacting a parent needs the detail it uses; one email address per child."""
    errors = {}
    if link.contact_by_email and not link.email:
        errors["email"] = _("Enter an email address, or do not choose email as a way to contact them.")
    if link.contact_by_phone and not link.phone:
        errors["phone"] = _("Enter a phone number, or do not choose phone as a way to contact them.")
    if link.contact_by_post and not link.address:
        errors["address"] = _("Enter a postal address, or do not choose letter as a way to contact them.")
    if (
        "email" not in errors
        and link.email
        and ParentLink.objects.filter(pupil_id=link.pupil_id, email__iexact=link.email).exclude(pk=link.pk).exists()
    ):
        errors["email"] = _("A parent or carer with this email address is already recorded for this child.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def parent_contact_create(*, actor, pupil, **fields):
    """Record a parent or carer of ``pupil`` who has no account (yet): an active link with no user.

    Never links an account and never looks one up, so nobody learns from it whether an
    address has an account; the parent gets access only by accepting an invitation.
    """
    require_pupil(actor, pupil, Action.EDIT)
    link = ParentLink(pupil=pupil, **_contact_fields(fields))
    _check_contact(link)
    save_versioned(link)
    audit_record(actor=actor, action="pupils.parent_link.created", target=link, pupil=pupil)
    return link


@transaction.atomic
def parent_contact_update(*, actor, link, expected_version, **fields):
    """Change a parent's contact record; refuses a stale save.

    A new email address stops any invitation not yet accepted: it went to the old address.
    """
    from .invitations import withdraw_pending_invitations

    require_pupil(actor, link.pupil, Action.EDIT)
    fields = _contact_fields(fields)
    changed = [name for name, value in fields.items() if getattr(link, name) != value]
    old_email = link.email
    for name, value in fields.items():
        setattr(link, name, value)
    _check_contact(link)
    save_versioned(link, expected_version=expected_version)
    withdrawn = 0
    if link.email.lower() != old_email.lower():
        withdrawn = withdraw_pending_invitations(link, timezone.now())
    audit_record(
        actor=actor,
        action="pupils.parent_link.updated",
        target=link,
        pupil=link.pupil,
        data={"fields": changed, "invitations_withdrawn": withdrawn},
    )
    return link


@transaction.atomic
def enrolment_add(*, actor, pupil, group, starts_on=None):
    """Put a pupil in a class or group until the end of its school year.

    A pupil has one registration class at a time.
    """
    require_pupil(actor, pupil, Action.EDIT)
    require(group.school_id == pupil.school_id)
    starts_on = starts_on or max(actor.today, group.academic_year.starts_on)
    ends_on = group.academic_year.ends_on
    if starts_on > ends_on:
        raise ValidationError(_("That class belongs to a school year that has ended."))
    overlapping = Enrolment.objects.filter(pupil=pupil, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if overlapping.filter(group=group).exists():
        raise ValidationError(_("The pupil is already in this class or group."))
    if group.kind == group.Kind.REGISTRATION:
        previous = overlapping.filter(group__kind=group.Kind.REGISTRATION).first()
        if previous is not None:
            if previous.starts_on >= starts_on:
                raise ValidationError(_("The pupil already has a registration class from that date."))
            previous.ends_on = starts_on - datetime.timedelta(days=1)
            previous.save(update_fields=["ends_on"])
    enrolment = Enrolment(pupil=pupil, group=group, starts_on=starts_on, ends_on=ends_on)
    enrolment.full_clean()
    enrolment.save()
    audit_record(actor=actor, action="pupils.enrolment.added", target=group, pupil=pupil)
    return enrolment

"""Writes to intervention groups: set up, change, end early. Places in a group are in ``members.py``.

Only those who manage provision (the SENCO and deputy SENCO) make these changes, and only
to their own school's groups. A group's day-to-day running changes here without touching
any plan (docs/plans.md): a place names the commitment it delivers by its lineage and the
plan itself is never written.

Sessions are planned only inside the school's terms (``schedule.py``), so a group's first
and last sessions must be term days and its dates must hold at least one term day on the
days it meets. Holidays inside the dates are fine: nothing is planned in them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.core.audit import audit_record
from waymark.core.services import STALE_MESSAGE, save_versioned

from .dates import day_text
from .group_selectors import interventions_for_groups, staff_choices
from .models import (
    Funding,
    GroupLeader,
    GroupMember,
    GroupSlot,
    InterventionGroup,
    SessionLog,
    StaffRole,
    Weekday,
)
from .permissions import require_manager
from .schedule import planned_dates, term_ranges

MAX_MINUTES = 360
ENDED_MESSAGE = gettext_lazy("This group has ended, so it can no longer be changed.")


# ----- checks shared by the group and member services -----


def refuse_if_ended(group):
    """An ended group is history: neither it nor its places change any more."""
    if group.ended_at is not None:
        raise ValidationError(ENDED_MESSAGE, code="ended")


def raise_if_errors(errors):
    """``errors`` maps form fields to messages, so the view shows each problem on its field."""
    if errors:
        raise ValidationError(errors)


# ----- checks for the group services -----


def _refuse_if_stale(group, expected_version):
    """Compared before anything else, so a stale form is told so rather than about its dates."""
    if expected_version is None:
        return
    current = (
        InterventionGroup._base_manager.select_for_update()
        .filter(pk=group.pk)
        .order_by("pk")
        .values_list("lock_version", flat=True)
        .first()
    )
    if current != int(expected_version):
        raise ValidationError(STALE_MESSAGE, code="stale")


def _check_dates(school, starts_on, ends_on, weekdays, errors):
    """First and last sessions on term days, and at least one term day on the days the group meets."""
    if starts_on is None:
        errors["starts_on"] = _("Enter the date of the first session.")
    if ends_on is None:
        errors["ends_on"] = _("Enter the date of the last session.")
    if starts_on is None or ends_on is None:
        return
    if ends_on < starts_on:
        errors["ends_on"] = _("The last session must be on or after the first session.")
        return
    terms = term_ranges(school, starts_on, ends_on)
    if not terms:
        errors["starts_on"] = _(
            "The school's term dates between %(start)s and %(end)s have not been entered. "
            "Ask whoever keeps the school's settings to add them, then set up the group."
        ) % {"start": day_text(starts_on), "end": day_text(ends_on)}
        return
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not any(first <= day <= last for first, last in terms):
            errors[name] = _("%(date)s is in the school holidays. Choose a date in term.") % {"date": day_text(day)}
    if (
        "starts_on" not in errors
        and "ends_on" not in errors
        and weekdays
        and not planned_dates(weekdays, starts_on, ends_on, terms)
    ):
        errors["weekdays"] = _(
            "Between these dates there is no term day on the days chosen, so no session would be planned. "
            "Choose other days or other dates."
        )


def _check_intervention(school, intervention, errors, group):
    """One the school may use; a group keeps its own (even archived) and changes it only before any session."""
    keeps_intervention = group is not None and intervention is not None and intervention.pk == group.intervention_id
    if intervention is None:
        errors["intervention"] = _("Choose the intervention the group delivers.")
    elif not keeps_intervention and not interventions_for_groups(school).filter(pk=intervention.pk).exists():
        errors["intervention"] = _("Choose an intervention from your school's list or one your trust shares.")
    elif not keeps_intervention and group is not None and SessionLog.objects.filter(group=group).exists():
        errors["intervention"] = _(
            "Sessions have been logged for this group, so its intervention cannot change. Set up a new group instead."
        )


def _check_name_free(school, fields, errors, group):
    """No other group of the school with the same name (any case) has dates overlapping these."""
    same = InterventionGroup.objects.filter(
        school=school, name__iexact=fields["name"], starts_on__lte=fields["ends_on"], ends_on__gte=fields["starts_on"]
    )
    if group is not None:
        same = same.exclude(pk=group.pk)
    if same.exists():
        errors["name"] = _("Another group called ‘%(name)s’ runs at the same time. Choose another name.") % {
            "name": fields["name"]
        }


def _check_group(actor, fields, errors, *, group=None):
    """Everything about a group's own fields, with each problem on its field; tidies ``fields`` as it goes."""
    school = actor.school
    name = (fields.get("name") or "").strip()
    fields["name"] = name
    if not name:
        errors["name"] = _("Enter a name for the group.")
    elif len(name) > 100:
        errors["name"] = _("The group's name must be 100 characters or fewer.")
    intervention = fields.get("intervention")
    _check_intervention(school, intervention, errors, group)
    minutes = fields.get("minutes_per_session")
    if minutes is None and intervention is not None:
        minutes = fields["minutes_per_session"] = intervention.minutes_per_session
    try:
        minutes = fields["minutes_per_session"] = int(minutes)
    except (TypeError, ValueError):
        minutes = None
    if minutes is None or not 5 <= minutes <= MAX_MINUTES:
        errors["minutes_per_session"] = _("A session must be from 5 to %(most)d minutes long.") % {"most": MAX_MINUTES}
    slots = fields.get("slots") or {}
    if not slots:
        errors["weekdays"] = _("Choose the days the group meets.")
    elif set(slots) - set(Weekday.values):
        errors["weekdays"] = _("Choose days from Monday to Friday.")
    elif any(time is None for time in slots.values()):
        errors["starts_at"] = _("Enter the time the session starts.")
    if fields.get("funding") not in Funding.values:
        errors["funding"] = _("Choose where the money comes from.")
    fields["room"] = (fields.get("room") or "").strip()
    if len(fields["room"]) > 100:
        errors["room"] = _("Where the group meets must be 100 characters or fewer.")
    _check_dates(school, fields.get("starts_on"), fields.get("ends_on"), list(slots), errors)
    if name and "starts_on" not in errors and "ends_on" not in errors:
        _check_name_free(school, fields, errors, group)
    _check_leaders(actor, fields.get("leaders") or [], errors)


def _check_leaders(actor, leaders, errors):
    roles = {role.pk for role in StaffRole.objects.filter(school=actor.school)}
    if not roles:
        errors["leaders"] = _(
            "Your school has no staff roles yet. Add at least one, with what an hour costs, before setting up a "
            "group: a group's cost is worked out from the roles of those who run it."
        )
        return
    if not leaders:
        errors["leaders"] = _("Choose who runs the group.")
        return
    staff = {user.pk for user in staff_choices(actor.school, actor.today)}
    seen = set()
    for user, role in leaders:
        if user is None or user.pk not in staff:
            errors["leaders"] = _("Choose who runs the group from the school's staff.")
        elif role is None or role.pk not in roles:
            errors["leaders"] = _("Choose the role of each person who runs the group.")
        elif user.pk in seen:
            errors["leaders"] = _("Choose each person once.")
        if user is not None:
            seen.add(user.pk)


def _set_slots(group, slots):
    """The days and times the group meets: one row a weekday (a second session a day is never planned)."""
    GroupSlot.objects.filter(group=group).exclude(weekday__in=list(slots)).delete()
    existing = {slot.weekday: slot for slot in GroupSlot.objects.filter(group=group)}
    for weekday, starts_at in sorted(slots.items()):
        slot = existing.get(weekday) or GroupSlot(group=group, weekday=weekday)
        if slot.pk is None or slot.starts_at != starts_at:
            slot.starts_at = starts_at
            slot.full_clean()
            slot.save()


def _set_leaders(group, leaders):
    """Who runs the group, each with their role for costing."""
    wanted = {user.pk: role for user, role in leaders}
    GroupLeader.objects.filter(group=group).exclude(user_id__in=list(wanted)).delete()
    existing = {leader.user_id: leader for leader in GroupLeader.objects.filter(group=group)}
    for user, role in leaders:
        leader = existing.get(user.pk) or GroupLeader(group=group, user=user)
        if leader.pk is None or leader.staff_role_id != role.pk:
            leader.staff_role = role
            leader.full_clean()
            leader.save()


# ----- groups -----


@transaction.atomic
def group_create(
    *,
    actor,
    intervention,
    name,
    starts_on,
    ends_on,
    slots,
    leaders,
    minutes_per_session=None,
    room="",
    funding=Funding.SEN_BUDGET,
):
    """Set up a group at the actor's school.

    ``slots`` maps weekdays (0 = Monday to 4 = Friday) to the session's start time;
    ``leaders`` is a list of (user, staff role) pairs. Guarantees an intervention the
    school may use (its own or shared by its trust, not archived), first and last sessions
    on term days with at least one planned session between them, staff of the school on
    the actor's day each with one of the school's roles, and no other group of the same
    name at the same time. ``minutes_per_session`` defaults to the intervention's.
    """
    require_manager(actor)
    fields = {
        "intervention": intervention,
        "name": name,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "slots": dict(slots or {}),
        "leaders": list(leaders or []),
        "minutes_per_session": minutes_per_session,
        "room": room,
        "funding": funding,
    }
    errors = {}
    _check_group(actor, fields, errors)
    raise_if_errors(errors)
    slots, leaders = fields.pop("slots"), fields.pop("leaders")
    group = save_versioned(InterventionGroup(school=actor.school, **fields))
    _set_slots(group, slots)
    _set_leaders(group, leaders)
    audit_record(
        actor=actor,
        action="provision.group.created",
        target=group,
        data={"intervention": str(intervention.public_id), "days": sorted(slots), "leaders": len(leaders)},
    )
    return group


def _check_places_fit(group, starts_on, ends_on, errors):
    """Pupils' places and logged sessions must stay inside new dates; returns places that move with the start."""
    moving = []
    if "starts_on" in errors or "ends_on" in errors:
        return moving
    for member in GroupMember.objects.filter(group=group).select_related("pupil"):
        last = member.left_on or ends_on
        if member.joined_on < starts_on:
            # Pupils who joined at the first session move with it, if that leaves them a place.
            if member.joined_on == group.starts_on and last >= starts_on:
                moving.append(member)
            else:
                errors["starts_on"] = _(
                    "%(name)s joined the group on %(date)s, before this date. Change the date they joined first."
                ) % {"name": member.pupil.full_name, "date": day_text(member.joined_on)}
        if member.joined_on > ends_on or (member.left_on and member.left_on > ends_on):
            errors["ends_on"] = _(
                "%(name)s is in the group after this date. Change the dates of their place first."
            ) % {"name": member.pupil.full_name}
    logged = SessionLog.objects.filter(group=group).exclude(date__range=(starts_on, ends_on)).order_by("date").first()
    if logged is not None:
        field = "starts_on" if logged.date < starts_on else "ends_on"
        errors[field] = _("A session is logged on %(date)s, outside these dates. Choose dates that include it.") % {
            "date": day_text(logged.date)
        }
    return moving


@transaction.atomic
def group_update(*, actor, group, expected_version, **fields):
    """Change a group's intervention, name, length, dates, days and times, room, funding or staff.

    Refuses a stale save and an ended group, checks everything ``group_create`` checks,
    keeps every pupil's place and every logged session inside the new dates (pupils who
    joined at the first session move with it), and lets the intervention change only
    while no session is logged. Plans are not touched: the group delivers against them.
    """
    require_manager(actor, group.school_id)
    _refuse_if_stale(group, expected_version)
    refuse_if_ended(group)
    values = {
        "intervention": group.intervention,
        "name": group.name,
        "starts_on": group.starts_on,
        "ends_on": group.ends_on,
        "slots": {slot.weekday: slot.starts_at for slot in GroupSlot.objects.filter(group=group)},
        "leaders": [(leader.user, leader.staff_role) for leader in GroupLeader.objects.filter(group=group)],
        "minutes_per_session": group.minutes_per_session,
        "room": group.room,
        "funding": group.funding,
    }
    unknown = set(fields) - set(values)
    if unknown:
        raise TypeError(f"group_update() cannot change {sorted(unknown)}")
    values.update(fields)
    errors = {}
    _check_group(actor, values, errors, group=group)
    moving = _check_places_fit(group, values["starts_on"], values["ends_on"], errors)
    raise_if_errors(errors)
    for member in moving:
        member.joined_on = values["starts_on"]
        member.full_clean()
        member.save(update_fields=["joined_on"])
    slots, leaders = values.pop("slots"), values.pop("leaders")
    for name, value in values.items():
        setattr(group, name, value)
    save_versioned(group, expected_version=expected_version)
    _set_slots(group, slots)
    _set_leaders(group, leaders)
    audit_record(
        actor=actor,
        action="provision.group.updated",
        target=group,
        data={"fields": sorted(fields), "moved_places": len(moving)},
    )
    return group


def _check_end_date(group, ends_on, today):
    """From the first session to the planned last, no later than today (or the first session), none logged after."""
    latest = max(today, group.starts_on)
    if ends_on is None:
        raise ValidationError({"ends_on": _("Enter the date of the last session.")})
    if ends_on < group.starts_on:
        raise ValidationError(
            {
                "ends_on": _("The last session cannot be before the first (%(date)s).")
                % {"date": day_text(group.starts_on)}
            }
        )
    if ends_on > group.ends_on:
        raise ValidationError(
            {
                "ends_on": _("The group already ends on %(date)s. Choose that date or an earlier one.")
                % {"date": day_text(group.ends_on)}
            }
        )
    if ends_on > latest:
        raise ValidationError(
            {"ends_on": _("Choose today or an earlier date. To end the group later, change its last session instead.")}
        )
    logged = SessionLog.objects.filter(group=group, date__gt=ends_on).order_by("date").first()
    if logged is not None:
        raise ValidationError(
            {"ends_on": _("A session is logged on %(date)s, after this date.") % {"date": day_text(logged.date)}}
        )


@transaction.atomic
def group_end(*, actor, group, ends_on, expected_version=None):
    """End a group early: its last session becomes ``ends_on`` and it is marked ended.

    Guarantees a date from the first session to the planned last one, and no later than
    today (for a group not started yet, its first session), no logged session after it;
    every pupil still in the group leaves on that date (each audited), and a place that
    would only have begun after it is cancelled. Ending cannot be undone.
    """
    require_manager(actor, group.school_id)
    _refuse_if_stale(group, expected_version)
    refuse_if_ended(group)
    _check_end_date(group, ends_on, actor.today)
    for member in GroupMember.objects.filter(group=group).select_related("pupil"):
        if member.joined_on > ends_on:
            member.delete()
            audit_record(
                actor=actor, action="provision.member.left", target=group, pupil=member.pupil, data={"cancelled": True}
            )
        elif member.left_on is None or member.left_on > ends_on:
            member.left_on = ends_on
            member.save(update_fields=["left_on"])
            audit_record(
                actor=actor,
                action="provision.member.left",
                target=group,
                pupil=member.pupil,
                data={"group_ended": True},
            )
    group.ends_on = ends_on
    group.ended_at = timezone.now()
    save_versioned(group, expected_version=expected_version)
    audit_record(actor=actor, action="provision.group.ended", target=group, data={"ends_on": ends_on.isoformat()})
    return group

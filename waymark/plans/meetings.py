"""Meetings with parents: recorded, and counted per school year against the three the Code expects.

A review's meeting is recorded when the review is completed (``reviews.review_complete``);
these are the other meetings: planning meetings and any other time the school meets the
family about the plan.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import require_pupil
from waymark.pupils.models import ParentLink, Pupil
from waymark.schools.models import AcademicYear

from .models import ParentMeeting

# The 2015 Code: meet the parents of a pupil on SEN support at least three times a year.
EXPECTED_MEETINGS_A_YEAR = 3
# Meetings recorded outside a review; a review's meeting is recorded when it is completed.
MEETING_KINDS = (ParentMeeting.Kind.PLANNING, ParentMeeting.Kind.OTHER)


def check_parents_who_took_part(pupil, links, *, field):
    """Parents who took part: any of this pupil's parents and carers whose link is not suspended.

    A restricted link (a court order limiting what a parent may see, say) still lets the
    parent attend a meeting the school holds with them, so it counts; a suspended link
    means the school has stopped dealing with that person through Waymark, so it does not.
    """
    for link in links:
        if link.pupil_id != pupil.pk or link.status == ParentLink.Status.SUSPENDED:
            raise ValidationError({field: _("Choose from this pupil's parents and carers.")})


@transaction.atomic
def meeting_record(*, actor, pupil, held_on, kind, mode, parents, notes=""):
    """Record a meeting with a pupil's parents held outside a review.

    Guarantees at least one parent, each one of this pupil's parents and carers with a
    link that is not suspended (see ``check_parents_who_took_part``: a restricted parent may still
    attend in person), a date that has been, and a planning or other meeting (a review's
    meeting is recorded when the review is completed). The same meeting recorded twice (a
    double click) is kept once: the first is returned, with no second audit event.
    """
    require_pupil(actor, pupil, Action.REVIEW)
    parents = list(parents)
    if not parents:
        raise ValidationError({"parents": _("Select who came to the meeting.")})
    check_parents_who_took_part(pupil, parents, field="parents")
    if kind not in MEETING_KINDS:
        raise ValidationError(
            {"kind": _("A review meeting is recorded when the review is completed. Choose another kind of meeting.")}
        )
    # As of the actor's day, like reviews and publishing (the demo records meetings in the past).
    if held_on and held_on > actor.today:
        raise ValidationError({"held_on": _("The date of the meeting must be today or in the past.")})
    # A double click must not count one meeting twice against the three a year. Under a lock on
    # the pupil the second request waits for the first, then finds the same meeting and returns it.
    Pupil.objects.select_for_update(of=("self",)).filter(pk=pupil.pk).order_by("pk").first()
    who = {link.pk for link in parents}
    same = ParentMeeting.objects.filter(pupil=pupil, held_on=held_on, kind=kind, mode=mode, notes=notes)
    for earlier in same.prefetch_related("parents").order_by("pk"):
        if {link.pk for link in earlier.parents.all()} == who:
            return earlier
    meeting = ParentMeeting(pupil=pupil, held_on=held_on, kind=kind, mode=mode, notes=notes, recorded_by=actor.user)
    meeting.full_clean()
    meeting.save()
    meeting.parents.set(parents)
    audit_record(
        actor=actor,
        action="plans.meeting.recorded",
        target=meeting,
        pupil=pupil,
        data={"kind": kind, "parents": len(parents)},
    )
    return meeting


@dataclass(frozen=True)
class MeetingCount:
    """Meetings with parents in a school year, against the three the Code expects."""

    held: int
    year: AcademicYear | None
    expected: int = EXPECTED_MEETINGS_A_YEAR

    @property
    def enough(self):
        return self.held >= self.expected


def meetings_this_year(pupil, today):
    """Meetings with ``pupil``'s parents in the school year containing ``today`` (two queries)."""
    year = AcademicYear.objects.filter(school_id=pupil.school_id, starts_on__lte=today, ends_on__gte=today).first()
    if year is None:
        return MeetingCount(held=0, year=None)
    held = ParentMeeting.objects.filter(pupil=pupil, held_on__gte=year.starts_on, held_on__lte=year.ends_on).count()
    return MeetingCount(held=held, year=year)

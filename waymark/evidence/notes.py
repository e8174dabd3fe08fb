"""Notes on a pupil's timeline: written by staff who work with the pupil, changed only by their author."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.models import Visibility
from waymark.core.services import require, require_pupil, save_versioned

from .models import Note
from .selectors import outcome_choices, staff_levels


def _check_visibility(actor, visibility):
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who can see this note.")})
    if visibility == Visibility.RESTRICTED and not actor.can_see_restricted():
        # Only those who may read restricted content may put content out of everyone else's sight.
        raise ValidationError({"visibility": _("Only the SENCO and the DSL can restrict a note.")})


def _check_text(text):
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Enter the note.")})
    return text


def _check_date(actor, happened_on):
    if happened_on is None:
        raise ValidationError({"happened_on": _("Enter the date.")})
    if happened_on > actor.today:
        raise ValidationError({"happened_on": _("The date must be today or in the past.")})


def _outcome_lineage(actor, pupil, outcome, *, keep=None):
    """The lineage to store: one of the outcomes of this pupil's current plan the actor may read, or ``None``.

    ``keep`` is the note's outcome already stored: it may stay even after the plan moved on.
    """
    if outcome in (None, ""):
        return None
    lineage = getattr(outcome, "lineage", outcome)
    try:
        lineage = uuid.UUID(str(lineage))
    except ValueError:
        raise ValidationError({"outcome": _("Choose an outcome from this pupil's plan.")}) from None
    if keep is not None and lineage == keep:
        return lineage
    if lineage not in {choice for choice, _text in outcome_choices(actor, pupil)}:
        raise ValidationError({"outcome": _("Choose an outcome from this pupil's plan.")})
    return lineage


@transaction.atomic
def note_add(*, actor, pupil, text, happened_on, outcome=None, visibility=Visibility.STAFF):
    """Add a note to ``pupil``'s timeline.

    Guarantees: the actor works with the pupil (staff reach for viewing), the date is today
    or earlier, an outcome named is one of this pupil's current plan that the actor may
    read (stored by lineage, so it holds across versions), and only the SENCO or DSL may
    restrict a note. Audited as ``evidence.note.added``.
    """
    require_pupil(actor, pupil, Action.VIEW)
    _check_visibility(actor, visibility)
    _check_date(actor, happened_on)
    note = Note(
        pupil=pupil,
        text=_check_text(text),
        happened_on=happened_on,
        outcome=_outcome_lineage(actor, pupil, outcome),
        visibility=visibility,
        written_by=actor.user,
    )
    save_versioned(note)
    audit_record(
        actor=actor,
        action="evidence.note.added",
        target=note,
        pupil=pupil,
        data={"visibility": visibility, "outcome": bool(note.outcome)},
    )
    return note


@transaction.atomic
def note_update(*, actor, note, text, happened_on, outcome=None, visibility=Visibility.STAFF, expected_version=None):
    """Change a note. Only its author may, while they still work with the pupil and may read it.

    The same checks as ``note_add``; a save over someone's later one (``expected_version``
    behind) is refused. Audited as ``evidence.note.updated``.
    """
    require_pupil(actor, note.pupil, Action.VIEW)
    require(note.written_by_id == getattr(actor.user, "pk", None))
    require(note.visibility in staff_levels(actor))
    _check_visibility(actor, visibility)
    _check_date(actor, happened_on)
    note.outcome = _outcome_lineage(actor, note.pupil, outcome, keep=note.outcome)
    note.text = _check_text(text)
    note.happened_on = happened_on
    note.visibility = visibility
    save_versioned(note, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="evidence.note.updated",
        target=note,
        pupil=note.pupil,
        data={"visibility": visibility, "outcome": bool(note.outcome)},
    )
    return note

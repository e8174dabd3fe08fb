"""Reads that decide which notes and documents someone may see: the timeline, downloads, outcomes a note may name.

Staff reach a pupil through the rule table (``pupil_filter`` with the staff audience) and
then see content by its visibility: everyone's and staff-only content, and restricted
content only if they are the SENCO or the DSL. Parents (an active link) see documents
marked for everyone; an outside specialist with a live share sees documents marked for
everyone if the share lets them see documents, and always the reports they added through
that share. Nobody else sees anything: a lookup that finds nothing is a 404.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from waymark.core.access import Action
from waymark.core.models import Visibility
from waymark.plans.models import Outcome, PlanVersion
from waymark.plans.selectors import version_list, visible_levels
from waymark.pupils.models import ParentLink, Pupil
from waymark.pupils.selectors import STAFF, pupil_filter

from .models import Document, Note, Share


def staff_levels(actor):
    """The visibility levels a member of staff reads: everyone's and staff-only; restricted for the SENCO and DSL."""
    return visible_levels(actor) | {Visibility.STAFF}


def visibility_choices_for(actor, *, everyone_label, staff_label, restricted_label):
    """The levels ``actor`` may choose for a note or document; restricted only for the SENCO and the DSL."""
    choices = [(Visibility.STAFF, staff_label), (Visibility.EVERYONE, everyone_label)]
    if actor.can_see_restricted():
        choices.append((Visibility.RESTRICTED, restricted_label))
    return choices


def reaches_as_staff(actor, pupil, action=Action.VIEW):
    return Pupil.objects.filter(pupil_filter(actor, action, audience=STAFF), pk=pupil.pk).exists()


# ----- outcomes a note can be about -----


def current_version_id(actor, pupil):
    """The version whose outcomes a new note may name: the one in force, else the draft (for those who see drafts)."""
    versions = dict(
        version_list(actor)
        .filter(plan__pupil=pupil, status__in=[PlanVersion.Status.ACTIVE, PlanVersion.Status.DRAFT])
        .values_list("status", "pk")
    )
    return versions.get(PlanVersion.Status.ACTIVE) or versions.get(PlanVersion.Status.DRAFT)


def outcome_choices(actor, pupil):
    """``[(lineage, text)]``: the outcomes of the current plan ``actor`` may read, in the plan's order."""
    version_id = current_version_id(actor, pupil)
    if version_id is None:
        return []
    return list(
        Outcome.objects.filter(version_id=version_id, visibility__in=staff_levels(actor))
        .order_by("order", "id")
        .values_list("lineage", "text")
    )


def outcome_texts(actor, pupil, lineages):
    """``{lineage: text}`` for outcomes ``actor`` may read, each from the newest version they may see that holds it.

    A note keeps an outcome's lineage, so it still names the outcome after a new version
    is published, and after the outcome has left the plan.
    """
    lineages = {lineage for lineage in lineages if lineage}
    if not lineages:
        return {}
    rows = (
        Outcome.objects.filter(
            version__in=version_list(actor).filter(plan__pupil=pupil),
            lineage__in=lineages,
            visibility__in=staff_levels(actor),
        )
        .order_by("version__number", "order", "id")
        .values_list("lineage", "text")
    )
    return dict(rows)  # newer versions come later and win


# ----- the timeline -----


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # "note" or "document"
    on: date
    at: datetime
    item: object
    outcome_text: str = ""
    can_edit: bool = False


def timeline_notes(actor, pupil):
    return (
        Note.objects.restrict(actor, Action.VIEW, audience=STAFF)
        .filter(pupil=pupil, visibility__in=staff_levels(actor))
        .select_related("written_by")
    )


def timeline(actor, pupil, *, outcome=None, can_edit_documents=False):
    """The pupil's notes and documents ``actor`` may see, newest first, as ``TimelineEntry`` rows.

    With ``outcome`` (a lineage) only the notes about that outcome. Three queries
    whatever the number of rows: notes, documents, and the outcomes the notes name.
    """
    notes = timeline_notes(actor, pupil)
    if outcome:
        notes = notes.filter(outcome=outcome)
    notes = list(notes)
    documents = [] if outcome else list(documents_visible_to(actor, pupil).select_related("uploaded_by", "share"))
    texts = outcome_texts(actor, pupil, [note.outcome for note in notes])
    user_id = getattr(actor.user, "pk", None)
    entries = [
        TimelineEntry(
            kind="note",
            on=note.happened_on,
            at=note.written_at,
            item=note,
            outcome_text=texts.get(note.outcome, ""),
            can_edit=note.written_by_id == user_id,
        )
        for note in notes
    ]
    entries += [
        TimelineEntry(kind="document", on=doc.written_on, at=doc.uploaded_at, item=doc, can_edit=can_edit_documents)
        for doc in documents
    ]
    entries.sort(key=lambda entry: (entry.on, entry.at), reverse=True)
    return entries


# ----- documents -----


def document_visibility_filter(actor):
    """A ``Q`` on ``Document`` for what ``actor`` may see or download; matches nothing unless a rule allows."""
    allowed = Q(pk__in=[])
    if actor is None:
        return allowed
    if actor.school is not None:
        staff_pupils = Pupil.objects.filter(pupil_filter(actor, Action.VIEW, audience=STAFF))
        allowed |= Q(pupil__in=staff_pupils, visibility__in=staff_levels(actor))
    if actor.user is None:
        return allowed
    if actor.is_parent:
        children = ParentLink.objects.filter(user=actor.user, status=ParentLink.Status.ACTIVE).values("pupil_id")
        allowed |= Q(pupil__in=children, visibility=Visibility.EVERYONE)
    if actor.is_specialist:
        live = Share.objects.live(actor.today).filter(specialist=actor.user)
        allowed |= Q(pupil__in=live.filter(can_see_documents=True).values("pupil_id"), visibility=Visibility.EVERYONE)
        # Their own reports, while the share they added them through is live.
        allowed |= Q(share__in=live.values("pk"))
    return allowed


def documents_visible_to(actor, pupil):
    """The documents about ``pupil`` that ``actor`` may see and download, newest first (a queryset)."""
    return Document.objects.filter(document_visibility_filter(actor), pupil=pupil)


def document_get_for_download(actor, public_id):
    """One document ``actor`` may download, or ``Document.DoesNotExist`` (a 404)."""
    return Document.objects.filter(document_visibility_filter(actor)).select_related("pupil").get(public_id=public_id)


def documents_editable_by(actor):
    """Documents whose visibility ``actor`` may change: the SENCO or a deputy, among those they may see."""
    return (
        Document.objects.restrict(actor, Action.EDIT, audience=STAFF)
        .filter(visibility__in=staff_levels(actor))
        .select_related("pupil", "uploaded_by", "share")
    )


def notes_editable_by(actor):
    """``actor``'s own notes about pupils they still reach, among those they may see."""
    if actor.user is None:
        return Note.objects.none()
    return (
        Note.objects.restrict(actor, Action.VIEW, audience=STAFF)
        .filter(written_by=actor.user, visibility__in=staff_levels(actor))
        .select_related("pupil")
    )

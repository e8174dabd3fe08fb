"""What a member of staff must read before a release, what is withheld by default, and withholding.

Flags (for review, nothing withheld): every item of a register entry that may hold other
people's information (``third_party``), and every restricted item (a safeguarding concern may
be exempt; the SENCO decides, with the DSL).

Withheld by default, when the request is logged, each with its reason (staff may put any of
them back after reading it):

- the note of an intervention session (it is written about the group and may name other
  pupils), until someone has read it;
- when a parent or carer is asking: what another parent or carer said (their views, agreement
  or requests), their contact details, the reason their link is restricted, the address
  emails to them went to, their name where the record of who viewed the record shows them,
  and subject access requests someone else made: another person's information; and the
  pupil's own views that the SENCO keeps from their parents (an older pupil's wish), until a
  member of staff decides;
- when the pupil, or someone acting for the pupil or a parent, is asking: every parent's and
  carer's contact details, the reason a link is restricted and the addresses emails went to;
  and, for someone acting for another, what each parent or carer said (they may act for one
  parent against the other).

Other children never reach a release at all: the register gathers the pupil's own rows
(attendance is theirs alone; a session appears because they were registered at it, and never
lists who else came). Staff opinions are not withheld automatically: the law rarely allows it.

A released, withdrawn or refused request is read-only: nothing can be withheld or put back.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from waymark.core.audit import audit_record
from waymark.core.personal_data import entry_for
from waymark.core.services import require

from ..models import Redaction, SubjectAccessRequest
from .gather import RESTRICTED_FIELDS, gather, is_restricted, shown_field_names
from .requests import lock_gathering, require_request_administrator

ANOTHER_PERSON = gettext_noop("another person's information")
SESSION_NOTE = gettext_noop("may name other pupils: withheld until a member of staff has read it")
PUPIL_VIEWS = gettext_noop("the pupil's own views, kept from their parents: withheld until a member of staff decides")
WHOLE_ITEM = ""

THIRD_PARTY_FLAG = gettext_noop("May hold other people's information: read it before it is released.")
RESTRICTED_FLAG = gettext_noop(
    "Restricted: it may be exempt (for example, where releasing it would be likely to cause serious harm, "
    "or it is part of a child protection record). The SENCO decides, with the DSL."
)
DEFAULT_NOT_WITHHELD_FLAG = gettext_noop(
    "Normally withheld (%(reason)s), but it is not withheld now: someone put it back, or it was added "
    "after the request was logged."
)

# A parent's words, one row each: another parent's are theirs, not the requester's.
PARENT_WORDS = frozenset({"plans.ParentContribution", "plans.AgreementResponse", "plans.ParentRequest"})
PARENT_CONTACT_FIELDS = ("email", "phone", "address", "status_reason")


@dataclass(frozen=True)
class Default:
    model: str
    pk: str
    field: str
    reason: str


def _requester_link(request):
    if request.requester_kind == SubjectAccessRequest.Requester.PARENT and request.parent_link_id:
        return request.parent_link
    return None


def _requester_addresses(link):
    addresses = {link.email.lower()} if link.email else set()
    if link.user_id:
        addresses.add(link.user.email.lower())
    return addresses


def _other_parents(sections, link):
    """The accounts of the child's other parents and carers, read from the gathered links (no query)."""
    others = set()
    for section in sections:
        if section.model == "pupils.ParentLink":
            others.update(
                item.obj.user_id
                for item in section.items
                if item.obj.pk != link.pk and item.obj.user_id and item.obj.user_id != link.user_id
            )
    return others


def _no_link_defaults(model, obj, requester_kind):
    """When the pupil, or someone acting for them or for a parent, asks: no parent is the requester."""
    if model == "pupils.ParentLink":
        # A parent's address can matter greatly (a court order, a refuge): every parent's is
        # someone else's here, until a member of staff decides.
        for name in PARENT_CONTACT_FIELDS:
            yield name, ANOTHER_PERSON
    elif model in ("pupils.ParentInvitation", "core.Notification"):
        yield "email", ANOTHER_PERSON
    elif model in PARENT_WORDS and requester_kind == SubjectAccessRequest.Requester.REPRESENTATIVE:
        # Someone acting for one parent must not receive the other's words unread.
        yield WHOLE_ITEM, ANOTHER_PERSON


def _item_defaults(model, obj, link, addresses, others=frozenset(), requester_kind=None):
    """(field, reason) pairs withheld by default from one row; field '' is the whole row."""
    if model == "provision.SessionLog" and obj.note.strip():
        yield "note", SESSION_NOTE
    if link is None:
        yield from _no_link_defaults(model, obj, requester_kind)
        return
    if model == "plans.PupilVoice" and obj.hidden_from_parents:
        yield WHOLE_ITEM, PUPIL_VIEWS
    elif model == "plans.Review" and obj.pupil_views_hidden_from_parents:
        yield "pupil_views", PUPIL_VIEWS
    elif model in PARENT_WORDS and obj.link_id != link.pk:
        yield WHOLE_ITEM, ANOTHER_PERSON
    elif model == "pupils.ParentLink" and obj.pk != link.pk:
        for name in PARENT_CONTACT_FIELDS:
            yield name, ANOTHER_PERSON
    elif model == "pupils.ParentInvitation" and obj.link_id != link.pk:
        yield "email", ANOTHER_PERSON
    elif model == "core.Notification" and obj.email.lower() not in addresses and obj.user_id != link.user_id:
        yield "email", ANOTHER_PERSON
    elif model == "core.AuditEvent" and obj.actor_id in others:
        # When another parent opened or answered the plan is their information, not the requester's.
        yield "actor", ANOTHER_PERSON
    elif model == "exchange.SubjectAccessRequest" and obj.parent_link_id != link.pk:
        # Someone else's request (another parent's, or someone acting for them): who asked, how
        # their identity was checked and what they were sent.
        yield WHOLE_ITEM, ANOTHER_PERSON


def default_redactions(request, sections):
    """What is withheld by default from ``sections`` for ``request``: only fields that hold something."""
    link = _requester_link(request)
    addresses = _requester_addresses(link) if link else set()
    others = _other_parents(sections, link) if link else set()
    defaults = []
    for section in sections:
        for item in section.items:
            for name, reason in _item_defaults(
                section.model, item.obj, link, addresses, others, request.requester_kind
            ):
                if name == WHOLE_ITEM or item.value(name) is not None:
                    defaults.append(Default(section.model, item.pk, name, reason))
    return defaults


def annotate(request, sections, *, redactions=None):
    """Mark what is withheld (from the request's ``Redaction`` rows) and what needs a careful read.

    One query for the redactions unless they are passed in. Returns ``sections``.
    """
    if redactions is None:
        redactions = list(Redaction.objects.filter(request=request).select_related("redacted_by"))
    by_key = {(r.model, r.object_pk, r.field): r for r in redactions}
    defaults = {}
    for default in default_redactions(request, sections):
        defaults.setdefault((default.model, default.pk), []).append(default)
    for section in sections:
        for item in section.items:
            item.flags = []
            whole = by_key.get((item.model, item.pk, WHOLE_ITEM))
            item.redaction, item.withheld = whole, whole.reason if whole else ""
            for value in item.values:
                found = by_key.get((item.model, item.pk, value.name))
                value.redaction, value.withheld = found, found.reason if found else ""
            if section.third_party:
                item.flags.append(_(THIRD_PARTY_FLAG))
            if item.holds_restricted:
                item.flags.append(_(RESTRICTED_FLAG))
            for default in defaults.get((item.model, item.pk), ()):
                value = item.value(default.field) if default.field else None
                if not (item.redaction or (value and value.redaction)):
                    item.flags.append(_(DEFAULT_NOT_WITHHELD_FLAG) % {"reason": _(default.reason)})
                    break
    return sections


def restricted_released(sections):
    """How many items a release would send with restricted words in them (restricted, not withheld)."""
    return sum(1 for section in sections for item in section.items if item.releases_restricted)


def summarise(sections):
    """Counts for the release page and the audit event: never any content.

    ``restricted_released``, kept in the release's audit event, is how the download knows
    whether the ZIP holds words only the SENCO and the DSL may read (``selectors``).
    """
    items = [item for section in sections for item in section.items]
    return {
        "sections": len(sections),
        "items": len(items),
        "withheld_items": sum(1 for item in items if item.withheld),
        "withheld_fields": sum(len(item.withheld_values) for item in items if not item.withheld),
        "flagged_items": sum(1 for item in items if item.flags),
        "restricted_items": sum(1 for item in items if item.holds_restricted),
        "restricted_released": restricted_released(sections),
        "documents": sum(
            1 for item in items if item.model == "evidence.Document" and not item.withheld and item.obj.file
        ),
    }


@transaction.atomic
def apply_defaults(*, actor, request):
    """Withhold by default what protects other people (see the module's docstring); return the count.

    Called when a request is logged. Idempotent: what is already withheld stays as it is.
    Audited once, with the count.
    """
    require_request_administrator(actor, request.pupil)
    request = lock_gathering(request)
    existing = set(Redaction.objects.filter(request=request).values_list("model", "object_pk", "field"))
    new = [
        Redaction(
            request=request, model=d.model, object_pk=d.pk, field=d.field, reason=d.reason, redacted_by=actor.user
        )
        for d in default_redactions(request, gather(request.pupil))
        if (d.model, d.pk, d.field) not in existing
    ]
    Redaction.objects.bulk_create(new)
    if new:
        audit_record(
            actor=actor,
            action="exchange.sar.redacted",
            target=request,
            pupil=request.pupil,
            data={"default": True, "count": len(new)},
        )
    return len(new)


def _entry(model):
    try:
        return entry_for(model)
    except LookupError:
        raise ValidationError(_("This is not part of the pupil's record.")) from None


@transaction.atomic
def sar_redact(*, actor, request, model, object_pk, field=WHOLE_ITEM, reason):
    """Withhold one item of the gathered record, or one field of it, from the release, with the reason.

    Guarantees: the request is still being gathered (checked on a locked read); the item is
    one of this pupil's rows in the register entry ``model``; ``field`` is one the release
    shows; restricted words are withheld only by someone who may read them (the SENCO, the
    DSL); a reason is given; the same thing is not withheld twice. Audited with the model,
    the row's id and the field, never the words.
    """
    require_request_administrator(actor, request.pupil)
    request = lock_gathering(request)
    entry = _entry(model)
    reason = (reason or "").strip()
    try:
        obj = entry.for_pupil(request.pupil).filter(pk=object_pk).first()
    except (ValueError, TypeError, ValidationError):
        obj = None
    if obj is None:
        raise ValidationError(_("This is not part of the pupil's record."))
    field = field or WHOLE_ITEM
    if field and field not in shown_field_names(entry.model_class):
        raise ValidationError({"part": _("Choose the whole item or one of its parts.")})
    _require_restricted_reader(actor, model, obj, field)
    if not reason:
        raise ValidationError({"reason": _("Give the reason it is withheld.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("The reason must be 300 characters or fewer.")})
    existing = Redaction.objects.filter(request=request, model=model, object_pk=str(obj.pk))
    if existing.filter(field=WHOLE_ITEM).exists() or existing.filter(field=field).exists():
        raise ValidationError(_("This is already withheld."))
    redaction = Redaction(
        request=request, model=model, object_pk=str(obj.pk), field=field, reason=reason, redacted_by=actor.user
    )
    redaction.full_clean()
    redaction.save()
    audit_record(
        actor=actor,
        action="exchange.sar.redacted",
        target=request,
        pupil=request.pupil,
        data={"model": model, "object": str(obj.pk), "field": field},
    )
    return redaction


@transaction.atomic
def sar_unredact(*, actor, request, redaction):
    """Put back something withheld (a default or a member of staff's), so it is released.

    Guarantees: the redaction belongs to this request, which is still being gathered;
    restricted words are put back only by someone who may read them. Audited like a redaction.
    """
    require_request_administrator(actor, request.pupil)
    request = lock_gathering(request)
    require(redaction.request_id == request.pk)
    entry = _entry(redaction.model)
    obj = entry.for_pupil(request.pupil).filter(pk=redaction.object_pk).first()
    if obj is not None:
        _require_restricted_reader(actor, redaction.model, obj, redaction.field)
    data = {"model": redaction.model, "object": redaction.object_pk, "field": redaction.field}
    redaction.delete()
    audit_record(actor=actor, action="exchange.sar.unredacted", target=request, pupil=request.pupil, data=data)
    return request


def _require_restricted_reader(actor, model, obj, field):
    restricted = is_restricted(obj) or (model, field) in RESTRICTED_FIELDS
    if restricted and not actor.can_see_restricted():
        raise ValidationError(_("Only the SENCO can decide about restricted information, with the DSL."))

"""Adding closed SEN history from a file: a past provision code, a past need.

The pupils app's services record what happens from now on (``sen_status_change`` always
opens the new status and closes the current one). History from a previous school is
different: it ended before this school's own record began, and it must never reopen,
replace or overlap anything the school has recorded. These two services add such periods
and nothing else.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import require_pupil, save_versioned
from waymark.pupils.models import Need, Pupil, SenStatus

from .dates import show_date


def _lock_history(pupil):
    # The pupil row guards its status history (as in ``sen_status_change``): one writer at a time.
    Pupil.objects.select_for_update().filter(pk=pupil.pk).order_by("pk").values_list("pk", flat=True).first()


def _require_closed(starts_on, ends_on):
    if ends_on is None:
        raise ValidationError({"ends_on": _("History from a file must have an end date.")})
    if starts_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must be on or after the start date.")})


@transaction.atomic
def sen_history_add(*, actor, pupil, provision, tier, starts_on, ends_on):
    """Add a closed SEN status (any code, legacy S, A and P included) to ``pupil``'s history.

    Guarantees: the actor may edit the pupil; the period is closed and valid for its code;
    it overlaps none of the pupil's statuses, so the open status and the school's own
    history are untouched. Audited as ``exchange.history.added``.
    """
    require_pupil(actor, pupil, Action.EDIT)
    _require_closed(starts_on, ends_on)
    _lock_history(pupil)
    clash = (
        SenStatus.objects.filter(pupil=pupil, starts_on__lte=ends_on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .order_by("starts_on")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("%(code)s from %(start)s to %(end)s overlaps the pupil's SEN history (%(other)s from %(other_start)s).")
            % {
                "code": provision,
                "start": show_date(starts_on),
                "end": show_date(ends_on),
                "other": clash.provision,
                "other_start": show_date(clash.starts_on),
            }
        )
    status = SenStatus(
        pupil=pupil, provision=provision, tier=tier, starts_on=starts_on, ends_on=ends_on, recorded_by=actor.user
    )
    status.full_clean()
    status.save()
    audit_record(
        actor=actor,
        action="exchange.history.added",
        target=pupil,
        pupil=pupil,
        data={"kind": "sen_status", "provision": provision},
    )
    return status


@transaction.atomic
def need_history_add(*, actor, pupil, need_type, rank, starts_on, ends_on):
    """Add a need that has ended to ``pupil``'s history.

    Guarantees: the actor may edit the pupil; the need is closed (so the one-open-need-per-
    rank rule and the pupil's current needs are untouched); the same past need is not added
    twice. Audited as ``exchange.history.added``.
    """
    require_pupil(actor, pupil, Action.EDIT)
    _require_closed(starts_on, ends_on)
    _lock_history(pupil)
    same = Need.objects.filter(pupil=pupil, need_type=need_type, rank=rank, starts_on=starts_on, ends_on=ends_on)
    if same.exists():
        raise ValidationError(_("The pupil's history already has this need."))
    need = Need(pupil=pupil, need_type=need_type, rank=rank, starts_on=starts_on, ends_on=ends_on)
    save_versioned(need)
    audit_record(
        actor=actor,
        action="exchange.history.added",
        target=need,
        pupil=pupil,
        data={"kind": "need", "code": need_type.code},
    )
    return need

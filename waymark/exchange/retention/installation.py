"""What belongs to no school: aged audit events with no school, and accounts left with nothing.

A parent's account exists for their links to children; once retention has deleted the
last child's record it holds a name and an email address for no purpose, so it goes too.
The same is true of any account with no link, membership, class place, share or
local-authority role left. Each deletion leaves a ``DeletionRecord`` with the account's
public id only.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django_scopes import scopes_disabled

from waymark.core.audit import audit_record
from waymark.core.models import AuditEvent
from waymark.evidence.models import Share
from waymark.pupils.models import ParentLink
from waymark.schools.models import GroupStaff, LocalAuthorityOfficer, Membership

from ..models import DeletionRecord
from .run import audit_cutoff, audit_events_expire

# An account is only an orphan once it has existed a day: accounts are made with their link,
# membership or share in one transaction, so this is a margin, not a rule.
ORPHAN_GRACE = datetime.timedelta(days=1)


def orphan_accounts(now=None, *, pupils_leaving=()):
    """Accounts with no parent link, membership, class place, share or local-authority role.

    ``pupils_leaving`` (pupil ids) counts links and shares to those pupils as gone already,
    so a dry run can list the parents a run would leave with nothing. Accounts belong to no
    school, so this reads across every school, by name, with the school scopes lifted. Site
    administrators (``is_staff``, ``is_superuser``) are kept.
    """
    now = now or timezone.now()
    user = OuterRef("pk")
    leaving = list(pupils_leaving)
    with scopes_disabled():
        return list(
            get_user_model()
            .objects.filter(is_staff=False, is_superuser=False, date_joined__lt=now - ORPHAN_GRACE)
            .filter(
                ~Exists(ParentLink.objects.filter(user=user).exclude(pupil_id__in=leaving)),
                ~Exists(Membership.objects.filter(user=user)),
                ~Exists(GroupStaff.objects.filter(user=user)),
                ~Exists(Share.objects.filter(specialist=user).exclude(pupil_id__in=leaving)),
                ~Exists(LocalAuthorityOfficer.objects.filter(user=user)),
            )
            .order_by("pk")
        )


def orphan_accounts_delete(*, now=None):
    """Delete the accounts ``orphan_accounts`` finds, each leaving a ``DeletionRecord``.

    An account still named on a record that must stay (as the author of a note, say) is
    kept and reported. Returns ``(deleted, kept)``: a count, and the kept accounts' public ids.
    """
    deleted, kept = 0, []
    for account in orphan_accounts(now):
        subject_id = str(account.public_id)
        try:
            with transaction.atomic(), scopes_disabled():
                _total, by_model = account.delete()
                DeletionRecord.objects.create(
                    kind=DeletionRecord.Kind.PARENT_ACCOUNT,
                    subject_id=subject_id,
                    rule="Account with no child, school, share or local-authority role left",
                    counts={label: n for label, n in by_model.items() if n},
                )
        except ProtectedError:
            kept.append(subject_id)
            continue
        deleted += 1
    return deleted, kept


@dataclass
class InstallationRetention:
    """What belongs to no school: audit events with no school, and accounts with nothing left."""

    audit_events: int = 0
    audit_before: datetime.datetime | None = None
    accounts: list = field(default_factory=list)


@dataclass
class InstallationRun:
    audit_events: int = 0
    accounts: int = 0
    kept_accounts: list = field(default_factory=list)


def installation_preview(*, now=None, pupils_leaving=()):
    """What a run over every school would purge outside the schools; ``pupils_leaving`` as for ``orphan_accounts``."""
    now = now or timezone.now()
    before = audit_cutoff(now)
    return InstallationRetention(
        audit_events=AuditEvent.objects.filter(school__isnull=True, created_at__lt=before).count(),
        audit_before=before,
        accounts=orphan_accounts(now, pupils_leaving=pupils_leaving),
    )


def installation_apply(*, now=None):
    """Purge aged audit events with no school and delete accounts with nothing left; audited once."""
    now = now or timezone.now()
    run = InstallationRun(audit_events=audit_events_expire(school=None, now=now))
    run.accounts, run.kept_accounts = orphan_accounts_delete(now=now)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="exchange.retention.deleted",
            data={"accounts": run.accounts, "audit_events": run.audit_events, "kept_accounts": len(run.kept_accounts)},
        )
    return run

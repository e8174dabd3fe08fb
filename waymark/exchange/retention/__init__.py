"""Keeping records no longer than needed: archiving leavers, legal holds, the school's retention
setting, and the retention run that deletes what has passed its time.

- ``records``: ``pupil_archive``/``pupil_restore``, ``legal_hold_place``/``legal_hold_lift``,
  ``retention_settings_update`` (the services behind the pages), and ``open_holds``.
- ``run``: what has passed retention in a school (``retention_preview``, read only) and
  deleting it (``retention_apply``), for ``manage.py retention`` and the settings page.
- ``installation``: what belongs to no school (aged audit events with no school, accounts
  left with nothing), for a run over every school.
"""

from .installation import installation_apply, installation_preview, orphan_accounts, orphan_accounts_delete
from .records import (
    legal_hold_lift,
    legal_hold_place,
    open_hold,
    open_holds,
    pupil_archive,
    pupil_restore,
    retention_settings_update,
)
from .run import (
    IMPORT_FILE_DAYS,
    audit_cutoff,
    audit_events_expire,
    pupil_record_delete,
    retention_apply,
    retention_preview,
)

__all__ = [
    "IMPORT_FILE_DAYS",
    "audit_cutoff",
    "audit_events_expire",
    "installation_apply",
    "installation_preview",
    "legal_hold_lift",
    "legal_hold_place",
    "open_hold",
    "open_holds",
    "orphan_accounts",
    "orphan_accounts_delete",
    "pupil_archive",
    "pupil_record_delete",
    "pupil_restore",
    "retention_apply",
    "retention_preview",
    "retention_settings_update",
]

"""Who may move data in and out, in one place (the rule table in core/access.py decides reach).

- Imports create and change pupils across the school, so they are for those who edit every
  pupil: the SENCO and deputy SENCO. The same goes for receiving a transfer package and for
  archiving a leaver.
- The census check names the pupils whose records would fail: for those who export across the
  school (SENCO, deputy, head, trust lead).
- Subject access requests, legal holds and the retention setting are the school's duties as
  data controller: for those who administer the school (SENCO, head).
- Management commands act as ``Actor.system(school)``, which reaches every pupil of one school.
- Exporting one pupil (a transfer package, a chronology) is an EXPORT of that pupil, checked
  with ``require_pupil(actor, pupil, Action.EXPORT)`` by the service.
"""

from waymark.core.access import Action, Reach
from waymark.core.services import require


def _reaches_all(actor, action):
    # The system actor is how the import commands run (``Actor.system(school)``, one school).
    return actor is not None and (actor.is_staff_member or actor.is_system) and actor.reach(action) == Reach.ALL


def can_import(actor):
    return _reaches_all(actor, Action.EDIT)


def can_check_census(actor):
    return _reaches_all(actor, Action.EXPORT)


def can_export_pupils(actor):
    return _reaches_all(actor, Action.EXPORT)


def can_administer_records(actor):
    return _reaches_all(actor, Action.ADMINISTER)


def require_importer(actor, school):
    """For services: ``PermissionDenied`` unless the actor may import into ``school``."""
    require(can_import(actor) and actor.school is not None and actor.school.pk == school.pk)


def require_records_administrator(actor, school):
    require(can_administer_records(actor) and actor.school is not None and actor.school.pk == school.pk)

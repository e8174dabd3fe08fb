"""Who may do what with provision, in one place (the rule table in core/access.py decides reach).

- Managing the school's provision (the intervention list, groups, staff costs, other costs,
  costing settings) is for those who edit every pupil's plan: the SENCO and deputy SENCO.
- The provision map and impact summaries name pupils and show money: for those who export
  across the whole school (SENCO, deputy, head, trust lead).
- A group is seen and logged by the staff who run it and by those who manage provision;
  nobody else, since its register names other children. Running one takes a role that
  delivers provision: governors and trust leads oversee and never see a named child, so a
  leader row left behind when someone became one (a TA turned governor) opens nothing.
"""

from waymark.core.access import NOT_DELIVERING_ROLES, Action, Reach
from waymark.core.services import require

from .models import InterventionGroup


def can_manage_provision(actor):
    return actor is not None and actor.is_staff_member and actor.reach(Action.EDIT) == Reach.ALL


def require_manager(actor, school_id=None):
    """For services: ``PermissionDenied`` unless the actor manages provision (at ``school_id``, when given)."""
    require(
        can_manage_provision(actor)
        and (school_id is None or (actor.school is not None and actor.school.pk == school_id))
    )


def can_see_provision_map(actor):
    return actor is not None and actor.is_staff_member and actor.reach(Action.EXPORT) == Reach.ALL


def can_run_groups(actor):
    """Anyone on the school's staff may be asked to run a group (a TA, a teacher, the SENCO)."""
    return actor is not None and actor.is_staff_member


def delivers_provision(actor):
    """Whether the actor's roles in their school include one that runs groups (not only governor or trust lead)."""
    return actor is not None and actor.is_staff_member and bool(actor.roles - NOT_DELIVERING_ROLES)


def group_restrict(actor):
    """The groups of the actor's school that they manage or run; none for anyone else."""
    if actor is None or not actor.is_staff_member:
        return InterventionGroup.objects.none()
    groups = InterventionGroup.objects.filter(school=actor.school)
    if can_manage_provision(actor):
        return groups
    if not delivers_provision(actor):
        return InterventionGroup.objects.none()
    return groups.filter(leaders__user=actor.user).distinct()


def runs_or_manages(actor, group):
    """Whether ``actor`` may log ``group``'s sessions and record its measures: they run it or manage provision."""
    return group_restrict(actor).filter(pk=group.pk).exists()


def has_groups_to_run(actor):
    """For the home page: show the session pages to managers and to staff who run a group."""
    if not can_run_groups(actor):
        return False
    return can_manage_provision(actor) or group_restrict(actor).exists()

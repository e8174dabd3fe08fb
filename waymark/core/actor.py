"""The actor: a signed-in person in the context of the school they are working in.

How the tenant scope is chosen, for each kind of user (see docs/access.md):

- staff: the school picked in the header (kept in the session), one of their current
  memberships; the first one when they have not picked yet;
- parents: every school where they have an active link to a child, so a parent with
  children in two schools sees both on their home page; each child's page is then
  limited by the link itself;
- outside specialists: the schools of the pupils currently shared with them;
- local-authority officers: the LA's schools, for aggregate figures only, plus any pupil
  shared with them;
- someone who is several of these has the union; the rule table still limits staff
  reach to the school picked in the header;
- background tasks and management commands: ``Actor.system(school)``, one school at a
  time, opened explicitly with ``django_scopes.scope``.

Building an actor reads memberships, links and shares across schools, which is the one
place scopes are lifted, by name, before any scope exists.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q
from django_scopes import scopes_disabled

from .access import Action, Reach, may_see_figures, may_see_restricted, reach_for


@dataclass(frozen=True)
class Actor:
    user: object
    today: datetime.date
    memberships: tuple = ()
    membership: object = None
    parent_school_ids: frozenset = frozenset()
    shared_school_ids: frozenset = frozenset()
    la_numbers: frozenset = frozenset()
    la_school_ids: frozenset = frozenset()
    is_system: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    # ----- building -----

    @classmethod
    def for_user(cls, user, *, school_public_id=None, today=None):
        from waymark.evidence.models import Share
        from waymark.pupils.models import ParentLink
        from waymark.schools.models import LocalAuthorityOfficer, Membership, School

        today = today or datetime.date.today()
        with scopes_disabled():  # building the actor is what decides the scope
            memberships = tuple(
                Membership.objects.filter(user=user, starts_on__lte=today)
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
                .select_related("school")
                .order_by("school__name")
            )
            parent_school_ids = frozenset(
                ParentLink.objects.filter(user=user, status=ParentLink.Status.ACTIVE).values_list(
                    "pupil__school_id", flat=True
                )
            )
            shared_school_ids = frozenset(
                Share.objects.live(today).filter(specialist=user).values_list("pupil__school_id", flat=True)
            )
            la_numbers = frozenset(LocalAuthorityOfficer.objects.filter(user=user).values_list("la_number", flat=True))
            la_school_ids = (
                frozenset(School.objects.filter(la_number__in=la_numbers).values_list("pk", flat=True))
                if la_numbers
                else frozenset()
            )
        chosen = next((m for m in memberships if str(m.school.public_id) == str(school_public_id)), None)
        if chosen is None and memberships:
            chosen = memberships[0]
        return cls(
            user=user,
            today=today,
            memberships=memberships,
            membership=chosen,
            parent_school_ids=parent_school_ids,
            shared_school_ids=shared_school_ids,
            la_numbers=la_numbers,
            la_school_ids=la_school_ids,
        )

    @classmethod
    def system(cls, school, *, user=None, today=None):
        """For commands and tasks: reaches every pupil of one school, and only that school."""
        from waymark.schools.models import Membership

        membership = Membership(school=school, roles=["system"], starts_on=datetime.date.min)
        return cls(user=user, today=today or datetime.date.today(), membership=membership, is_system=True)

    # ----- what the actor is -----

    @property
    def school(self):
        return self.membership.school if self.membership else None

    @property
    def roles(self):
        return frozenset(self.membership.roles) if self.membership else frozenset()

    @property
    def year_groups(self):
        return frozenset(self.membership.year_groups) if self.membership else frozenset()

    @property
    def is_staff_member(self):
        return self.membership is not None and not self.is_system

    @property
    def is_parent(self):
        return bool(self.parent_school_ids)

    @property
    def is_specialist(self):
        return bool(self.shared_school_ids)

    @cached_property
    def scope_school_ids(self):
        # An LA officer's schools are in scope for counts; the rule table gives them no named pupil.
        ids = set(self.parent_school_ids) | set(self.shared_school_ids) | set(self.la_school_ids)
        if self.school is not None:
            ids.add(self.school.pk)
        return sorted(ids)

    @property
    def schools(self):
        return [membership.school for membership in self.memberships]

    # ----- what the actor may do -----

    def reach(self, action):
        if self.is_system:
            return Reach.ALL
        return reach_for(self.roles, action)

    def has_reach(self, action, *reaches):
        return self.reach(action) in reaches

    def can_administer(self):
        return self.reach(Action.ADMINISTER) == Reach.ALL

    def can_see_figures(self):
        return self.is_system or may_see_figures(self.roles)

    def can_see_restricted(self):
        return self.is_system or may_see_restricted(self.roles)

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))

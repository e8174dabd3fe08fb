"""Factories for interventions, groups, sessions, measures and costs."""

import datetime
from decimal import Decimal

import factory

from waymark.provision.models import (
    Attendance,
    GroupLeader,
    GroupMember,
    GroupSlot,
    Intervention,
    InterventionGroup,
    InterventionType,
    Measure,
    MeasureType,
    OtherCost,
    SessionLog,
    StaffRole,
)
from waymark.pupils.models import AreaOfNeed
from waymark.tests.factories import PupilFactory, SchoolFactory, ScopedFactory, UserFactory


def builtin_measure(kind):
    """One of the measure types every school has (migration provision 0002)."""
    return MeasureType.objects.get(school__isnull=True, kind=kind)


class StaffRoleFactory(ScopedFactory):
    class Meta:
        model = StaffRole
        django_get_or_create = ("school", "name")

    school = factory.SubFactory(SchoolFactory)
    name = "Teaching assistant"
    hourly_cost = Decimal("18.00")


class InterventionFactory(ScopedFactory):
    class Meta:
        model = Intervention

    school = factory.SubFactory(SchoolFactory)
    intervention_type = factory.LazyFunction(lambda: InterventionType.objects.get(code="phonics-catch-up"))
    name = factory.Sequence(lambda n: f"Phonics catch-up {n}")
    area = factory.LazyFunction(lambda: AreaOfNeed.objects.get(code="cognition-learning"))
    description = "Short daily phonics sessions."
    sessions_per_week = Decimal("3")
    minutes_per_session = 20
    group_size = 4


class InterventionGroupFactory(ScopedFactory):
    class Meta:
        model = InterventionGroup

    school = factory.SubFactory(SchoolFactory)
    intervention = factory.SubFactory(InterventionFactory, school=factory.SelfAttribute("..school"))
    name = factory.Sequence(lambda n: f"Group {n}")
    minutes_per_session = 20
    starts_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=60))


class GroupLeaderFactory(ScopedFactory):
    class Meta:
        model = GroupLeader

    group = factory.SubFactory(InterventionGroupFactory)
    user = factory.SubFactory(UserFactory)
    staff_role = factory.SubFactory(StaffRoleFactory, school=factory.SelfAttribute("..group.school"))


class GroupSlotFactory(ScopedFactory):
    class Meta:
        model = GroupSlot

    group = factory.SubFactory(InterventionGroupFactory)
    weekday = 0
    starts_at = datetime.time(9, 15)


class GroupMemberFactory(ScopedFactory):
    class Meta:
        model = GroupMember

    group = factory.SubFactory(InterventionGroupFactory)
    pupil = factory.SubFactory(PupilFactory, school=factory.SelfAttribute("..group.school"))
    joined_on = factory.LazyAttribute(lambda o: o.group.starts_on)


class SessionLogFactory(ScopedFactory):
    class Meta:
        model = SessionLog

    group = factory.SubFactory(InterventionGroupFactory)
    date = factory.LazyFunction(datetime.date.today)
    status = SessionLog.Status.DELIVERED
    logged_by = factory.SubFactory(UserFactory)


class AttendanceFactory(ScopedFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionLogFactory)
    pupil = factory.SubFactory(PupilFactory)
    attended = True


class MeasureFactory(ScopedFactory):
    class Meta:
        model = Measure

    pupil = factory.SubFactory(PupilFactory)
    group = None
    measure_type = factory.LazyFunction(lambda: builtin_measure(MeasureType.Kind.READING_AGE))
    point = Measure.Point.ENTRY
    value = Decimal("84")
    taken_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=60))
    recorded_by = factory.SubFactory(UserFactory)


class OtherCostFactory(ScopedFactory):
    class Meta:
        model = OtherCost

    school = factory.SubFactory(SchoolFactory)
    group = None
    pupil = None
    kind = OtherCost.Kind.RESOURCES
    description = "Reading books"
    annual_amount = Decimal("120.00")
    created_by = factory.SubFactory(UserFactory)

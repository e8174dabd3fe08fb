"""factory_boy factories for Waymark's models.

Scoped models are created with django-scopes lifted (``ScopedFactory._create``): a
factory is test set-up, not a request, so it names the school itself.
"""

import datetime

import factory
from django_scopes import scopes_disabled
from factory.django import DjangoModelFactory

from waymark.accounts.models import User
from waymark.evidence.models import Share
from waymark.pupils.models import Enrolment, Need, NeedType, ParentLink, Pupil, SenStatus
from waymark.pupils.upn import check_letter
from waymark.schools.models import AcademicYear, ClassGroup, GroupStaff, Membership, School, Term, Trust

PASSWORD = "correct-horse-battery-staple"


def school_year_bounds(on=None, offset=0):
    """1 September and 31 August of the school year containing ``on``, moved by ``offset`` years."""
    on = on or datetime.date.today()
    start_year = (on.year if on.month >= 9 else on.year - 1) + offset
    return datetime.date(start_year, 9, 1), datetime.date(start_year + 1, 8, 31)


def this_year():
    return school_year_bounds()


def last_year():
    return school_year_bounds(offset=-1)


def next_year():
    return school_year_bounds(offset=1)


def make_upn(la_number, establishment_number, serial, year="15"):
    body = f"{la_number}{establishment_number}{year}{serial % 1000:03d}"
    return check_letter(body) + body


class ScopedFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)


class TrustFactory(DjangoModelFactory):
    class Meta:
        model = Trust

    name = factory.Sequence(lambda n: f"Trust {n}")


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"School {n:03d}")
    urn = factory.Sequence(lambda n: f"{100000 + n}")
    la_number = factory.Sequence(lambda n: f"{200 + n % 700:03d}")
    establishment_number = factory.Sequence(lambda n: f"{2000 + n % 8000:04d}")
    phase = "secondary"
    # Two-factor sign-in is optional in tests; test_security covers the requirement.
    mfa_required_roles = factory.LazyFunction(list)


class AcademicYearFactory(ScopedFactory):
    class Meta:
        model = AcademicYear
        django_get_or_create = ("school", "starts_on")

    class Params:
        offset = 0  # -1 for last school year, 1 for next

    school = factory.SubFactory(SchoolFactory)
    starts_on = factory.LazyAttribute(lambda o: school_year_bounds(offset=o.offset)[0])
    ends_on = factory.LazyAttribute(lambda o: datetime.date(o.starts_on.year + 1, 8, 31))
    name = factory.LazyAttribute(lambda o: f"{o.starts_on.year} to {o.starts_on.year + 1}")


class TermFactory(ScopedFactory):
    class Meta:
        model = Term

    academic_year = factory.SubFactory(AcademicYearFactory)
    name = "Autumn term"
    starts_on = factory.LazyAttribute(lambda o: o.academic_year.starts_on)
    ends_on = factory.LazyAttribute(lambda o: datetime.date(o.academic_year.starts_on.year, 12, 20))


class MembershipFactory(ScopedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    roles = factory.LazyFunction(lambda: ["teacher"])
    year_groups = factory.LazyFunction(list)
    starts_on = factory.LazyFunction(lambda: school_year_bounds(offset=-2)[0])
    ends_on = None


class ClassGroupFactory(ScopedFactory):
    class Meta:
        model = ClassGroup

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.SubFactory(AcademicYearFactory, school=factory.SelfAttribute("..school"))
    kind = ClassGroup.Kind.REGISTRATION
    name = factory.Sequence(lambda n: f"Class {n}")
    year_group = 8


class GroupStaffFactory(ScopedFactory):
    class Meta:
        model = GroupStaff

    group = factory.SubFactory(ClassGroupFactory)
    user = factory.SubFactory(UserFactory)
    kind = GroupStaff.Kind.TEACHER
    starts_on = factory.LazyAttribute(lambda o: o.group.academic_year.starts_on)
    ends_on = factory.LazyAttribute(lambda o: o.group.academic_year.ends_on)


class PupilFactory(ScopedFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    upn = factory.LazyAttributeSequence(lambda o, n: make_upn(o.school.la_number, o.school.establishment_number, n))
    legal_forename = factory.Sequence(lambda n: f"Forename{n}")
    legal_surname = factory.Sequence(lambda n: f"Surname{n}")
    date_of_birth = factory.LazyAttribute(
        lambda o: datetime.date(this_year()[0].year - 5 - max(o.year_group, 0), 3, 14)
    )
    year_group = 8
    sex = "F"
    date_joined = factory.LazyAttribute(lambda o: datetime.date(o.date_of_birth.year + 4, 9, 1))


class SenStatusFactory(ScopedFactory):
    class Meta:
        model = SenStatus

    pupil = factory.SubFactory(PupilFactory)
    provision = "K"
    tier = "targeted"
    starts_on = factory.LazyFunction(lambda: last_year()[0])
    ends_on = None


class NeedFactory(ScopedFactory):
    class Meta:
        model = Need

    pupil = factory.SubFactory(PupilFactory)
    need_type = factory.LazyFunction(lambda: NeedType.objects.get(code="ASD"))
    rank = 1
    description = ""
    visibility = "everyone"


class ParentLinkFactory(ScopedFactory):
    class Meta:
        model = ParentLink

    pupil = factory.SubFactory(PupilFactory)
    user = factory.SubFactory(UserFactory)
    full_name = factory.LazyAttribute(lambda o: o.user.full_name if o.user else "Alex Carer")
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "")
    relationship = ParentLink.Relationship.MOTHER
    status = ParentLink.Status.ACTIVE
    status_reason = factory.LazyAttribute(lambda o: "" if o.status == ParentLink.Status.ACTIVE else "Court order")


class EnrolmentFactory(ScopedFactory):
    class Meta:
        model = Enrolment

    pupil = factory.SubFactory(PupilFactory)
    group = factory.SubFactory(ClassGroupFactory, school=factory.SelfAttribute("..pupil.school"))
    starts_on = factory.LazyAttribute(lambda o: o.group.academic_year.starts_on)
    ends_on = factory.LazyAttribute(lambda o: o.group.academic_year.ends_on)


class ShareFactory(ScopedFactory):
    class Meta:
        model = Share

    pupil = factory.SubFactory(PupilFactory)
    specialist = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.specialist.email if o.specialist else "someone@example.test")
    service = "Educational psychology service"
    lawful_basis = "Consent from parents"
    starts_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=60))
    created_by = factory.SubFactory(UserFactory)

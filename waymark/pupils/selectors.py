"""Reads that decide which pupils someone may reach. Every pupil page starts here."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from waymark.core.access import ARCHIVED_RECORD_ACTIONS, Action, Reach, Relation, relation_allows
from waymark.evidence.models import Share
from waymark.provision.models import GroupMember, member_on
from waymark.schools.models import ClassGroup, GroupStaff

from .models import Enrolment, Need, ParentInvitation, ParentLink, Pupil, SenStatus

STAFF = "staff"
ANYONE = "anyone"


def _own_groups_pupil_ids(actor):
    """Ids of the pupils in the classes, teaching groups and intervention groups the actor works with today.

    Read once per actor and passed on as a list: nested as subqueries inside every
    restricted query, PostgreSQL's planner could pick a plan that took minutes on freshly
    loaded tables, and a teacher's pupils are a few hundred at most.
    """
    cached = actor.extra.get("own_group_pupil_ids")
    if cached is None:
        today = actor.today
        current_groups = GroupStaff.objects.filter(
            user=actor.user, starts_on__lte=today, ends_on__gte=today, group__school=actor.school
        ).values("group_id")
        in_classes = Enrolment.objects.filter(
            group_id__in=current_groups, starts_on__lte=today, ends_on__gte=today
        ).values_list("pupil_id", flat=True)
        # The intervention groups they run now: a TA works with those pupils as closely as a class's.
        in_interventions = GroupMember.objects.filter(
            member_on(today),
            group__leaders__user=actor.user,
            group__school=actor.school,
            group__starts_on__lte=today,
            group__ends_on__gte=today,
            group__ended_at__isnull=True,
        ).values_list("pupil_id", flat=True)
        cached = sorted(set(in_classes) | set(in_interventions))
        actor.extra["own_group_pupil_ids"] = cached
    return cached


def pupil_filter(actor, action, *, audience=ANYONE):
    """A ``Q`` for the pupils ``actor`` may take ``action`` on; matches nothing unless a rule allows.

    ``audience=STAFF`` leaves out what parents and specialists reach through their links
    and shares, for pages that are staff pages whoever asks.
    """
    allowed = Q(pk__in=[])
    if actor is None:
        return allowed
    reach = actor.reach(action)
    if actor.school is not None:
        in_school = Q(school=actor.school)
        if reach == Reach.ALL:
            allowed |= in_school
        elif reach == Reach.YEAR_GROUP:
            allowed |= in_school & Q(year_group__in=actor.year_groups)
        elif reach == Reach.OWN_GROUPS:
            allowed |= in_school & Q(pk__in=_own_groups_pupil_ids(actor))
    if audience != STAFF and actor.user is not None:
        # A leaver's archived record is the school's alone: parents and specialists lose it with the place.
        allowed |= _relation_filter(actor, action) & Q(archived_at__isnull=True)
    if Action(action) not in ARCHIVED_RECORD_ACTIONS:
        allowed &= Q(archived_at__isnull=True)
    return allowed


def _relation_filter(actor, action):
    """The pupils a parent's links or a specialist's shares add for ``action``."""
    allowed = Q(pk__in=[])
    if actor.is_parent and relation_allows(Relation.OWN_CHILD, action):
        allowed |= Q(
            pk__in=ParentLink.objects.filter(user=actor.user, status=ParentLink.Status.ACTIVE).values("pupil_id")
        )
    if actor.is_specialist and relation_allows(Relation.SHARED, action):
        allowed |= Q(pk__in=Share.objects.live(actor.today).filter(specialist=actor.user).values("pupil_id"))
    return allowed


def pupil_restrict(actor, action, *, audience=ANYONE):
    return Pupil.objects.filter(pupil_filter(actor, action, audience=audience))


def _current_enrolments(actor):
    return Prefetch(
        "enrolments",
        queryset=Enrolment.objects.filter(starts_on__lte=actor.today, ends_on__gte=actor.today)
        .select_related("group")
        .order_by("group__kind", "group__name"),
        to_attr="current_enrolments",
    )


def _open_status():
    return Prefetch("sen_statuses", queryset=SenStatus.objects.filter(ends_on__isnull=True), to_attr="open_statuses")


def _open_needs():
    return Prefetch(
        "needs",
        queryset=Need.objects.filter(ends_on__isnull=True).select_related("need_type__area").order_by("rank"),
        to_attr="open_needs",
    )


def register_list(actor, *, filters=None, search="", order="name"):
    """The SEN register as ``actor`` may see it, filtered and sorted, with what each row shows."""
    filters = filters or {}
    pupils = pupil_restrict(actor, Action.VIEW, audience=STAFF).on_roll(actor.today).not_archived()
    provision = filters.get("provision") or "register"
    if provision == "register":
        pupils = pupils.filter(sen_statuses__ends_on__isnull=True, sen_statuses__provision__in=["K", "E"])
    elif provision != "all":
        pupils = pupils.filter(sen_statuses__ends_on__isnull=True, sen_statuses__provision=provision)
    if filters.get("tier"):
        pupils = pupils.filter(sen_statuses__ends_on__isnull=True, sen_statuses__tier=filters["tier"])
    if filters.get("year_group") not in (None, ""):
        pupils = pupils.filter(year_group=filters["year_group"])
    if filters.get("need"):
        pupils = pupils.filter(needs__ends_on__isnull=True, needs__need_type__code=filters["need"])
    if filters.get("group"):
        pupils = pupils.filter(
            enrolments__group__public_id=filters["group"],
            enrolments__starts_on__lte=actor.today,
            enrolments__ends_on__gte=actor.today,
        )
    pupils = pupils.matching(search)
    ordering = {
        "name": ["legal_surname", "legal_forename"],
        "-name": ["-legal_surname", "-legal_forename"],
        "year": ["year_group", "legal_surname", "legal_forename"],
        "-year": ["-year_group", "legal_surname", "legal_forename"],
    }.get(order, ["legal_surname", "legal_forename"])
    return (
        pupils.distinct()
        .order_by(*ordering, "pk")
        .prefetch_related(_open_status(), _open_needs(), _current_enrolments(actor))
    )


def pupil_get(actor, public_id, *, action=Action.VIEW, audience=STAFF):
    """One pupil with everything the pupil page shows, or ``Pupil.DoesNotExist``."""
    return (
        pupil_restrict(actor, action, audience=audience)
        .prefetch_related(
            Prefetch("sen_statuses", queryset=SenStatus.objects.select_related("recorded_by").order_by("-starts_on")),
            _open_needs(),
            _current_enrolments(actor),
            # Invitations too: the page says whether each parent has an account, is invited, or not yet.
            Prefetch(
                "parent_links", queryset=ParentLink.objects.select_related("user").prefetch_related("invitations")
            ),
        )
        .get(public_id=public_id)
    )


def register_counts(school, today):
    """Counts across one school for the figures pages: by provision, tier, need and year."""
    school_pupils = Pupil.objects.filter(school=school).on_roll(today).not_archived()
    open_statuses = SenStatus.objects.filter(pupil__in=school_pupils, ends_on__isnull=True)
    by_provision = dict(open_statuses.values_list("provision").annotate(n=Count("id")))
    by_tier = dict(open_statuses.filter(provision__in=["K", "E"]).values_list("tier").annotate(n=Count("id")))
    on_register = school_pupils.filter(sen_statuses__ends_on__isnull=True, sen_statuses__provision__in=["K", "E"])
    by_need = dict(
        Need.objects.filter(pupil__in=on_register, ends_on__isnull=True, rank=1)
        .values_list("need_type__code")
        .annotate(n=Count("id"))
    )
    by_year = dict(on_register.values_list("year_group").annotate(n=Count("id")))
    return {
        "pupils": school_pupils.count(),
        "on_register": on_register.count(),
        "by_provision": by_provision,
        "by_tier": by_tier,
        "by_need": by_need,
        "by_year": by_year,
    }


def class_groups_for(actor):
    """Classes and groups in the actor's school this school year, for filters."""
    return ClassGroup.objects.filter(
        school=actor.school, academic_year__starts_on__lte=actor.today, academic_year__ends_on__gte=actor.today
    ).order_by("kind", "year_group", "name")


def parent_invite_candidates(actor, *, year_group=None, include_invited=False):
    """Parent records ``actor`` may invite: active, with an email, no account yet, child on roll.

    Leaves out those with an invitation still open unless ``include_invited``: inviting
    them again would stop the code already on its way to them.
    """
    today = actor.today
    links = (
        ParentLink.objects.restrict(actor, Action.INVITE, audience=STAFF)
        .filter(status=ParentLink.Status.ACTIVE, user__isnull=True)
        .filter(Q(pupil__date_left__isnull=True) | Q(pupil__date_left__gte=today))
        .exclude(email="")
    )
    if year_group is not None:
        links = links.filter(pupil__year_group=year_group)
    if not include_invited:
        open_invitation = ParentInvitation.objects.filter(
            link=OuterRef("pk"),
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
            failed_attempts__lt=ParentInvitation.MAX_CODE_ATTEMPTS,
        )
        links = links.exclude(Exists(open_invitation))
    return (
        links.select_related("pupil")
        .prefetch_related("invitations")
        .order_by("pupil__legal_surname", "pupil__legal_forename", "pupil_id", "full_name", "pk")
    )

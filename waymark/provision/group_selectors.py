"""Reads for the intervention list and for groups: what each page shows, in a fixed number of queries.

Groups are reached through ``permissions.group_restrict`` (the SENCO and deputy see every
group of the school, anyone else only the groups they run); pupils through
``Pupil.objects.restrict``. The intervention list is not about any pupil: it reads the
school's own rows and the rows other schools of the trust share.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.core.access import Action
from waymark.plans.documents.content import group_size, how_often
from waymark.plans.forms import staff_of
from waymark.plans.models import PlanVersion, Provision
from waymark.plans.selectors import visible_levels
from waymark.pupils.models import ON_REGISTER_PROVISIONS, AreaOfNeed, Pupil, SenStatus

from .models import GroupLeader, GroupMember, Intervention, InterventionType, StaffRole
from .permissions import group_restrict

# Group list filter values.
RUNNING, UPCOMING, ENDED = "running", "upcoming", "ended"
STATUS_CHOICES = (
    (RUNNING, gettext_lazy("Running now")),
    (UPCOMING, gettext_lazy("Not started yet")),
    (ENDED, gettext_lazy("Ended")),
)
PUPIL_SEARCH_LIMIT = 25


# ----- small words -----


def intervention_typical(item):
    """ "3 times a week, 20 minutes, group of 4": the typical shape of an intervention or built-in type."""
    return f"{how_often(item.sessions_per_week, item.minutes_per_session)}, {str(group_size(item.group_size)).lower()}"


def running_filter(today, prefix=""):
    """Groups meeting on ``today``: started, not past their last session, not ended early."""
    return Q(
        **{
            f"{prefix}ended_at__isnull": True,
            f"{prefix}starts_on__lte": today,
            f"{prefix}ends_on__gte": today,
        }
    )


def group_status(group, today):
    if group.ended_at is not None or group.ends_on < today:
        return ENDED
    if group.starts_on > today:
        return UPCOMING
    return RUNNING


# ----- the intervention list -----


@dataclass
class AreaSection:
    area: AreaOfNeed
    interventions: list = field(default_factory=list)


def _with_running_groups(queryset, school, today):
    # Counted for this school only: a shared intervention may also run at other schools.
    return queryset.annotate(
        running_groups=Count(
            "groups", filter=Q(groups__school=school) & running_filter(today, prefix="groups__"), distinct=True
        )
    )


def intervention_list(actor):
    """The manager's list: their school's interventions by area, the trust's shared ones, the archived ones.

    Four queries whatever the number of rows (areas, own, shared by others, the trust's schools are
    read with them).
    """
    school, today = actor.school, actor.today
    own = list(
        _with_running_groups(Intervention.objects.filter(school=school), school, today)
        .select_related("area", "measure_type", "intervention_type")
        .order_by("area__order", "name")
    )
    shared = list(
        _with_running_groups(
            Intervention.objects.available_to(school).exclude(school=school).filter(is_archived=False), school, today
        )
        .select_related("area", "measure_type", "school")
        .order_by("area__order", "name", "school__name")
    )
    sections = {area.pk: AreaSection(area) for area in AreaOfNeed.objects.all()}
    for item in own:
        item.typical = intervention_typical(item)
        if not item.is_archived:
            sections[item.area_id].interventions.append(item)
    for item in shared:
        item.typical = intervention_typical(item)
    return {
        "sections": [section for section in sections.values() if section.interventions],
        "shared": shared,
        "archived": [item for item in own if item.is_archived],
        "count": sum(1 for item in own if not item.is_archived),
    }


def intervention_types_by_area():
    """The built-in types, by broad area, for "Use this" (two queries)."""
    sections = {area.pk: AreaSection(area) for area in AreaOfNeed.objects.all()}
    for item in InterventionType.objects.select_related("area"):
        item.typical = intervention_typical(item)
        sections[item.area_id].interventions.append(item)
    return [section for section in sections.values() if section.interventions]


def own_intervention(actor, public_id):
    """One of the actor's school's own interventions; ``Intervention.DoesNotExist`` otherwise."""
    return Intervention.objects.select_related("area", "measure_type").get(school=actor.school, public_id=public_id)


def interventions_for_groups(school):
    """Interventions a new group may deliver: the school's own and the trust's shared, not archived."""
    return (
        Intervention.objects.available_to(school)
        .filter(is_archived=False)
        .select_related("school")
        .order_by("name", "school__name")
    )


# ----- groups -----


def _annotate_members(queryset, today):
    current = Q(members__joined_on__lte=today) & (Q(members__left_on__isnull=True) | Q(members__left_on__gte=today))
    return queryset.annotate(current_members=Count("members", filter=current, distinct=True))


def group_list(actor, filters=None):
    """The groups ``actor`` manages or runs, filtered by status (running, upcoming, ended) and intervention.

    Four queries whatever the number of groups: the groups (with the intervention and a
    count of pupils in them today), their days and times, and who runs them.
    """
    filters = filters or {}
    today = actor.today
    groups = group_restrict(actor)
    status = filters.get("status")
    if status == RUNNING:
        groups = groups.filter(running_filter(today))
    elif status == UPCOMING:
        groups = groups.filter(ended_at__isnull=True, starts_on__gt=today)
    elif status == ENDED:
        groups = groups.filter(Q(ended_at__isnull=False) | Q(ends_on__lt=today))
    intervention = filters.get("intervention")
    if intervention is not None:
        groups = groups.filter(intervention=intervention)
    groups = (
        _annotate_members(groups, today)
        .select_related("intervention")
        .prefetch_related(
            "slots",
            Prefetch("leaders", queryset=GroupLeader.objects.select_related("user").order_by("user__full_name")),
        )
        .order_by("-ends_on", "name", "pk")
    )
    rows = list(groups)
    for group in rows:
        group.status = group_status(group, today)
    # Running groups first, then those to come, then the ended ones; most recent first within each.
    order = {RUNNING: 0, UPCOMING: 1, ENDED: 2}
    rows.sort(key=lambda group: order[group.status])
    return rows


def group_get(actor, public_id):
    """One group the actor manages or runs, with its intervention, days and staff; ``DoesNotExist`` otherwise."""
    return (
        group_restrict(actor)
        .select_related("intervention__school")
        .prefetch_related(
            "slots",
            Prefetch("leaders", queryset=GroupLeader.objects.select_related("user", "staff_role").order_by("pk")),
        )
        .get(public_id=public_id)
    )


def staff_choices(school, today):
    """The school's staff on ``today`` who may run a group, by name (as on a plan's "who delivers it")."""
    return list(staff_of(school, today))


def staff_roles(school):
    return list(StaffRole.objects.filter(school=school).order_by("name"))


# ----- members -----


def members_of(group):
    """Every place in the group, current and past, with the pupil (two queries)."""
    return list(
        GroupMember.objects.filter(group=group)
        .select_related("pupil")
        .order_by("pupil__legal_surname", "pupil__legal_forename", "joined_on", "pk")
    )


def latest_place(group, pupil):
    """The pupil's most recent place in the group, or ``None``."""
    return GroupMember.objects.filter(group=group, pupil=pupil).order_by("-joined_on", "-pk").first()


def on_register():
    """Pupils with an open K or E status: the SEN register."""
    return Q(
        pk__in=SenStatus.objects.filter(ends_on__isnull=True, provision__in=ON_REGISTER_PROVISIONS).values("pupil_id")
    )


def _addable_pupils(actor, group):
    """Pupils ``actor`` may add to ``group``: of its school, on the SEN register and on roll."""
    return (
        Pupil.objects.restrict(actor, Action.EDIT, audience="staff")
        .filter(on_register(), school=group.school)
        .on_roll(actor.today)
    )


def pupils_for_group(actor, group, search=""):
    """Pupils of the group's school on the SEN register and on roll, not in the group now, that ``actor`` may
    add, matching ``search``.

    At most ``PUPIL_SEARCH_LIMIT``: the page asks for a longer name rather than listing the whole register.
    """
    pupils = _addable_pupils(actor, group)
    # Those with a place that has not ended are in the group already.
    pupils = pupils.exclude(pk__in=GroupMember.objects.filter(group=group, left_on__isnull=True).values("pupil_id"))
    for term in search.split():
        pupils = pupils.filter(
            Q(legal_forename__icontains=term) | Q(legal_surname__icontains=term) | Q(preferred_name__icontains=term)
        )
    return list(pupils.order_by("legal_surname", "legal_forename", "pk")[:PUPIL_SEARCH_LIMIT])


def reachable_pupil(actor, group, public_id):
    """A pupil the actor may add to ``group`` (on the register, on roll, of its school); ``DoesNotExist`` otherwise."""
    return _addable_pupils(actor, group).get(public_id=public_id)


def commitments_for(pupil, actor=None):
    """The provision rows of ``pupil``'s plan in force (its active, published version), in plan order.

    Each row's ``lineage`` is what a group place stores as its commitment. With ``actor``,
    rows they may not read (restricted content, for those who are not the SENCO or DSL)
    are left out.
    """
    rows = Provision.objects.filter(
        version__plan__pupil=pupil, version__status=PlanVersion.Status.ACTIVE
    ).select_related("delivered_by")
    if actor is not None:
        rows = rows.filter(visibility__in=visible_levels(actor))
    rows = list(rows.order_by("order", "id"))
    for row in rows:
        row.how_often = how_often(row.sessions_per_week, row.minutes_per_session)
    return rows


def commitment_labels(pupils, actor=None):
    """``{lineage: "what (how often)"}`` for the plans in force of ``pupils``, in one query."""
    rows = Provision.objects.filter(
        version__plan__pupil__in=[pupil.pk for pupil in pupils], version__status=PlanVersion.Status.ACTIVE
    )
    if actor is not None:
        rows = rows.filter(visibility__in=visible_levels(actor))
    return {
        row.lineage: f"{row.what} ({how_often(row.sessions_per_week, row.minutes_per_session)})"
        for row in rows.only("lineage", "what", "sessions_per_week", "minutes_per_session")
    }


def commitment_label(lineage, labels):
    if lineage is None:
        return ""
    return labels.get(lineage) or _("No longer in the plan in force")

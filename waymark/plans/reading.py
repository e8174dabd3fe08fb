"""Who should read the plan in force, and who has: the teachers and TAs who work with the pupil now."""

from dataclasses import dataclass, field

from waymark.pupils.models import Enrolment
from waymark.schools.models import GroupStaff

from .models import ReadReceipt


@dataclass
class Reader:
    user: object
    groups: list = field(default_factory=list)  # [(group name, "Teacher" or "Teaching assistant")]
    read_at: object = None

    @property
    def has_read(self):
        return self.read_at is not None


def readers_of(version, today):
    """The staff who teach ``version``'s pupil on ``today``, each with when they read it (or ``None``).

    Teachers and TAs of the pupil's current classes and groups, by current assignment;
    two queries whatever the number of groups and staff.
    """
    pupil_groups = Enrolment.objects.filter(
        pupil__support_plan=version.plan_id, starts_on__lte=today, ends_on__gte=today
    ).values("group_id")
    assignments = (
        GroupStaff.objects.filter(group_id__in=pupil_groups, starts_on__lte=today, ends_on__gte=today)
        .select_related("user", "group")
        .order_by("user__full_name", "user_id", "group__name")
    )
    receipts = dict(ReadReceipt.objects.filter(version=version).values_list("user_id", "read_at"))
    readers = {}
    for assignment in assignments:
        reader = readers.setdefault(
            assignment.user_id, Reader(user=assignment.user, read_at=receipts.get(assignment.user_id))
        )
        reader.groups.append((assignment.group.name, assignment.get_kind_display()))
    return list(readers.values())

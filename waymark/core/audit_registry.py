"""Plain-English descriptions of audit codes, for the history tab.

Codes are ``<app>.<noun>.<verb>``. Every code written must be registered here; the
audit writer refuses one that is not, so the history tab can always explain itself.
"""

from django.utils.translation import gettext_lazy as _

AUDIT_DESCRIPTIONS = {
    # People and places
    "schools.school.updated": _("changed the school's settings"),
    "schools.academic_year.created": _("added a school year"),
    "schools.term.created": _("added a term"),
    "schools.rollover.applied": _("moved pupils up a year and closed last year's classes"),
    "schools.membership.created": _("added a member of staff"),
    "schools.membership.updated": _("changed a member of staff's roles"),
    "schools.membership.ended": _("ended a member of staff's access"),
    "schools.invitation.sent": _("invited a member of staff"),
    "schools.invitation.accepted": _("accepted an invitation to join the school"),
    "schools.group.created": _("added a class or teaching group"),
    "schools.group_staff.added": _("added a teacher or TA to a class or group"),
    "schools.school.switched": _("switched school"),
    # Pupils
    "pupils.pupil.created": _("added the pupil"),
    "pupils.pupil.updated": _("changed the pupil's details"),
    "pupils.pupil.viewed": _("viewed the pupil's record"),
    "pupils.pupil.history_viewed": _("viewed the pupil's history"),
    "pupils.register.viewed": _("viewed the SEN register"),
    "pupils.register.exported": _("downloaded the SEN register"),
    "pupils.sen_status.changed": _("changed the SEN provision or tier"),
    "pupils.need.added": _("added a need"),
    "pupils.need.updated": _("changed a need"),
    "pupils.need.ended": _("ended a need"),
    "pupils.parent_link.created": _("linked a parent or carer"),
    "pupils.parent_link.updated": _("changed a parent or carer's link"),
    "pupils.parent_link.invited": _("invited a parent or carer to see the child's plan"),
    "pupils.parent_link.invitation_withdrawn": _("withdrew an invitation to a parent or carer"),
    "pupils.parent_link.invitation_accepted": _("accepted an invitation to see the child's plan"),
    "pupils.parent_link.invitation_code_failed": _("entered a wrong invitation code"),
    "pupils.enrolment.added": _("added the pupil to a class or group"),
    "pupils.figures.viewed": _("viewed the school's SEND figures"),
    # Plans
    "plans.version.started": _("started a new draft plan"),
    "plans.version.viewed": _("viewed a version of the plan"),
    "plans.version.shared": _("shared the plan for agreement"),
    "plans.version.published": _("published the plan"),
    "plans.version.closed": _("closed the plan"),
    "plans.version.read_confirmed": _("confirmed they had read the plan"),
    "plans.version.downloaded": _("downloaded the plan"),
    "plans.version.compared": _("compared two versions of the plan"),
    "plans.section.saved": _("saved a section of the draft plan"),
    "plans.item.added": _("added to the draft plan"),
    "plans.item.updated": _("changed the draft plan"),
    "plans.item.removed": _("removed something from the draft plan"),
    "plans.class_sheet.viewed": _("viewed a class sheet of plans"),
    "plans.class_sheet.printed": _("printed a class sheet of plans"),
    "plans.template.updated": _("changed a plan template"),
    "plans.bank_entry.saved": _("saved a strategy bank entry"),
    # Reviews
    "plans.review.started": _("started a review of the plan"),
    "plans.review.saved": _("saved a review"),
    "plans.review.completed": _("completed a review and opened the next draft"),
    "plans.review.viewed": _("viewed a review"),
    "plans.review.discarded": _("discarded a review that was being written"),
    "plans.meeting.recorded": _("recorded a meeting with parents"),
    # Parents and the pupil
    "plans.plan.viewed_by_parent": _("read the child's plan"),
    "plans.contribution.added": _("added their views on the plan"),
    "plans.contribution.recorded": _("recorded a parent's views on their behalf"),
    "plans.contribution.seen": _("marked a parent's views as seen"),
    "plans.contribution.sharing_changed": _("changed who in the family sees a parent's views"),
    "plans.response.given": _("agreed or disagreed with the plan shared for agreement"),
    "plans.response.recorded": _("recorded a parent's agreement or disagreement on their behalf"),
    "plans.response.replied": _("replied to a parent's response to the plan"),
    "plans.request.made": _("asked the school for a meeting or a paper copy"),
    "plans.request.resolved": _("dealt with a parent's request"),
    "plans.pupil_voice.started": _("opened the pupil's views form for the pupil"),
    "plans.pupil_voice.given": _("gave their views in the pupil's views form"),
    "plans.pupil_voice.ended": _("the pupil's views form ended without an answer"),
    "plans.pupil_voice.visibility_changed": _("changed whether parents see the pupil's views"),
    "core.notification.sent": _("sent an email about the plan"),
    # Sharing
    "evidence.share.created": _("shared the pupil's record with an outside specialist"),
    "evidence.share.ended": _("ended a share with an outside specialist"),
}


def describe(code):
    try:
        return AUDIT_DESCRIPTIONS[code]
    except KeyError:
        raise KeyError(f"Audit code {code!r} is not registered in core/audit_registry.py") from None

"""Applying a checked roster: every row through the normal services, in ONE transaction.

The file is checked again inside the transaction (someone may have changed a pupil since
the preview), and any error, from that check or from a service, rolls back everything: no
pupil, class, status or contact from the file is kept. A row that changes nothing calls no
service, so importing the same file twice changes nothing and writes no audit event.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waymark.core.audit import audit_record
from waymark.pupils import services as pupil_services
from waymark.pupils.models import Need, ParentLink, Pupil
from waymark.schools import services as school_services
from waymark.schools.models import ClassGroup, GroupStaff

from ..permissions import require_importer
from .validation import CREATE, UPDATE, check_roster

PROGRESS_EVERY = 25  # rows between two progress reports


class RosterImportFailed(Exception):
    """The import stopped and everything was rolled back; ``message`` says where and why, in plain English."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.message = str(message)
        self.problems = list(problems)


def commit_roster(*, actor, school, table, mapping, progress=None, on_success=None):
    """Check ``table`` again and apply it, all or nothing; return the summary of what was done.

    ``progress(rows_done)`` is called every few rows (it must not write to this transaction:
    see ``batches.batch_progress``). ``on_success(summary)`` runs inside the transaction
    after the last row, so a batch can be marked committed together with the rows.
    Raises ``RosterImportFailed`` (nothing changed) when a row is refused.
    """
    require_importer(actor, school)
    try:
        with transaction.atomic():
            check = check_roster(actor=actor, school=school, table=table, mapping=mapping)
            if check.has_errors:
                first = next(problem for problem in check.problems if problem["severity"] == "error")
                raise RosterImportFailed(
                    _("The file has problems that were not there when it was checked (row %(row)d: %(message)s). "
                      "Nothing was imported. Upload it again to see them all.")
                    % {"row": first["row"], "message": first["message"]},
                    check.problems,
                )  # fmt: skip
            summary = _Applier(actor, school, check).apply(progress)
            if on_success is not None:
                on_success(summary)
            return summary
    except ValidationError as error:
        raise RosterImportFailed(" ".join(error.messages)) from error


class _Applier:
    def __init__(self, actor, school, check):
        self.actor, self.school, self.check = actor, school, check
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "classes_added": 0, "teachers_added": 0,
                       "contacts_added": 0, "contacts_updated": 0}  # fmt: skip
        self.year = school_services.academic_year_current(school, actor.today)
        self.classes = {}

    def apply(self, progress):
        plans = self.check.plans
        changing = [plan for plan in plans if plan.action in (CREATE, UPDATE)]
        pupils = Pupil.objects.in_bulk([plan.pupil_id for plan in changing if plan.pupil_id])
        needs = Need.objects.select_related("pupil").in_bulk([pk for plan in changing for pk, _v in plan.need_ends])
        links = ParentLink.objects.select_related("pupil").in_bulk(
            [pk for plan in changing for pk, _v, _f in plan.contact_updates]
        )
        if self.year is not None:
            self.classes = {
                group.name.strip().lower(): group
                for group in ClassGroup.objects.filter(academic_year=self.year, kind=ClassGroup.Kind.REGISTRATION)
            }
        for done, plan in enumerate(plans, start=1):
            if plan.action in (CREATE, UPDATE):
                try:
                    self._apply_row(plan, pupils, needs, links)
                except ValidationError as error:
                    raise RosterImportFailed(
                        _("Row %(row)d (%(name)s) could not be imported: %(reason)s Nothing was imported.")
                        % {"row": plan.row, "name": plan.name, "reason": " ".join(error.messages)}
                    ) from error
            else:
                self.counts["unchanged"] += 1
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(plans)):
                progress(done)
        return dict(self.counts)

    def _apply_row(self, plan, pupils, needs, links):
        actor = self.actor
        if plan.action == CREATE:
            provision, tier = plan.provision
            pupil = pupil_services.pupil_create(
                actor=actor, school=self.school, provision=provision, tier=tier, **plan.fields
            )
            self.counts["created"] += 1
        else:
            pupil = pupils[plan.pupil_id]
            if plan.fields:
                pupil = pupil_services.pupil_update(
                    actor=actor, pupil=pupil, expected_version=plan.version, **plan.fields
                )
            if plan.provision:
                provision, tier = plan.provision
                pupil_services.sen_status_change(
                    actor=actor,
                    pupil=pupil,
                    provision=provision,
                    tier=tier,
                    starts_on=actor.today,
                    expected_version=pupil.lock_version,
                )
            self.counts["updated"] += 1
        for pk, version in plan.need_ends:
            pupil_services.need_end(actor=actor, need=needs[pk], ends_on=actor.today, expected_version=version)
        for rank, need_type in plan.need_adds:
            pupil_services.need_add(actor=actor, pupil=pupil, need_type=need_type, rank=rank, starts_on=actor.today)
        if plan.enrol:
            group = self._class(plan.enrol)
            pupil_services.enrolment_add(actor=actor, pupil=pupil, group=group)
        if plan.teacher:
            self._add_teacher(self._class(plan.teacher_class), plan.teacher)
        for fields in plan.contact_creates:
            pupil_services.parent_contact_create(actor=actor, pupil=pupil, **fields)
            self.counts["contacts_added"] += 1
        for pk, version, fields in plan.contact_updates:
            pupil_services.parent_contact_update(actor=actor, link=links[pk], expected_version=version, **fields)
            self.counts["contacts_updated"] += 1
        audit_record(
            actor=actor,
            action="exchange.pupil.imported" if plan.action == CREATE else "exchange.pupil.import_updated",
            target=pupil,
            pupil=pupil,
            data={"row": plan.row, "fields": sorted(plan.fields)},
        )

    def _class(self, key):
        group = self.classes.get(key)
        if group is None:
            if key not in self.check.new_classes:  # checked before; a class cannot vanish between the two
                raise ValidationError(_("The class is not known this school year."))
            name, year_group = self.check.new_classes[key]
            group = school_services.class_group_create(
                actor=self.actor,
                school=self.school,
                academic_year=self.year,
                kind=ClassGroup.Kind.REGISTRATION,
                name=name,
                year_group=year_group,
            )
            self.classes[key] = group
            self.counts["classes_added"] += 1
        return group

    def _add_teacher(self, group, user_id):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(pk=user_id)
        school_services.group_staff_add(actor=self.actor, group=group, user=user, kind=GroupStaff.Kind.TEACHER)
        self.counts["teachers_added"] += 1

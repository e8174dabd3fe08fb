"""The school's review settings: how often plans are reviewed, the rating scale, and the complaints procedure.

The SENCO and deputy SENCO (who manage plan templates) and the head (who administers the
school) change them. The cycle can never be longer than a year (the duty), and the scale
must be one a review can rate on: at least three steps, whole-number values each used
once, every step labelled, and at least one step that counts as met.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waymark.core.access import Action, Reach
from waymark.core.audit import audit_record
from waymark.core.services import require, save_versioned
from waymark.schools.models import ReviewCycle

MIN_SCALE_STEPS = 3
MAX_SCALE_STEPS = 7
LABEL_MAX_LENGTH = 60


def can_manage_review_settings(actor):
    """Those who may change plan templates (``bank_services.can_manage_plan_settings``), and the head."""
    if actor is None or actor.school is None or not actor.is_staff_member:
        return False
    return actor.reach(Action.EDIT) == Reach.ALL or actor.can_administer()


def scale_problems(scale, met_ratings):
    """Why ``scale`` (``[{"value", "label"}]``) and ``met_ratings`` cannot be used, as plain sentences."""
    problems = []
    values = [step.get("value") for step in scale]
    if len(scale) < MIN_SCALE_STEPS:
        problems.append(_("The rating scale needs at least %(count)d steps.") % {"count": MIN_SCALE_STEPS})
    if len(scale) > MAX_SCALE_STEPS:
        problems.append(_("The rating scale can have at most %(count)d steps.") % {"count": MAX_SCALE_STEPS})
    if any(not isinstance(value, int) or isinstance(value, bool) for value in values):
        problems.append(_("Each step's value must be a whole number, such as -2, 0 or 3."))
    elif len(set(values)) != len(values):
        repeated = sorted({value for value in values if values.count(value) > 1})
        problems.append(
            _("Each step needs its own value: %(values)s is used more than once.")
            % {"values": ", ".join(str(value) for value in repeated)}
        )
    for step in scale:
        label = str(step.get("label") or "").strip()
        if not label:
            problems.append(_("Give the step with value %(value)s a label.") % {"value": step.get("value")})
        elif len(label) > LABEL_MAX_LENGTH:
            problems.append(
                _("The label ‘%(label)s’ must be %(limit)d characters or fewer.")
                % {"label": label[:30], "limit": LABEL_MAX_LENGTH}
            )
    if not met_ratings:
        problems.append(_("Choose at least one rating that counts as met."))
    elif any(value not in values for value in met_ratings):
        problems.append(_("Only steps on the scale can count as met."))
    return problems


@transaction.atomic
def review_settings_update(
    *, actor, school, cycle_months, scale, met_ratings, complaints_procedure, complaints_url, expected_version
):
    """Change the school's review cycle, rating scale, what counts as met, and complaints procedure.

    Guarantees a cycle of a year or less, a usable scale (``scale_problems``), a refusal of
    a save made on an out-of-date page, and one audit event. Reviews already completed keep
    whether each outcome was met; a review being written must rate again any outcome whose
    rating is no longer on the scale before it can be completed.
    """
    require(can_manage_review_settings(actor) and actor.school.pk == school.pk)
    if cycle_months not in ReviewCycle.values:
        raise ValidationError({"cycle_months": _("Choose how often plans are reviewed.")})
    scale = [{"value": step["value"], "label": str(step["label"]).strip()} for step in scale]
    problems = scale_problems(scale, met_ratings)
    if problems:
        raise ValidationError(problems, code="scale")
    school.review_cycle_months = cycle_months
    school.review_scale = sorted(scale, key=lambda step: step["value"])
    school.met_ratings = sorted(set(met_ratings))
    school.complaints_procedure = complaints_procedure.strip()
    school.complaints_url = complaints_url.strip()
    save_versioned(school, expected_version=expected_version)
    audit_record(actor=actor, action="schools.school.updated", target=school, school=school, data={"part": "reviews"})
    return school

"""Recording measures through the services: who may, and every rule that refuses with a plain message
and changes nothing. Also the typed forms of a value: ages as years and months."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.provision import measures
from waymark.provision.measure_forms import MeasureForm, MeasureTypeForm, parse_age
from waymark.provision.measure_values import format_age, format_gain, format_number, format_value
from waymark.provision.models import GroupMember, Measure, MeasureType
from waymark.provision.tests import factories as pf

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def reading_age(db):
    return pf.builtin_measure(MeasureType.Kind.READING_AGE)


def act(user, **kwargs):
    return Actor.for_user(user, **kwargs)


def state():
    """Everything a refused write must leave as it was."""
    with scopes_disabled():
        return (
            list(Measure.objects.order_by("pk").values_list("pk", "value", "taken_on", "note", "lock_version")),
            list(MeasureType.objects.order_by("pk").values_list("pk", "name")),
            AuditEvent.objects.count(),
        )


def record(cast, user, **changes):
    arguments = {
        "pupil": cast.pupil,
        "group": cast.group,
        "measure_type": pf.builtin_measure(MeasureType.Kind.READING_AGE),
        "point": Measure.Point.ENTRY,
        "value": Decimal(84),
        "taken_on": TODAY - 30 * DAY,
        "note": "",
        **changes,
    }
    with scope(school=[cast.school.pk]):
        return measures.measure_record(actor=act(user), **arguments)


def refused(cast, user, exception=ValidationError, **changes):
    before = state()
    with pytest.raises(exception) as caught:
        record(cast, user, **changes)
    assert state() == before
    return caught.value


def messages_of(error):
    return " ".join(error.messages)


# ----- who may record -----


@pytest.mark.parametrize("who", ["ta", "senco"])
def test_the_group_leader_and_the_senco_record_an_entry(cast, reading_age, who):
    measure = record(cast, getattr(cast, who), value=Decimal(88), note="Salford form A")
    assert (measure.point, measure.value, measure.group, measure.recorded_by) == (
        "entry",
        Decimal(88),
        cast.group,
        getattr(cast, who),
    )
    event = AuditEvent.objects.get(action="provision.measure.recorded")
    assert event.pupil_id == cast.pupil.public_id and event.target_id == str(measure.public_id)
    assert event.data == {
        "point": "entry",
        "measure_type": str(reading_age.public_id),
        "group": str(cast.group.public_id),
    }


@pytest.mark.parametrize("who", ["teacher", "teacher2", "head", "dsl", "trust_lead", "governor", "other_senco"])
def test_nobody_else_records_for_the_group(cast, reading_age, who):
    refused(cast, getattr(cast, who), exception=PermissionDenied)


def test_parents_and_specialists_cannot_record(cast, reading_age):
    for user in (cast.parent, cast.specialist):
        refused(cast, user, exception=PermissionDenied)


def test_a_pupil_who_left_the_group_can_still_have_their_exit_recorded(cast, reading_age):
    record(cast, cast.ta)
    with scopes_disabled():
        GroupMember.objects.filter(group=cast.group, pupil=cast.pupil).update(left_on=TODAY - 5 * DAY)
    # The TA no longer reaches the pupil through the group, but ran it while they were in it.
    exit_ = record(cast, cast.ta, point=Measure.Point.EXIT, value=Decimal(90), taken_on=TODAY - 4 * DAY)
    assert exit_.point == "exit"


def test_a_pupil_never_in_the_group_is_refused(cast, reading_age):
    error = refused(cast, cast.senco, pupil=cast.other_pupil)
    assert messages_of(error) == "Choose a group this pupil is or was in."


# ----- the rules -----


def test_an_exit_needs_an_entry(cast, reading_age):
    error = refused(cast, cast.ta, point=Measure.Point.EXIT)
    assert "Record the entry measure first" in messages_of(error)


def test_an_exit_before_the_entry_is_refused_with_the_entry_date(cast, reading_age):
    entry_on = datetime.date(2026, 3, 4) if TODAY > datetime.date(2026, 3, 4) else TODAY - 30 * DAY
    record(cast, cast.ta, taken_on=entry_on)
    error = refused(cast, cast.ta, point=Measure.Point.EXIT, taken_on=entry_on - DAY)
    expected = f"The exit measure must be on or after the entry measure ({entry_on.day} {entry_on:%B} {entry_on.year})."
    assert error.message_dict == {"taken_on": [expected]}


def test_an_exit_on_the_entry_day_is_allowed(cast, reading_age):
    record(cast, cast.ta, taken_on=TODAY - 3 * DAY)
    assert record(cast, cast.ta, point=Measure.Point.EXIT, taken_on=TODAY - 3 * DAY, value=Decimal(84)).pk


def test_an_entry_moved_after_the_exit_is_refused(cast, reading_age):
    entry = record(cast, cast.ta, taken_on=TODAY - 30 * DAY)
    record(cast, cast.ta, point=Measure.Point.EXIT, taken_on=TODAY - 10 * DAY, value=Decimal(90))
    before = state()
    with scope(school=[cast.school.pk]), pytest.raises(ValidationError) as caught:
        measures.measure_correct(
            actor=act(cast.ta),
            measure=entry,
            expected_version=entry.lock_version,
            value=Decimal(84),
            taken_on=TODAY - 9 * DAY,
            note="",
        )
    day = TODAY - 10 * DAY
    assert caught.value.message_dict == {
        "taken_on": [f"The entry measure must be on or before the exit measure ({day.day} {day:%B} {day.year})."]
    }
    assert state() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal(35), "Enter reading age from 3 years to 18 years."),
        (Decimal(217), "Enter reading age from 3 years to 18 years."),
    ],
)
def test_an_age_outside_the_scale_is_refused_in_years_and_months(cast, reading_age, value, message):
    assert refused(cast, cast.ta, value=value).message_dict == {"value": [message]}


def test_a_score_outside_the_scale_is_refused(cast):
    error = refused(cast, cast.ta, measure_type=pf.builtin_measure(MeasureType.Kind.SDQ), value=Decimal(41))
    assert error.message_dict == {"value": ["Enter a value from 0 to 40 for sdq total difficulties."]}


def test_a_date_in_the_future_is_refused(cast, reading_age):
    error = refused(cast, cast.ta, taken_on=TODAY + DAY)
    assert error.message_dict == {"taken_on": ["The date taken must be today or in the past."]}


def test_a_second_entry_is_refused_change_it_instead(cast, reading_age):
    record(cast, cast.ta)
    error = refused(cast, cast.senco, value=Decimal(90))
    assert error.code == "duplicate"
    assert messages_of(error).endswith("Change it instead.")


def test_the_same_pupil_may_have_an_entry_on_each_scale(cast, reading_age):
    record(cast, cast.ta)
    assert record(cast, cast.ta, measure_type=pf.builtin_measure(MeasureType.Kind.SPELLING_AGE)).pk


def test_another_schools_own_scale_is_refused(cast):
    with scopes_disabled():
        theirs = MeasureType.objects.create(
            school=cast.other_school, kind="scale", name="Their checklist", min_value=0, max_value=10
        )
    error = refused(cast, cast.senco, measure_type=theirs, value=Decimal(3))
    assert error.message_dict == {"measure_type": ["Choose one of the school's measures."]}


def test_entry_and_exit_need_a_group(cast, reading_age):
    error = refused(cast, cast.senco, group=None)
    assert "belong to a group" in messages_of(error)


# ----- checks along the way -----


def test_the_senco_records_a_check_outside_any_group(cast, reading_age):
    first = record(cast, cast.senco, group=None, point=Measure.Point.CHECK)
    second = record(cast, cast.senco, group=None, point=Measure.Point.CHECK, value=Decimal(86))
    assert first.pk != second.pk and first.group is None


@pytest.mark.parametrize("who", ["ta", "teacher", "head", "dsl"])
def test_only_those_who_manage_provision_record_a_check_outside_a_group(cast, reading_age, who):
    refused(cast, getattr(cast, who), exception=PermissionDenied, group=None, point=Measure.Point.CHECK)


# ----- correcting -----


def test_correcting_saves_changes_and_is_audited(cast, reading_age):
    entry = record(cast, cast.ta)
    with scope(school=[cast.school.pk]):
        measures.measure_correct(
            actor=act(cast.senco),
            measure=entry,
            expected_version=entry.lock_version,
            value=Decimal(85),
            taken_on=TODAY - 29 * DAY,
            note="Retested",
        )
    entry.refresh_from_db()
    assert (entry.value, entry.note, entry.lock_version) == (Decimal(85), "Retested", 1)
    assert AuditEvent.objects.filter(action="provision.measure.corrected", pupil_id=cast.pupil.public_id).count() == 1


def test_a_stale_correction_is_refused(cast, reading_age):
    entry = record(cast, cast.ta)
    with scope(school=[cast.school.pk]):
        measures.measure_correct(
            actor=act(cast.ta), measure=entry, expected_version=0, value=Decimal(85), taken_on=entry.taken_on, note=""
        )
    before = state()
    with scope(school=[cast.school.pk]), pytest.raises(ValidationError) as caught:
        measures.measure_correct(
            actor=act(cast.senco),
            measure=entry,
            expected_version=0,
            value=Decimal(99),
            taken_on=entry.taken_on,
            note="",
        )
    assert caught.value.code == "stale"
    assert state() == before


def test_correcting_checks_the_range_and_who(cast, reading_age):
    entry = record(cast, cast.ta)
    before = state()
    with scope(school=[cast.school.pk]):
        with pytest.raises(ValidationError):
            measures.measure_correct(
                actor=act(cast.ta), measure=entry, expected_version=0, value=Decimal(300), taken_on=TODAY, note=""
            )
        with pytest.raises(PermissionDenied):
            measures.measure_correct(
                actor=act(cast.teacher2), measure=entry, expected_version=0, value=Decimal(85), taken_on=TODAY, note=""
            )
    assert state() == before


# ----- the school's own scales -----


def create_scale(user, **changes):
    arguments = {"name": "Talk Boost checklist", "min_value": Decimal(0), "max_value": Decimal(20), **changes}
    arguments.setdefault("higher_is_better", True)
    actor = act(user)
    with scope(school=[actor.school.pk]):
        return measures.measure_type_create(actor=actor, **arguments)


def test_the_senco_adds_a_scale_of_the_schools_own(cast):
    scale = create_scale(cast.senco, higher_is_better=False)
    assert (scale.school, scale.kind, scale.higher_is_better) == (cast.school, "scale", False)
    assert AuditEvent.objects.filter(action="provision.measure_type.created", target_id=str(scale.public_id)).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "reading AGE"}, "name", "The school already has a scale called ‘reading AGE’."),
        ({"name": "  "}, "name", "Enter a name for the scale."),
        (
            {"min_value": Decimal(5), "max_value": Decimal(5)},
            "max_value",
            "The highest value must be more than the lowest.",
        ),
    ],
)
def test_a_scale_that_cannot_be_added(cast, changes, field, message):
    before = state()
    with pytest.raises(ValidationError) as caught:
        create_scale(cast.senco, **changes)
    assert caught.value.message_dict == {field: [message]}
    assert state() == before


@pytest.mark.parametrize("who", ["head", "ta", "teacher", "trust_lead"])
def test_only_those_who_manage_provision_add_scales(cast, who):
    before = state()
    with pytest.raises(PermissionDenied):
        create_scale(getattr(cast, who))
    assert state() == before


def test_a_scale_name_used_by_another_school_is_fine(cast):
    create_scale(cast.other_senco)
    assert create_scale(cast.senco).school == cast.school


# ----- ages typed as years and months -----


@pytest.mark.parametrize(
    ("years", "months", "expected"),
    [("7", "4", 88), ("7", "", 84), (" 12 ", "11", 155), ("0", "0", 0), ("18", "0", 216)],
)
def test_ages_are_typed_as_years_and_months(years, months, expected):
    assert parse_age(years, months) == Decimal(expected)


@pytest.mark.parametrize(
    ("years", "months", "message"),
    [
        ("", "", "Enter the reading age in years and months"),
        ("7.4", "", "Enter whole years and months, not a decimal"),
        ("7", "4.5", "Enter whole years and months, not a decimal"),
        ("7,5", "", "Enter whole years and months, not a decimal"),
        ("7:04", "", "Enter whole years and months, not a decimal"),
        ("", "4", "Reading age must include years"),
        ("seven", "4", "Years must be a whole number, like 7"),
        ("7y", "4m", "Years must be a whole number, like 7"),
        ("7", "four", "Months must be a whole number from 0 to 11"),
        ("7", "12", "Months must be from 0 to 11: 12 months is another year"),
        ("-7", "1", "Years must be a whole number, like 7"),
    ],
)
def test_unclear_ages_are_refused_with_a_message(years, months, message):
    with pytest.raises(ValidationError) as caught:
        parse_age(years, months, noun="reading age")
    assert caught.value.messages[0].startswith(message)


def test_the_form_turns_years_and_months_into_months_and_back(reading_age):
    data = {
        "value_years": "7",
        "value_months": "4",
        "taken_on_day": "3",
        "taken_on_month": "2",
        "taken_on_year": "2026",
    }
    form = MeasureForm(data=data, measure_type=reading_age)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == Decimal(88)
    shown = str(MeasureForm(initial={"value": Decimal(88)}, measure_type=reading_age))
    assert 'name="value_years" value="7"' in shown and 'name="value_months" value="4"' in shown


def test_the_form_says_a_decimal_age_is_ambiguous(reading_age):
    data = {
        "value_years": "7.4",
        "value_months": "",
        "taken_on_day": "3",
        "taken_on_month": "2",
        "taken_on_year": "2026",
    }
    form = MeasureForm(data=data, measure_type=reading_age)
    assert not form.is_valid()
    assert form.errors["value"][0].startswith("Enter whole years and months, not a decimal")


def test_other_scales_take_a_number(db):
    sdq = pf.builtin_measure(MeasureType.Kind.SDQ)
    base = {"taken_on_day": "3", "taken_on_month": "2", "taken_on_year": "2026"}
    assert MeasureForm(data={"value": "17", **base}, measure_type=sdq).is_valid()
    form = MeasureForm(data={"value": "seventeen", **base}, measure_type=sdq)
    assert not form.is_valid() and form.errors["value"] == ["SDQ total difficulties must be a number, like 40"]
    assert "From 0 to 40. A lower value is better." in str(form)


def test_the_scale_form_needs_an_answer_about_direction():
    form = MeasureTypeForm(data={"name": "Checklist", "min_value": "0", "max_value": "10"})
    assert not form.is_valid() and form.errors["higher_is_better"] == ["Select whether a higher value is better"]
    form = MeasureTypeForm(data={"name": "Checklist", "min_value": "0", "max_value": "10", "higher_is_better": "no"})
    assert form.is_valid() and form.cleaned_data["higher_is_better"] is False


# ----- values in words -----


@pytest.mark.parametrize(
    ("months", "words"),
    [
        (88, "7 years 4 months"),
        (84, "7 years"),
        (13, "1 year 1 month"),
        (11, "11 months"),
        (Decimal("88.4"), "7 years 4 months"),
    ],
)
def test_ages_read_as_years_and_months(months, words):
    assert format_age(months) == words


def test_numbers_and_gains_read_plainly(db):
    reading_age = pf.builtin_measure(MeasureType.Kind.READING_AGE)
    sdq = pf.builtin_measure(MeasureType.Kind.SDQ)
    assert format_number(Decimal("95.00")) == "95" and format_number(Decimal("2.50")) == "2.5"
    assert format_value(sdq, Decimal("12.00")) == "12"
    assert format_gain(reading_age, Decimal(5)) == "+5 months"
    assert format_gain(reading_age, Decimal(1)) == "+1 month"
    assert format_gain(sdq, Decimal(-3)) == "\u22123"
    assert format_gain(sdq, Decimal(0)) == "no change"

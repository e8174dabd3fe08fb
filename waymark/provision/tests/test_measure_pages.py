"""Measure pages against the whole cast: a group's measures, recording and correcting one pupil's
entry or exit, a check along the way, and the school's own scales. Bad input shows the GOV.UK
error summary and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent
from waymark.provision.models import GroupMember, Measure, MeasureType
from waymark.provision.tests import factories as pf
from waymark.tests.helpers import cast_mismatches, date_fields, error_summary, text_of

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def day(value):
    return f"{value.day} {value:%B} {value.year}"


def record_url(group, pupil, point="entry"):
    return reverse(
        "provision:measure-record", kwargs={"public_id": group.public_id, "pupil_id": pupil.public_id, "point": point}
    )


def measures_now():
    with scopes_disabled():
        return list(Measure.objects.order_by("pk").values_list("pk", "point", "value", "taken_on", "lock_version"))


@pytest.fixture
def setup(cast):
    """The phonics intervention is measured by reading age; the pupil has an entry already."""
    with scopes_disabled():
        cast.reading_age = pf.builtin_measure(MeasureType.Kind.READING_AGE)
        cast.intervention.measure_type = cast.reading_age
        cast.intervention.save()
        cast.entry = pf.MeasureFactory(
            pupil=cast.pupil,
            group=cast.group,
            measure_type=cast.reading_age,
            value=Decimal(84),
            taken_on=TODAY - 40 * DAY,
            recorded_by=cast.ta,
        )
    return cast


# ----- who may open each page -----

PAGES = {
    "group-measures": (lambda c: reverse("provision:group-measures", args=[c.group.public_id]), {"ta", "senco"}),
    "measure-record-entry": (lambda c: record_url(c.group, c.pupil, "entry"), {"ta", "senco"}),
    "measure-record-exit": (lambda c: record_url(c.group, c.pupil, "exit"), {"ta", "senco"}),
    "other-group-measures": (
        lambda c: reverse("provision:group-measures", args=[c.other_group.public_id]),
        {"teacher2", "senco"},
    ),
    "measure-check": (lambda c: reverse("provision:measure-check", args=[c.pupil.public_id]), {"senco"}),
    # A page about the school: the other school's SENCO adds scales for their own.
    "measure-type-create": (lambda c: reverse("provision:measure-type-create"), {"senco", "other_senco"}),
}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(setup, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(setup)
    wrong = cast_mismatches(setup, client_for, url, allowed)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(setup, client_for, page):
    response = client_for(None).get(PAGES[page][0](setup))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_pupil_never_in_the_group_is_missing(setup, client_for):
    assert client_for(setup.senco).get(record_url(setup.group, setup.other_pupil)).status_code == 404
    assert (
        client_for(setup.senco).get(record_url(setup.other_school_group, setup.other_school_pupil)).status_code == 404
    )


# ----- the group's measures -----


def test_the_group_page_lists_current_and_past_members_with_their_measures(setup, client_for):
    with scopes_disabled():
        gone = pf.GroupMemberFactory(group=setup.group, left_on=TODAY - 3 * DAY).pupil
        pf.MeasureFactory(
            pupil=setup.pupil,
            group=setup.group,
            measure_type=setup.reading_age,
            point="exit",
            value=Decimal(94),
            taken_on=TODAY - 10 * DAY,
            recorded_by=setup.ta,
        )
    page = text_of(client_for(setup.ta).get(reverse("provision:group-measures", args=[setup.group.public_id])))
    assert "Reading age at entry and exit" in page
    assert f"{setup.pupil.full_name} 7 years {day(TODAY - 40 * DAY)}" in page
    assert f"7 years 10 months {day(TODAY - 10 * DAY)}" in page
    assert "+10 months Ratio gain" in page
    assert f"{gone.full_name} Left on {day(TODAY - 3 * DAY)}" in page
    assert "Record the entry first" in page


def test_a_group_with_no_scale_asks_for_one(setup, client_for):
    url = reverse("provision:group-measures", args=[setup.other_group.public_id])
    with scopes_disabled():
        setup.intervention.measure_type = None
        setup.intervention.save()
    page = text_of(client_for(setup.teacher2).get(url))
    assert "Scale to record on" in page and "at entry and exit" not in page
    sdq = pf.builtin_measure(MeasureType.Kind.SDQ)
    page = text_of(client_for(setup.teacher2).get(url, {"type": str(sdq.public_id)}))
    assert "SDQ total difficulties at entry and exit" in page
    # The record links carry the scale.
    body = client_for(setup.teacher2).get(url, {"type": str(sdq.public_id)}).content.decode()
    assert f"{record_url(setup.other_group, setup.other_pupil)}?type={sdq.public_id}" in body


@pytest.mark.parametrize("size", [1, 12])
def test_the_group_page_runs_a_fixed_number_of_queries(setup, client_for, django_assert_max_num_queries, size):
    with scopes_disabled():
        for _ in range(size):
            pupil = pf.GroupMemberFactory(group=setup.group).pupil
            pf.MeasureFactory(pupil=pupil, group=setup.group, measure_type=setup.reading_age, recorded_by=setup.ta)
    client = client_for(setup.ta)
    url = reverse("provision:group-measures", args=[setup.group.public_id])
    client.get(url)
    with django_assert_max_num_queries(14):  # one of them writes the audit event for the pupils named
        assert client.get(url).status_code == 200


# ----- recording and correcting -----


def post_measure(client, url, *, years="7", months="4", taken_on=None, note="", **extra):
    data = {
        "value_years": years,
        "value_months": months,
        **date_fields("taken_on", taken_on or TODAY - DAY),
        "note": note,
        **extra,
    }
    return client.post(url, data)


def test_the_ta_records_an_exit_on_the_phone_page(setup, client_for):
    client = client_for(setup.ta)
    response = post_measure(client, record_url(setup.group, setup.pupil, "exit"), years="7", months="9", note="Form B")
    assert response.status_code == 302
    assert response["Location"] == reverse("provision:group-measures", args=[setup.group.public_id])
    with scopes_disabled():
        exit_ = Measure.objects.get(point="exit")
    assert (exit_.value, exit_.note, exit_.recorded_by) == (Decimal(93), "Form B", setup.ta)
    page = text_of(client.get(response["Location"]))
    assert f"Exit measure recorded for {setup.pupil.full_name}." in page


def test_the_form_opens_on_what_was_recorded_and_corrects_it(setup, client_for):
    client = client_for(setup.senco)
    url = record_url(setup.group, setup.pupil, "entry")
    body = client.get(url).content.decode()
    assert 'name="value_years" value="7"' in body and 'name="value_months" value="0"' in body
    assert "Change the entry measure" in text_of(client.get(url))
    response = post_measure(client, url, years="7", months="1", taken_on=TODAY - 41 * DAY, lock_version="0")
    assert response.status_code == 302
    setup.entry.refresh_from_db()
    assert (setup.entry.value, setup.entry.taken_on, setup.entry.lock_version) == (Decimal(85), TODAY - 41 * DAY, 1)
    assert AuditEvent.objects.filter(action="provision.measure.corrected").count() == 1


def test_a_stale_correction_keeps_what_was_typed_and_changes_nothing(setup, client_for):
    with scopes_disabled():
        Measure.objects.filter(pk=setup.entry.pk).update(lock_version=3, value=Decimal(86))
    before = measures_now()
    response = post_measure(client_for(setup.ta), record_url(setup.group, setup.pupil), months="2", lock_version="0")
    assert response.status_code == 200
    assert "Someone else saved changes to this record" in error_summary(response)
    assert measures_now() == before
    body = response.content.decode()
    assert 'name="value_months" value="2"' in body and 'name="lock_version" value="3"' in body


@pytest.mark.parametrize(
    ("point", "fields", "message"),
    [
        ("exit", {"years": "7.4", "months": ""}, "Enter whole years and months, not a decimal"),
        ("exit", {"years": "", "months": ""}, "Enter the reading age in years and months"),
        ("exit", {"months": "14"}, "Months must be from 0 to 11"),
        ("exit", {"years": "19", "months": "0"}, "Enter reading age from 3 years to 18 years."),
        ("exit", {"taken_on": TODAY + DAY}, "The date taken must be today or in the past."),
        (
            "exit",
            {"taken_on": TODAY - 41 * DAY},
            f"The exit measure must be on or after the entry measure ({day(TODAY - 40 * DAY)}).",
        ),
    ],
)
def test_bad_input_shows_the_error_summary_and_changes_nothing(setup, client_for, point, fields, message):
    before, events = measures_now(), AuditEvent.objects.count()
    response = post_measure(client_for(setup.ta), record_url(setup.group, setup.pupil, point), **fields)
    assert response.status_code == 200
    assert message in error_summary(response)
    assert response.content.decode().count('class="govuk-error-message"') >= 1
    assert measures_now() == before and AuditEvent.objects.count() == events


def test_an_exit_with_no_entry_is_refused(setup, client_for):
    with scopes_disabled():
        other = pf.GroupMemberFactory(group=setup.group).pupil
    response = post_measure(client_for(setup.ta), record_url(setup.group, other, "exit"))
    assert "Record the entry measure first" in error_summary(response)
    with scopes_disabled():
        assert not Measure.objects.filter(pupil=other).exists()


def test_a_leader_of_another_group_cannot_post(setup, client_for):
    before = measures_now()
    assert post_measure(client_for(setup.teacher2), record_url(setup.group, setup.pupil, "exit")).status_code == 404
    assert measures_now() == before


def test_a_past_member_keeps_their_row_and_can_have_an_exit(setup, client_for):
    with scopes_disabled():
        GroupMember.objects.filter(group=setup.group, pupil=setup.pupil).update(left_on=TODAY - 2 * DAY)
    response = post_measure(client_for(setup.ta), record_url(setup.group, setup.pupil, "exit"))
    assert response.status_code == 302


# ----- a check along the way -----


def test_the_senco_chooses_a_scale_then_records_a_check(setup, client_for):
    client = client_for(setup.senco)
    url = reverse("provision:measure-check", args=[setup.pupil.public_id])
    assert "Scale to record on" in text_of(client.get(url))
    sdq = pf.builtin_measure(MeasureType.Kind.SDQ)
    asked = f"{url}?type={sdq.public_id}"
    assert "From 0 to 40. A lower value is better." in text_of(client.get(asked))
    data = {"value": "18", **date_fields("taken_on", TODAY), "group": str(setup.group.public_id), "note": ""}
    response = client.post(asked, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("provision:pupil-impact", args=[setup.pupil.public_id])
    with scopes_disabled():
        check = Measure.objects.get(point="check")
    assert (check.measure_type, check.value, check.group) == (sdq, Decimal(18), setup.group)


def test_a_check_with_an_unknown_scale_asks_again(setup, client_for):
    url = reverse("provision:measure-check", args=[setup.pupil.public_id])
    response = client_for(setup.senco).get(url, {"type": "not-a-scale"})
    assert "Select one of the school's scales" in error_summary(response)


def test_a_check_with_a_bad_number_changes_nothing(setup, client_for):
    sdq = pf.builtin_measure(MeasureType.Kind.SDQ)
    url = reverse("provision:measure-check", args=[setup.pupil.public_id]) + f"?type={sdq.public_id}"
    before = measures_now()
    response = client_for(setup.senco).post(url, {"value": "55", **date_fields("taken_on", TODAY), "group": ""})
    assert "Enter a value from 0 to 40 for sdq total difficulties." in error_summary(response)
    assert measures_now() == before


# ----- the school's own scales -----


def test_the_senco_adds_a_scale(setup, client_for):
    client = client_for(setup.senco)
    url = reverse("provision:measure-type-create")
    data = {"name": "Talk Boost checklist", "min_value": "0", "max_value": "20", "higher_is_better": "yes"}
    response = client.post(url, data)
    assert response.status_code == 302
    with scopes_disabled():
        scale = MeasureType.objects.get(name="Talk Boost checklist")
    assert (scale.school, scale.kind) == (setup.school, "scale")
    assert "Talk Boost checklist" in text_of(client.get(url))


def test_a_scale_with_a_taken_name_or_empty_range_is_refused(setup, client_for):
    client = client_for(setup.senco)
    url = reverse("provision:measure-type-create")
    response = client.post(
        url, {"name": "SDQ Total Difficulties", "min_value": "0", "max_value": "9", "higher_is_better": "no"}
    )
    assert "The school already has a scale called" in error_summary(response)
    response = client.post(url, {"name": "Mine", "min_value": "5", "max_value": "5", "higher_is_better": "no"})
    assert "The highest value must be more than the lowest." in error_summary(response)
    with scopes_disabled():
        assert not MeasureType.objects.filter(school=setup.school).exists()


def test_a_measure_recorded_while_the_form_was_open_is_not_overwritten(setup, client_for):
    # The form was opened before the entry existed, so it carries no version.
    before = measures_now()
    response = post_measure(client_for(setup.ta), record_url(setup.group, setup.pupil), months="3")
    assert response.status_code == 200
    assert "An entry measure on this scale is already recorded for this pupil in this group." in error_summary(response)
    assert measures_now() == before
    # Saving again now replaces it knowingly.
    assert 'name="lock_version" value="0"' in response.content.decode()
    again = post_measure(client_for(setup.ta), record_url(setup.group, setup.pupil), months="3", lock_version="0")
    assert again.status_code == 302
    setup.entry.refresh_from_db()
    assert setup.entry.value == Decimal(87)

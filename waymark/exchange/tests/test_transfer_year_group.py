"""A pupil received from a package sent in an earlier school year moves on by the years in between,
as the CTF import does (a July Year 6 leaver arrives in September as Year 7), and the preview says so.
"""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.exchange.transfer.receive import transfer_check, transfer_receive
from waymark.pupils.models import Pupil
from waymark.tests.helpers import text_of

from .transfer_support import PASSPHRASE, minimal_document, sealed, upload


@pytest.fixture(autouse=True)
def no_scanner(settings):
    settings.WAYMARK_VIRUS_SCANNER = "none"


def exported(cast, days_from_term_start, year_group=6):
    """A package for a new pupil in ``year_group``, exported that many days after (or before) School B's
    current school year started."""
    starts_on = cast.other_year.starts_on
    moment = datetime.datetime.combine(starts_on + datetime.timedelta(days=days_from_term_start), datetime.time(10))
    pupil = {**minimal_document()["pupil"], "year_group": year_group, "year_group_label": f"Year {year_group}"}
    return sealed(minimal_document(exported_at=moment.isoformat() + "+00:00", pupil=pupil))


def check(cast, package):
    with scope(school=[cast.other_school.pk]):
        return transfer_check(
            actor=Actor.for_user(cast.other_senco),
            school=cast.other_school,
            uploaded_file=upload(package),
            passphrase=PASSPHRASE,
        )


def receive(cast, package):
    with scope(school=[cast.other_school.pk]):
        transfer = transfer_receive(
            actor=Actor.for_user(cast.other_senco),
            school=cast.other_school,
            package_bytes=package,
            passphrase=PASSPHRASE,
        )
    with scopes_disabled():
        return Pupil.objects.get(pk=transfer.pupil_id)


def test_a_record_sent_before_the_summer_arrives_a_year_on(cast, client_for):
    package = exported(cast, -40)  # late July
    batch = check(cast, package)
    assert batch.summary["pupil"]["year_group"] == "Year 7"
    assert batch.summary["pupil"]["year_group_moved_on"] == (
        "Year 6 when the record was sent: moved on 1 school year to Year 7."
    )
    page = text_of(client_for(cast.other_senco).get(reverse("exchange:transfer-preview", args=[batch.public_id])))
    assert "Year group Year 7 Year 6 when the record was sent: moved on 1 school year to Year 7." in page
    assert receive(cast, package).year_group == 7


def test_a_record_sent_this_school_year_keeps_its_year_group(cast):
    package = exported(cast, 0)
    batch = check(cast, package)
    assert batch.summary["pupil"]["year_group"] == "Year 6"
    assert batch.summary["pupil"]["year_group_moved_on"] == ""
    assert receive(cast, package).year_group == 6


def test_a_record_sent_two_school_years_ago_moves_on_two(cast):
    package = exported(cast, -400, year_group=4)
    assert check(cast, package).summary["pupil"]["year_group_moved_on"].endswith("moved on 2 school years to Year 6.")
    assert receive(cast, package).year_group == 6


def test_a_pupil_who_would_now_be_past_year_14_is_not_added(cast):
    batch = check(cast, exported(cast, -40, year_group=14))
    assert batch.summary["blockers"] == [
        "The record was sent on "
        f"{(cast.other_year.starts_on - datetime.timedelta(days=40)).strftime('%-d %B %Y')}, when the pupil was in "
        "Year 14: they would now be past Year 14, so they cannot be added."
    ]


def test_a_matched_pupil_keeps_the_year_group_the_school_has(cast):
    with scopes_disabled():
        first = receive(cast, exported(cast, -40))
        Pupil.objects.filter(pk=first.pk).update(year_group=8)
    # The same child again, in a later package: matched on name and date of birth, nothing changed.
    batch = check(cast, exported(cast, -39))
    assert batch.summary["match"]["kind"] == "name_and_dob"
    assert batch.summary["pupil"]["year_group_moved_on"] == ""
    with scopes_disabled():
        assert Pupil.objects.get(pk=first.pk).year_group == 8

"""Helpers for the roster tests: the sample files, CSV built in the test, and running the import as the SENCO."""

import csv
import io
from pathlib import Path

from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.exchange.roster import check_roster, commit_roster, mapping_for, read_table
from waymark.schools.models import ClassGroup, GroupStaff

FILES = Path(__file__).parent / "files" / "roster"
HEADERS = ["UPN", "Surname", "Forename", "DOB", "Year", "Sex"]


def sample(name):
    return (FILES / name).read_bytes()


def csv_bytes(rows, headers=HEADERS, delimiter=",", encoding="utf-8"):
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def actor_of(cast, user=None, school=None):
    return Actor.for_user(user or cast.senco)


def check(cast, data, user=None, mapping=None):
    """Read, map (recognised headers, or ``mapping``) and check ``data`` as the SENCO of School A."""
    with scope(school=[cast.school.pk]):
        table = read_table(data)
        used = mapping if mapping is not None else mapping_for(cast.school, table.headers)[0]
        return check_roster(actor=actor_of(cast, user), school=cast.school, table=table, mapping=used)


def commit(cast, data, user=None, mapping=None, **kwargs):
    with scope(school=[cast.school.pk]):
        table = read_table(data)
        used = mapping if mapping is not None else mapping_for(cast.school, table.headers)[0]
        return commit_roster(actor=actor_of(cast, user), school=cast.school, table=table, mapping=used, **kwargs)


def problems_of(result):
    return [(p["row"], p["column"], p["message"]) for p in result.problems if p["severity"] == "error"]


def class_rows():
    """Classes and their staff, for "nothing changed" checks beyond ``helpers.fingerprint``."""
    with scopes_disabled():
        return (
            list(ClassGroup.objects.order_by("pk").values_list("pk", "name", "lock_version")),
            list(GroupStaff.objects.order_by("pk").values_list("pk", "group_id", "user_id")),
        )

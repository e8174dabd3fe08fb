"""Helpers for the roster tests: the sample files, CSV built in the test, and running the import as the SENCO."""

import csv
import io
import re
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.exchange.models import ImportBatch
from waymark.exchange.roster import check_roster, commit_roster, mapping_for, read_table
from waymark.schools.models import ClassGroup, GroupStaff
from waymark.tests.factories import make_upn
from waymark.tests.helpers import error_summary

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


def generated_rows(count, *, start=1, born="14/03/2013"):
    """``count`` Year 8 pupils with valid UPNs, numbered from ``start``."""
    return [
        [make_upn("873", "4001", n % 1000, year=f"{10 + n // 1000:02d}"), f"Surname{n}", f"Forename{n}", born, "8",
         "F" if n % 2 else "M"]
        for n in range(start, start + count)
    ]  # fmt: skip


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


# ----- through the pages -----


def upload(client, data, name="pupils.csv"):
    """Post ``data`` to the roster upload page; the response."""
    return client.post(reverse("exchange:roster-upload"), {"upload": SimpleUploadedFile(name, data)})


def batch_of(response):
    """The batch an upload's redirect names."""
    public_id = re.search(r"/roster/([0-9a-f-]{36})/", response["Location"]).group(1)
    with scopes_disabled():
        return ImportBatch.objects.get(public_id=public_id)


def upload_roster(client, data, name="pupils.csv"):
    """Upload ``data``, which must be accepted; the batch."""
    response = upload(client, data, name)
    assert response.status_code == 302, error_summary(response)
    return batch_of(response)


def mapping_post(batch, remember=False, **overrides):
    """The columns page's form: the recognised columns, with ``overrides`` by header."""
    data = {
        f"column_{index}": overrides.get(header, batch.mapping.get(header, ""))
        for index, header in enumerate(batch.summary["headers"])
    }
    if remember:
        data["remember"] = "on"
    return data

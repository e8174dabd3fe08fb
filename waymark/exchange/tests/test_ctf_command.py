"""``manage.py import_ctf``: the preview by default, the import with --commit, and an error exit
(``CommandError``, so a non-zero status) listing every reason when the file is refused.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent
from waymark.pupils.models import Pupil, SenStatus
from waymark.tests.helpers import fingerprint

from .ctf_helpers import FILES, ctf_document, ctf_pupil


def run(*args):
    out = StringIO()
    call_command("import_ctf", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def test_without_commit_it_prints_the_preview_and_changes_nothing(ctf_school):
    before = fingerprint()
    output = run(FILES / "dfe_several_pupils.xml", "--school", "140001")
    assert "CTF version 26.0, written on 14 July 2026" in output
    assert "From Hillside Academy (LA 823, establishment 4102)" in output
    assert "5 pupils in the file: 5 to add, 0 to update, 0 to leave as they are." in output
    assert "Pupil 1 (UPN C823410213011, Khan): Ayesha Khan" in output
    assert "- History: S – Statement (legacy) from 14 May 2012 to 30 November 2017" in output
    assert "Checked only: nothing was imported." in output
    assert fingerprint() == before


def test_with_commit_it_imports_and_again_changes_nothing(ctf_school):
    output = run(FILES / "dfe_several_pupils.xml", "--school", "140001", "--commit")
    assert "Imported into Ashdown Academy: 5 added, 0 updated, 0 left as they were." in output
    with scopes_disabled():
        khan = Pupil.objects.get(school=ctf_school, upn="C823410213011")
        assert SenStatus.objects.get(pupil=khan, ends_on__isnull=True).provision == "E"
        # A command has no person: the system acted, and the audit says so.
        event = AuditEvent.objects.get(action="exchange.import.committed")
        assert event.actor_id is None and event.school_id == ctf_school.pk and event.data["kind"] == "ctf"
        assert AuditEvent.objects.filter(action="exchange.pupil.imported").count() == 5
    again = run(FILES / "dfe_several_pupils.xml", "--school", "140001", "--commit")
    assert "0 added, 0 updated, 5 left as they were." in again


def test_a_bad_file_exits_with_every_reason_and_nothing_changes(ctf_school):
    before = fingerprint()
    with pytest.raises(CommandError) as refused:
        run(FILES / "bad" / "duplicate_upns.xml", "--school", "140001", "--commit")
    message = str(refused.value)
    assert "The file cannot be imported (1 problem). Nothing was imported." in message
    assert "Pupil 3 (UPN C823410213011, Again), UPN: UPN C823410213011 appears more than once" in message
    assert fingerprint() == before


def test_a_file_that_is_not_a_ctf_exits_with_the_reason(ctf_school):
    with pytest.raises(CommandError, match="document type declaration"):
        run(FILES / "bad" / "billion_laughs.xml", "--school", "140001")


def test_the_check_without_commit_also_exits_non_zero_on_problems(ctf_school, tmp_path):
    path = tmp_path / "two.xml"
    path.write_bytes(
        ctf_document(ctf_pupil("A823410213011", "Wrong"), ctf_pupil("C823410213011", "Ok", dob="2015-02-30"))
    )
    with pytest.raises(CommandError) as refused:
        run(path, "--school", "140001")
    assert "(2 problems)" in str(refused.value)
    assert "check letter" in str(refused.value) and "not a real date" in str(refused.value)


def test_an_unknown_school_or_a_missing_file_is_an_error(ctf_school, settings, tmp_path):
    with pytest.raises(CommandError, match="No school has the URN 999999"):
        run(FILES / "minimal.xml", "--school", "999999")
    with pytest.raises(CommandError, match="There is no file at"):
        run(tmp_path / "missing.xml", "--school", "140001")
    settings.WAYMARK_IMPORT_MAX_BYTES = 100
    with pytest.raises(CommandError, match="WAYMARK_IMPORT_MAX_BYTES"):
        run(FILES / "minimal.xml", "--school", "140001")


def test_it_imports_only_into_the_school_named(ctf_school, cast):
    run(FILES / "minimal.xml", "--school", "140001", "--commit")
    with scopes_disabled():
        assert Pupil.objects.filter(upn="Q936400114020").values_list("school_id", flat=True).get() == ctf_school.pk

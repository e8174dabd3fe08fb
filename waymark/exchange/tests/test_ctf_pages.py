"""The CTF pages: upload, preview and commit, who may open them, what they show, and that the
preview runs the same number of queries however many pupils the file holds.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent
from waymark.exchange.models import ImportBatch, ImportKind
from waymark.pupils.models import Pupil
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, error_summary, fingerprint, text_of

from .ctf_helpers import ctf_bytes, ctf_document, ctf_pupil, need, sen

Status = ImportBatch.Status
UPLOAD_URL = reverse("exchange:ctf-upload")


def records():
    """The pupils' side of the fingerprint: what an import would change (batches and audit aside)."""
    return fingerprint(audit=False)


def upload(client, data, name="hillside.xml"):
    return client.post(UPLOAD_URL, {"upload": SimpleUploadedFile(name, data, content_type="text/xml")})


def only_batch():
    with scopes_disabled():
        return ImportBatch.objects.get()


def preview_url(batch):
    return reverse("exchange:ctf-preview", kwargs={"public_id": batch.public_id})


def commit_url(batch):
    return reverse("exchange:ctf-commit", kwargs={"public_id": batch.public_id})


def detail_url(batch):
    return reverse("exchange:import-detail", kwargs={"public_id": batch.public_id})


def many_pupils(count):
    from waymark.pupils.upn import check_letter

    pupils = []
    for serial in range(count):
        body = f"82341021{5000 + serial:04d}"
        pupils.append(
            ctf_pupil(
                check_letter(body) + body,
                f"Surname{serial}",
                sen=sen("2024-09-02", "K"),
                needs=need("SPLD", 1) + need("SLCN", 2),
            )
        )
    return ctf_document(*pupils)


# ----- who may open them -----


def test_only_importers_may_open_the_upload_page(cast, client_for):
    # Each SENCO into their own school; the preview (below) is the one school's.
    assert cast_mismatches(cast, client_for, UPLOAD_URL, allowed={"senco", "other_senco"}) == []
    assert client_for(None).get(UPLOAD_URL).status_code == 302  # to sign in


def test_a_deputy_senco_may_upload(cast, client_for):
    deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    assert client_for(deputy).get(UPLOAD_URL).status_code == 200


def test_only_importers_of_the_school_may_see_a_preview_or_commit_it(ctf_school, cast, client_for):
    upload(client_for(cast.senco), ctf_bytes("minimal.xml"))
    batch = only_batch()
    assert cast_mismatches(cast, client_for, preview_url(batch), allowed={"senco"}) == []
    before = records()
    for name, user in cast.people.items():
        if name != "senco":
            assert client_for(user).post(commit_url(batch)).status_code == 404, name
    assert records() == before
    assert only_batch().status == Status.PREVIEWED


def test_the_pages_answer_only_their_methods(ctf_school, cast, client_for):
    client = client_for(cast.senco)
    upload(client, ctf_bytes("minimal.xml"))
    batch = only_batch()
    assert client.get(commit_url(batch)).status_code == 405
    assert client.post(preview_url(batch)).status_code == 405


def test_a_roster_batch_is_not_a_ctf_preview(ctf_school, cast, client_for):
    with scopes_disabled():
        roster = ImportBatch.objects.create(
            school=ctf_school,
            kind=ImportKind.ROSTER,
            original_name="x.csv",
            sha256="0" * 64,
            size=1,
            created_by=cast.senco,
        )
    assert client_for(cast.senco).get(preview_url(roster)).status_code == 404


# ----- upload and preview -----


def test_uploading_shows_the_preview_and_changes_no_record(ctf_school, cast, client_for):
    client = client_for(cast.senco)
    before = records()
    response = upload(client, ctf_bytes("dfe_several_pupils.xml"))
    batch = only_batch()
    assert response.status_code == 302 and response.url == preview_url(batch)
    assert records() == before
    assert batch.status == Status.PREVIEWED and batch.rows_total == 5 and batch.problems == []

    page = client.get(preview_url(batch))
    text = text_of(page)
    assert "Check the CTF before importing" in text
    assert "Hillside Academy" in text and "LA 823, establishment 4102" in text and "URN 137421" in text
    assert "26.0" in text and "14 July 2026" in text
    assert "New pupils to add (5)" in text
    assert "Ayesha Khan" in text and "Pupil 1 (UPN C823410213011, Khan)" in text
    assert "History: A – School Action (legacy) from 2 September 2013 to 5 January 2014" in text
    assert "Import the file" in text
    assert error_summary(page) == ""
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="exchange.import.checked").count() == 1


def test_a_file_that_is_not_a_ctf_is_refused_on_the_upload_page(ctf_school, cast, client_for):
    before = records()
    response = upload(client_for(cast.senco), ctf_bytes("bad/billion_laughs.xml"))
    assert response.status_code == 200
    assert "document type declaration" in error_summary(response)
    assert only_batch().status == Status.REJECTED
    assert records() == before


def test_a_file_over_the_size_limit_is_refused(ctf_school, cast, client_for, settings):
    settings.WAYMARK_IMPORT_MAX_BYTES = 4096
    response = upload(client_for(cast.senco), many_pupils(20))
    assert response.status_code == 200
    assert "An import file must be 4 KB or smaller" in error_summary(response)
    with scopes_disabled():
        assert not ImportBatch.objects.exists()


def test_problems_are_listed_by_pupil_and_field_and_block_the_import(ctf_school, cast, client_for):
    client = client_for(cast.senco)
    data = ctf_document(
        ctf_pupil("C823410213011", "Good"),
        ctf_pupil("A823410213011", "Wrongletter"),
        ctf_pupil("Q823410215104", "Impossible", dob="2015-02-30"),
        ctf_pupil("B823410216052", "Unknown", needs=need("XYZ", 1)),
    )
    before = records()
    upload(client, data)
    batch = only_batch()
    page = client.get(preview_url(batch))
    summary = error_summary(page)
    assert "Pupil 2 (UPN A823410213011, Wrongletter): UPN A823410213011: The check letter does not match" in summary
    assert 'Pupil 3 (UPN Q823410215104, Impossible): Date of birth: "2015-02-30" is not a real date.' in summary
    assert 'Pupil 4 (UPN B823410216052, Unknown): "XYZ" is not a census need type' in summary
    content = page.content.decode()
    assert 'id="ctf-problem-1"' in content and 'href="#ctf-problem-1"' in content
    text = text_of(page)
    assert "Problems to put right" in text and "SENneed 1 SENtype" in text
    assert "Import the file" not in text and "Upload a corrected file" in text
    assert "<title>Error:" in content

    response = client.post(commit_url(batch))
    assert response.status_code == 302 and response.url == preview_url(batch)
    assert records() == before
    assert only_batch().status == Status.PREVIEWED


def test_the_error_summary_shows_the_first_ten_and_says_how_many_more(ctf_school, cast, client_for):
    data = ctf_document(*(ctf_pupil("", f"Nameless{n}") for n in range(13)))
    client = client_for(cast.senco)
    upload(client, data)
    page = client.get(preview_url(only_batch()))
    assert error_summary(page).count("has no UPN") == 10
    assert "And 3 more problems, listed in the table below." in text_of(page)


# ----- commit -----


def test_committing_imports_the_file_and_shows_the_batch(ctf_school, cast, client_for):
    client = client_for(cast.senco)
    upload(client, ctf_bytes("dfe_several_pupils.xml"))
    batch = only_batch()
    response = client.post(commit_url(batch))
    assert response.status_code == 302 and response.url == detail_url(batch)
    batch = only_batch()
    assert batch.status == Status.COMMITTED and not batch.file.name
    assert (batch.summary["created"], batch.summary["updated"], batch.summary["skipped"]) == (5, 0, 0)
    with scopes_disabled():
        assert Pupil.objects.filter(school=ctf_school, upn="C823410213011").exists()
        events = AuditEvent.objects.filter(action="exchange.pupil.imported")
        assert events.count() == 5 and all(event.data["batch"] == str(batch.public_id) for event in events)
        assert AuditEvent.objects.filter(action="exchange.import.committed").count() == 1
    # Pressed again: the batch has finished, nothing more happens.
    before = records()
    assert client.post(commit_url(batch)).url == detail_url(batch)
    assert records() == before
    # And the preview of a finished batch is its page.
    assert client.get(preview_url(batch)).url == detail_url(batch)


def test_a_file_that_became_invalid_since_the_preview_fails_and_imports_nothing(ctf_school, cast, client_for):
    client = client_for(cast.senco)
    upload(client, ctf_bytes("minimal.xml"))
    batch = only_batch()
    # Between the preview and the click, the one pupil is archived: still fine (skipped). Instead the
    # need type is retired from the list altogether, so the file no longer checks.
    with scopes_disabled():
        from waymark.pupils.models import NeedType

        NeedType.objects.filter(code="SEMH").update(code="SEMH-OLD")
    before = records()
    response = client.post(commit_url(batch))
    assert response.url == detail_url(batch)
    batch = only_batch()
    assert batch.status == Status.FAILED
    assert "nothing was imported" in batch.problems[-1]["message"]
    assert records() == before


def test_a_large_file_imports_in_the_background(
    ctf_school, cast, client_for, settings, django_capture_on_commit_callbacks
):
    settings.WAYMARK_IMPORT_BACKGROUND_ROWS = 2
    client = client_for(cast.senco)
    upload(client, ctf_bytes("dfe_several_pupils.xml"))
    batch = only_batch()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(commit_url(batch))
    assert response.url == detail_url(batch)
    batch = only_batch()
    assert batch.status == Status.COMMITTED and batch.summary["created"] == 5
    with scopes_disabled():
        assert Pupil.objects.filter(school=ctf_school, upn__in=["C823410213011", "D823410214088"]).count() == 2


# ----- a fixed number of queries -----


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def queries_to_upload(client, data):
    with CaptureQueriesContext(connection) as captured:
        assert upload(client, data).status_code == 302
    return len(captured)


def test_the_upload_and_the_preview_run_a_fixed_number_of_queries(
    ctf_school, cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.senco)
    small_upload = queries_to_upload(client, many_pupils(3))
    large_upload = queries_to_upload(client, many_pupils(40))
    assert small_upload == large_upload
    with scopes_disabled():
        small, large = ImportBatch.objects.order_by("created_at", "id")
    assert (small.rows_total, large.rows_total) == (3, 40)
    small_preview = queries_for(client, preview_url(small))
    large_preview = queries_for(client, preview_url(large))
    assert small_preview == large_preview
    with django_assert_max_num_queries(15):
        client.get(preview_url(large))
    with django_assert_max_num_queries(30):
        upload(client, many_pupils(40))

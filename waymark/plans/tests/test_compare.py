"""Comparing two versions: word-level marks, items paired across versions, levels filtered first."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.models import AuditEvent, Visibility
from waymark.plans import services
from waymark.plans.compare import ADDED, CHANGED, REMOVED, UNCHANGED, compare_documents, pair_items, word_diff
from waymark.plans.models import Outcome
from waymark.plans.tests.test_versions import publish, senco_actor, text_of, write_draft
from waymark.tests.helpers import error_summary

RESTRICTED_ADDITION = "Pick-up by her grandmother only on Fridays"


@pytest.fixture
def two_versions(cast):
    """Version 1 superseded; version 2 in force with a new target and two new adjustments."""
    with scope(school=[cast.school.pk]):
        actor = senco_actor(cast)
        first = publish(cast, write_draft(cast))
        second = write_draft(cast, copy_from=first)
        outcome = Outcome.objects.filter(version=second).get()
        services.item_update(
            actor=actor,
            item=outcome,
            fields={"target": "Reads 90 words a minute"},
            expected_version=outcome.lock_version,
        )
        for text, visibility in (
            ("Sit on a wobble cushion", Visibility.EVERYONE),
            (RESTRICTED_ADDITION, Visibility.RESTRICTED),
        ):
            services.item_add(
                actor=actor,
                version=second,
                section_key="adjustments",
                fields={"text": text, "visibility": visibility},
            )
        second = publish(cast, second)
    with scopes_disabled():
        first.refresh_from_db()
    return first, second


def compare_url(cast, old, new):
    return reverse("plans:version-compare", args=[cast.pupil.public_id]) + f"?from={old.public_id}&to={new.public_id}"


# ----- the word-level marks -----


def test_word_diff_marks_only_the_words_that_changed():
    html = str(word_diff("Reads 70 words a minute", "Reads 90 words a minute"))
    assert html.startswith("Reads ")
    assert '<del class="waymark-diff__del"><span class="govuk-visually-hidden">removed: </span>70</del>' in html
    assert '<ins class="waymark-diff__ins"><span class="govuk-visually-hidden">added: </span>90</ins>' in html
    assert html.endswith(" words a minute")


def test_word_diff_escapes_what_people_typed():
    html = str(word_diff("Likes <b>maths</b>", 'Likes <script>alert("x")</script>\nand art'))
    assert "<script" not in html and "<b>" not in html and "</b>" not in html
    assert "&lt;" in html and "&gt;" in html
    assert '"x"' not in html and "&quot;x&quot;" in html
    assert "<br>and art" in html


def test_word_diff_of_identical_text_has_no_marks():
    assert "<ins" not in str(word_diff("Same words", "Same words"))
    assert "<del" not in str(word_diff("Same words", "Same words"))


def _item(title, **values):
    return {
        "title": title,
        "visibility": "everyone",
        "visibility_tag": "",
        "fields": [{"name": name, "label": name, "value": value} for name, value in values.items()],
    }


def test_items_are_paired_by_title_then_by_likeness():
    old = [_item("Seat near the door"), _item("Use a visual timetable"), _item("Give a quiet space at break")]
    new = [
        _item("Use a visual timetable"),  # moved
        _item("Seat her near the door"),  # reworded: still the same adjustment
        _item("Wobble cushion in maths"),  # new
    ]
    pairs = pair_items(old, new)
    titles = [(o and o["title"], n and n["title"]) for o, n in pairs]
    assert titles == [
        ("Use a visual timetable", "Use a visual timetable"),
        ("Seat near the door", "Seat her near the door"),
        (None, "Wobble cushion in maths"),
        ("Give a quiet space at break", None),
    ]


def _document(sections, about=()):
    return {"about": list(about), "sections": sections}


def test_compare_documents_reports_added_removed_and_changed():
    old = _document(
        [
            {"key": "strengths", "kind": "text", "label": "Strengths", "visibility": "everyone", "visibility_tag": "",
             "fields": [{"name": "strengths", "label": "Strengths", "value": "Art"}]},
            {"key": "outcomes", "kind": "items", "label": "Outcomes", "visibility": "everyone", "visibility_tag": "",
             "items": [_item("Read aloud", target="70 words"), _item("Tie laces", target="On her own")]},
            {"key": "ehc_plan", "kind": "text", "label": "EHC plan", "visibility": "everyone", "visibility_tag": "",
             "fields": []},
        ]
    )  # fmt: skip
    new = _document(
        [
            {"key": "strengths", "kind": "text", "label": "What she is good at", "visibility": "everyone",
             "visibility_tag": "", "fields": [{"name": "strengths", "label": "Strengths", "value": "Art"}]},
            {"key": "outcomes", "kind": "items", "label": "Outcomes", "visibility": "everyone", "visibility_tag": "",
             "items": [_item("Read aloud", target="90 words"), _item("Swim a length", target="Unaided")]},
        ]
    )  # fmt: skip
    about, strengths, outcomes, ehc = compare_documents(old, new)
    assert about.status == UNCHANGED
    assert strengths.status == CHANGED and strengths.old_label == "Strengths"  # only the label changed
    assert outcomes.status == CHANGED
    assert [item.status for item in outcomes.items] == [CHANGED, ADDED, REMOVED]
    target = outcomes.items[0].fields[0]
    assert (target.old, target.new) == ("70 words", "90 words")
    assert ehc.status == REMOVED


# ----- the page -----


def test_the_comparison_highlights_a_changed_target_and_an_added_adjustment(cast, two_versions, client_for):
    old, new = two_versions
    response = client_for(cast.senco).get(compare_url(cast, old, new))
    assert response.status_code == 200
    html = response.content.decode()
    removed_70 = '<span class="govuk-visually-hidden">removed: </span>70</del>'
    added_90 = '<ins class="waymark-diff__ins"><span class="govuk-visually-hidden">added: </span>90</ins>'
    assert removed_70 + added_90 in html
    outcomes = next(change for change in response.context["changes"] if change.key == "outcomes")
    assert [item.status for item in outcomes.items] == [CHANGED]
    adjustments = next(change for change in response.context["changes"] if change.key == "adjustments")
    added = [item.title for item in adjustments.items if item.status == ADDED]
    assert added == ["Sit on a wobble cushion", RESTRICTED_ADDITION]  # the SENCO may see restricted parts
    assert '<ins class="waymark-diff__ins">Sit on a wobble cushion</ins>' in html
    # Sections that did not change say so, and nothing else is marked.
    about_me = next(change for change in response.context["changes"] if change.key == "about_me")
    assert about_me.status == UNCHANGED
    event = AuditEvent.objects.get(action="plans.version.compared")
    assert event.data == {"from": str(old.public_id), "to": str(new.public_id)}
    assert event.pupil_id == cast.pupil.public_id


def test_levels_are_filtered_before_comparing(cast, two_versions, client_for):
    old, new = two_versions
    for who in ("head", "trust_lead"):  # they see every version, but not restricted parts
        response = client_for(getattr(cast, who)).get(compare_url(cast, old, new))
        assert response.status_code == 200
        assert RESTRICTED_ADDITION not in response.content.decode(), who
        adjustments = next(change for change in response.context["changes"] if change.key == "adjustments")
        assert [item.title for item in adjustments.items if item.status == ADDED] == ["Sit on a wobble cushion"]
    assert RESTRICTED_ADDITION in client_for(cast.dsl).get(compare_url(cast, old, new)).content.decode()


def test_without_a_choice_the_two_newest_versions_are_compared(cast, two_versions, client_for):
    old, new = two_versions
    response = client_for(cast.senco).get(reverse("plans:version-compare", args=[cast.pupil.public_id]))
    assert (response.context["old"].pk, response.context["new"].pk) == (old.pk, new.pk)


def test_a_teacher_can_compare_nothing_and_learns_nothing_from_trying(cast, two_versions, client_for):
    old, new = two_versions
    client = client_for(cast.teacher)
    plain = client.get(reverse("plans:version-compare", args=[cast.pupil.public_id]))
    assert "nothing to compare" in text_of(plain)
    tried = client.get(compare_url(cast, old, new))
    assert tried.status_code == 200
    assert "changes" not in tried.context
    assert "Sit on a wobble cushion" not in tried.content.decode()
    assert not AuditEvent.objects.filter(action="plans.version.compared").exists()


def test_bad_choices_are_explained(cast, two_versions, client_for):
    _old, new = two_versions
    client = client_for(cast.senco)
    same = client.get(compare_url(cast, new, new))
    assert error_summary(same) == "Choose two different versions to compare."
    assert "changes" not in same.context
    unknown = client.get(
        reverse("plans:version-compare", args=[cast.pupil.public_id]) + f"?from=nonsense&to={new.public_id}"
    )
    assert error_summary(unknown) == "Select a version from the list"
    assert text_of(unknown).startswith("Error:")


def test_another_pupils_version_cannot_be_compared(cast, two_versions, client_for):
    old, new = two_versions
    url = (
        reverse("plans:version-compare", args=[cast.other_pupil.public_id])
        + f"?from={old.public_id}&to={new.public_id}"
    )
    response = client_for(cast.senco).get(url)
    assert response.status_code == 200
    assert "changes" not in response.context
    assert "Sit on a wobble cushion" not in response.content.decode()

"""Filling bank text with a pupil's preferred name and pronouns."""

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.plans.bank_fill import fill, fill_text, pronoun_set

TEXT = (
    "{Name} asks for help when {they} get stuck. Check {their} planner with {them}; "
    "the idea is {theirs}, {They} can calm {themself}."
)


@pytest.mark.parametrize(
    ("pronouns", "expected"),
    [
        (
            "she/her",
            "Zeph asks for help when she get stuck. Check her planner with her; the idea is hers, "
            "She can calm herself.",
        ),
        (
            "he/him",
            "Zeph asks for help when he get stuck. Check his planner with him; the idea is his, He can calm himself.",
        ),
        (
            "they/them",
            "Zeph asks for help when they get stuck. Check their planner with them; the idea is theirs, "
            "They can calm themself.",
        ),
        (
            "",
            "Zeph asks for help when they get stuck. Check their planner with them; the idea is theirs, "
            "They can calm themself.",
        ),
        (
            "xe/xem",
            "Zeph asks for help when Zeph get stuck. Check Zeph's planner with Zeph; the idea is Zeph's, "
            "Zeph can calm Zeph.",
        ),
    ],
)
def test_each_pronoun_set_fills_every_placeholder(pronouns, expected):
    assert fill_text(TEXT, name="Zeph", pronouns=pronouns) == expected


@pytest.mark.parametrize(
    ("pronouns", "they"),
    [
        ("She/Her", "she"),
        (" she / her ", "she"),
        ("her", "she"),
        ("HE", "he"),
        ("he/they", "he"),
        ("they", "they"),
        ("them/they", "they"),
        ("   ", "they"),
        (None, "they"),
    ],
)
def test_pronouns_are_read_generously(pronouns, they):
    assert pronoun_set(pronouns)["they"] == they


@pytest.mark.parametrize("pronouns", ["ze/zir", "xe", "any", "ask me", "n/a"])
def test_pronouns_we_cannot_read_are_never_guessed(pronouns):
    assert pronoun_set(pronouns) is None
    filled = fill_text("Ask {them} what {they} need for {their} bag.", name="Ari", pronouns=pronouns)
    assert filled == "Ask Ari what Ari need for Ari's bag."


def test_fill_uses_the_preferred_first_name_and_the_pupils_pronouns():
    pupil = SimpleNamespace(forename="Zeph", pronouns="she/her")
    assert fill("{name} uses {their} word mat.", pupil) == "Zeph uses her word mat."


def test_capitals_follow_the_placeholder():
    assert fill_text("{They} said. {Their} turn. {name}.", name="sam", pronouns="he/him") == "He said. His turn. sam."
    assert fill_text("{Them}", name="Kit", pronouns="ze") == "Kit"


def test_unknown_placeholders_and_stray_braces_leave_no_braces():
    assert fill_text("Use {colour} cards {{ and } sometimes {", name="Kit") == "Use colour cards and sometimes "
    assert fill_text("{ name }", name="Kit") == "Kit"


def test_a_name_with_braces_cannot_bring_braces_in():
    assert fill_text("{name} and {their} bag", name="{They}", pronouns="xe") == "They and They's bag"


def test_text_without_placeholders_is_unchanged():
    text = "Seat near the front, away from the door."
    assert fill_text(text, name="Kit", pronouns="she/her") == text


names = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
pronoun_strings = st.one_of(
    st.sampled_from(["", "she/her", "he/him", "they/them", "ze/zir", "She", "any"]),
    st.text(max_size=15),
)
bank_text = st.lists(
    st.one_of(
        st.sampled_from(["{name}", "{they}", "{them}", "{their}", "{theirs}", "{themself}", "{They}", "{Their}"]),
        st.text(max_size=12),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=bank_text, name=names, pronouns=pronoun_strings)
def test_no_brace_is_ever_left_behind(text, name, pronouns):
    filled = fill_text(text, name=name, pronouns=pronouns)
    assert "{" not in filled and "}" not in filled


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.characters(blacklist_characters="{}", blacklist_categories=("Cs",)), max_size=60),
    pronouns=pronoun_strings,
)
def test_text_without_braces_is_left_exactly_as_it_was(text, pronouns):
    assert fill_text(text, name="Kit", pronouns=pronouns) == text


@settings(max_examples=100, deadline=None)
@given(name=st.from_regex(r"[A-Z][a-z]{1,10}", fullmatch=True), pronouns=st.sampled_from(["she/her", "he/him", ""]))
def test_the_name_appears_once_for_each_name_placeholder(name, pronouns):
    filled = fill_text("{name}|{name}", name=name, pronouns=pronouns)
    assert filled == f"{name}|{name}"

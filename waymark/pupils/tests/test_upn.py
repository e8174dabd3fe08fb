"""Unique Pupil Numbers: the check letter, the shape, temporary UPNs (pupils/upn.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.pupils.upn import CHECK_ALPHABET, UPNError, check_letter, is_temporary, normalise_upn, validate_upn

# From the shared sample files (ctf-example.xml and roster-example.csv): valid check letters.
SAMPLE_UPNS = ["W935212318001", "K935212318002", "Z935212318003"]


@pytest.mark.parametrize("upn", SAMPLE_UPNS)
def test_sample_upns_are_valid(upn):
    assert validate_upn(upn) == upn
    assert check_letter(upn[1:]) == upn[0]
    assert not is_temporary(upn)


def test_lower_case_and_spaces_are_tidied():
    assert validate_upn("  w935 2123 18001 ") == "W935212318001"
    assert normalise_upn(None) == ""


@pytest.mark.parametrize("upn", SAMPLE_UPNS)
def test_a_wrong_check_letter_is_refused(upn):
    for letter in CHECK_ALPHABET:
        if letter == upn[0]:
            continue
        with pytest.raises(UPNError, match="check letter does not match"):
            validate_upn(letter + upn[1:])


@pytest.mark.parametrize(
    ("upn", "length"),
    [("W93521231800", 12), ("W9352123180011", 14), ("", 0), ("W", 1)],
)
def test_wrong_length_is_refused_with_the_length(upn, length):
    with pytest.raises(UPNError, match=f"this one has {length}"):
        validate_upn(upn)


@pytest.mark.parametrize(
    "upn",
    [
        "1935212318001",  # starts with a digit
        "W93521231800I",  # I is not in the check alphabet
        "W93521231800O",  # nor O
        "W93521231800S",  # nor S
        "W9352123180-1",
        "WW35212318001",
    ],
)
def test_wrong_shape_is_refused(upn):
    with pytest.raises(UPNError, match="A UPN is a letter, 11 digits"):
        validate_upn(upn)


def test_a_temporary_upn_ends_in_a_letter():
    body = "93521231800A"
    upn = check_letter(body) + body
    assert validate_upn(upn) == upn
    assert is_temporary(upn)
    # The final letter counts in the check: changing it changes the check letter.
    other = "93521231800B"
    assert check_letter(other) != check_letter(body)
    with pytest.raises(UPNError, match="check letter"):
        validate_upn(check_letter(body) + other)


@pytest.mark.parametrize("la_number", ["000", "999", "941", "123"])
def test_unknown_la_numbers_are_accepted(la_number):
    body = f"{la_number}212318001"
    assert validate_upn(check_letter(body) + body)


BODIES = st.builds(
    lambda digits, last: digits + last,
    st.text(alphabet="0123456789", min_size=11, max_size=11),
    st.sampled_from(list("0123456789") + list(CHECK_ALPHABET)),
)


@settings(max_examples=60, deadline=None)
@given(body=BODIES)
def test_any_body_with_its_computed_letter_is_valid(body):
    upn = check_letter(body) + body
    assert validate_upn(upn) == upn
    assert is_temporary(upn) == body[-1].isalpha()


@settings(max_examples=60, deadline=None)
@given(body=BODIES, position=st.integers(min_value=0, max_value=10), shift=st.integers(min_value=1, max_value=9))
def test_changing_any_single_digit_breaks_it(body, position, shift):
    upn = check_letter(body) + body
    digit = int(body[position])
    changed_body = body[:position] + str((digit + shift) % 10) + body[position + 1 :]
    # Weights run from 2 to 13 and 23 is prime, so one changed digit always changes the letter.
    with pytest.raises(UPNError, match="check letter"):
        validate_upn(upn[0] + changed_body)

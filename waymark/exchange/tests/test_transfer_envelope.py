"""The encrypted envelope: what the passphrase seals opens only with it, and one changed byte is noticed."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.exchange.transfer import envelope, passphrase
from waymark.exchange.transfer.envelope import HEADER, MAGIC, EnvelopeError, open_envelope, seal

SECRET = "correct-horse-battery-staple"
PLAINTEXT = b"PK\x03\x04 a zip would be here" * 50
SEALED = seal(PLAINTEXT, SECRET)


def refusal(data, secret=SECRET):
    with pytest.raises(EnvelopeError) as caught:
        open_envelope(data, secret)
    return caught.value


def test_what_is_sealed_opens_with_the_same_passphrase_and_looks_nothing_like_it():
    data = seal(PLAINTEXT, SECRET)
    assert data.startswith(b"WAYMARK-TRANSFER\x01")
    assert PLAINTEXT[:20] not in data
    assert open_envelope(data, SECRET) == PLAINTEXT


def test_two_seals_of_the_same_thing_differ():
    # A fresh salt and nonce each time: the same record sent twice is two different files.
    assert seal(PLAINTEXT, SECRET) != seal(PLAINTEXT, SECRET)


def test_the_header_names_scrypt_and_its_cost():
    data = seal(PLAINTEXT, SECRET)
    _magic, version, kdf, log2_n, r, p, salt, nonce = HEADER.unpack(data[: HEADER.size])
    assert (version, kdf, log2_n, r, p) == (1, 1, 15, 8, 1)
    assert len(salt) == 16 and len(nonce) == 12


def test_a_wrong_passphrase_and_a_changed_file_get_the_same_message():
    data = seal(PLAINTEXT, SECRET)
    wrong = refusal(data, "correct-horse-battery-stapler")
    changed = bytearray(data)
    changed[len(data) // 2] ^= 0x01
    tampered = refusal(bytes(changed))
    assert wrong.code == tampered.code == "wrong_or_changed"
    assert str(wrong.message) == str(tampered.message) == str(envelope.WRONG_OR_CHANGED)
    assert "passphrase is wrong or the file has been changed" in str(wrong.message)


@settings(max_examples=50, deadline=None)
@given(
    position=st.integers(min_value=len(MAGIC) + 1, max_value=HEADER.size + len(PLAINTEXT) + 15), bit=st.integers(0, 7)
)
def test_any_changed_byte_after_the_magic_is_refused(position, bit):
    data = bytearray(SEALED)
    data[position] ^= 1 << bit
    assert refusal(bytes(data)).code == "wrong_or_changed"


@pytest.mark.parametrize("keep", [0, 5, len(MAGIC) + 1, HEADER.size, HEADER.size + 10, len(SEALED) - 1])
def test_a_truncated_file_is_refused(keep):
    error = refusal(SEALED[:keep])
    assert error.code in ("not_a_package", "wrong_or_changed")


def test_something_else_is_not_a_package():
    assert refusal(b"%PDF-1.7 a report").code == "not_a_package"
    assert "not a Waymark transfer package" in str(refusal(b"").message)


def test_a_newer_envelope_says_so():
    data = bytearray(SEALED)
    data[len(MAGIC)] = 2
    error = refusal(bytes(data))
    assert error.code == "newer_envelope"
    assert "newer version of Waymark" in str(error.message)


def test_a_cost_outside_the_window_is_refused_before_any_key_is_derived(monkeypatch):
    derived = []
    monkeypatch.setattr(envelope, "_key", lambda *args: derived.append(args) or b"\x00" * 32)
    data = bytearray(SEALED)
    data[len(MAGIC) + 2] = 30  # 2**30: gigabytes of memory
    assert refusal(bytes(data)).code == "wrong_or_changed"
    assert derived == []


@pytest.mark.parametrize("value", ["", "short words", " " * 14])
def test_a_passphrase_needs_twelve_characters_that_are_not_all_spaces(value):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        passphrase.check(value)


def test_a_suggestion_is_four_random_words_from_the_list_and_long_enough():
    suggestions = {passphrase.suggestion() for _ in range(20)}
    assert len(suggestions) == 20
    for suggestion in suggestions:
        words = suggestion.split("-")
        assert len(words) == 4 and all(word in passphrase.WORDS for word in words)
        passphrase.check(suggestion)
    assert len(set(passphrase.WORDS)) == len(passphrase.WORDS) >= 500

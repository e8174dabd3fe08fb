"""Unique Pupil Numbers: the check letter only.

python-stdnum's ``gb.upn.validate`` also rejects LA numbers missing from its old list,
and real LA numbers change, so only the check-letter calculation is used here.
"""

import re

CHECK_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_SHAPE = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")


class UPNError(ValueError):
    pass


def _value(char):
    if char.isdigit():
        return int(char)
    # A temporary UPN ends in a letter, valued by its place in the check alphabet.
    return CHECK_ALPHABET.index(char)


def check_letter(body):
    """The check letter for the twelve characters after it."""
    total = sum(_value(char) * position for position, char in enumerate(body, start=2))
    return CHECK_ALPHABET[total % 23]


def normalise_upn(value):
    return (value or "").strip().upper().replace(" ", "")


def validate_upn(value):
    """Return the UPN in canonical form, or raise ``UPNError`` with a plain-English reason."""
    upn = normalise_upn(value)
    if len(upn) != 13:
        raise UPNError(f"A UPN has 13 characters; this one has {len(upn)}.")
    if not UPN_SHAPE.match(upn) or (upn[12].isalpha() and upn[12] not in CHECK_ALPHABET):
        raise UPNError("A UPN is a letter, 11 digits, then a digit or (for a temporary UPN) a letter.")
    if upn[0] != check_letter(upn[1:]):
        raise UPNError("The check letter does not match the rest of this UPN. Check it has been typed correctly.")
    return upn


def is_temporary(upn):
    return bool(upn) and upn[-1].isalpha()

"""Fixtures the exchange tests share."""

import pytest

from .ctf_helpers import numbered_as_in_files


@pytest.fixture
def ctf_school(cast):
    """School A, numbered as the sample CTF files address it."""
    return numbered_as_in_files(cast.school)


@pytest.fixture
def senco(cast, client_for):
    """A client signed in as School A's SENCO."""
    return client_for(cast.senco)

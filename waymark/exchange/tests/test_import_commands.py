"""What the import commands share (``exchange.commands``): the school found by its URN, the file read
under the import limit, and a refusal that exits non-zero with the reasons, for either command.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test.utils import override_settings

from .ctf_helpers import FILES as CTF_FILES
from .roster_files import FILES as ROSTER_FILES

COMMANDS = [("import_roster", ROSTER_FILES / "sims.csv"), ("import_ctf", CTF_FILES / "dfe_several_pupils.xml")]


@pytest.mark.parametrize(("command", "path"), COMMANDS)
@pytest.mark.parametrize("urn", ["", "   "])
def test_an_empty_school_is_refused_rather_than_matching_a_school_with_no_urn(cast, command, path, urn):
    with pytest.raises(CommandError, match="--school needs the URN"):
        call_command(command, str(path), "--school", urn)


@pytest.mark.parametrize(("command", "path"), COMMANDS)
def test_each_command_refuses_the_same_way(cast, tmp_path, command, path):
    with pytest.raises(CommandError, match="No school has the URN 999999"):
        call_command(command, str(path), "--school", "999999")
    with pytest.raises(CommandError, match="There is no file at"):
        call_command(command, str(tmp_path / "nothing"), "--school", cast.school.urn)
    with override_settings(WAYMARK_IMPORT_MAX_BYTES=100), pytest.raises(CommandError) as refused:
        call_command(command, str(path), "--school", cast.school.urn)
    assert "larger than 100 bytes, the most an import file may be (WAYMARK_IMPORT_MAX_BYTES)" in str(refused.value)

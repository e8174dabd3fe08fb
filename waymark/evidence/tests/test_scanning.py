"""Choosing a virus scanner from the settings, and what each of its answers means. ClamAV need not be installed."""

import subprocess
import sys
import textwrap

import pytest
from django.core.exceptions import ImproperlyConfigured

from waymark.evidence import scanning
from waymark.evidence.models import Document
from waymark.evidence.scanning import (
    CLEAN,
    INFECTED,
    NOT_SCANNED,
    UNAVAILABLE,
    ClamAVScanner,
    NoScanner,
    ScanResult,
    UnavailableScanner,
    get_scanner,
    scan_or_refuse,
)
from waymark.evidence.uploads import UploadRefused

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeScanner:
    """Answers what it is told to, and remembers what it was given."""

    configured = True
    answer = CLEAN
    seen = []

    def scan(self, content):
        FakeScanner.seen.append(content)
        return ScanResult(self.answer)


def which_finds(*commands):
    return lambda name: f"/usr/bin/{name}" if name in commands else None


# ----- choosing -----


@pytest.mark.parametrize(
    ("setting", "installed", "expected"),
    [
        ("auto", (), NoScanner),
        ("auto", ("clamdscan",), ClamAVScanner),
        ("auto", ("clamscan",), ClamAVScanner),
        ("none", ("clamdscan",), NoScanner),
        ("clamd", ("clamdscan",), ClamAVScanner),
        ("clamd", (), UnavailableScanner),
    ],
)
def test_the_setting_chooses_the_scanner(settings, monkeypatch, setting, installed, expected):
    settings.WAYMARK_VIRUS_SCANNER = setting
    monkeypatch.setattr(scanning.shutil, "which", which_finds(*installed))
    assert type(get_scanner()) is expected


def test_clamdscan_is_preferred_to_clamscan(settings, monkeypatch):
    settings.WAYMARK_VIRUS_SCANNER = "auto"
    monkeypatch.setattr(scanning.shutil, "which", which_finds("clamscan", "clamdscan"))
    assert get_scanner().command == "/usr/bin/clamdscan"


def test_a_scanner_can_be_named_by_its_dotted_path(settings):
    settings.WAYMARK_VIRUS_SCANNER = f"{__name__}.FakeScanner"
    assert isinstance(get_scanner(), FakeScanner)


def test_an_unknown_setting_fails_loudly(settings):
    settings.WAYMARK_VIRUS_SCANNER = "sometimes"
    with pytest.raises(ImproperlyConfigured):
        get_scanner()


def test_only_no_scanner_says_it_is_not_configured():
    assert NoScanner.configured is False
    assert ClamAVScanner.configured is True and UnavailableScanner.configured is True


# ----- what the answers mean -----


def test_clean_and_not_scanned_are_kept_and_recorded():
    FakeScanner.answer = CLEAN
    assert scan_or_refuse(b"data", FakeScanner()) == Document.Scan.CLEAN
    assert scan_or_refuse(b"data", NoScanner()) == Document.Scan.NOT_SCANNED


def test_an_infected_file_is_refused():
    FakeScanner.answer = INFECTED
    with pytest.raises(UploadRefused) as caught:
        scan_or_refuse(EICAR, FakeScanner())
    assert caught.value.code == "virus"
    assert caught.value.message == "This file contains a virus and has not been added."


@pytest.mark.parametrize("scanner", [UnavailableScanner(), "fake-unavailable"])
def test_a_scanner_that_cannot_answer_refuses_the_file(scanner):
    if scanner == "fake-unavailable":
        FakeScanner.answer = UNAVAILABLE
        scanner = FakeScanner()
    with pytest.raises(UploadRefused) as caught:
        scan_or_refuse(b"data", scanner)
    assert caught.value.code == "scanner_unavailable"
    assert caught.value.message == "The virus checker is not available. Try again later."


def test_no_scanner_answers_not_scanned():
    assert NoScanner().scan(b"x").status == NOT_SCANNED


# ----- running ClamAV's client: a stand-in script with the same exit codes -----


@pytest.fixture
def fake_clamav(tmp_path):
    """A stand-in for ``clamdscan``: exit 1 if the bytes on stdin hold EICAR, 2 if they say so, else 0."""
    script = tmp_path / "fake-clamdscan"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import sys
            assert sys.argv[1:] == ["--no-summary", "-"], sys.argv
            data = sys.stdin.buffer.read()
            if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in data:
                print("stream: Eicar-Test-Signature FOUND")
                sys.exit(1)
            if b"break" in data:
                sys.exit(2)
            sys.exit(0)
            """
        )
    )
    script.chmod(0o755)
    return ClamAVScanner(str(script))


def test_clamav_exit_codes_mean_clean_infected_or_unavailable(fake_clamav):
    assert fake_clamav.scan(b"%PDF-1.7 a clean report").status == CLEAN
    infected = fake_clamav.scan(b"%PDF-1.7 " + EICAR)
    assert infected.status == INFECTED
    assert "Eicar" in infected.detail
    assert fake_clamav.scan(b"please break").status == UNAVAILABLE


def test_clamav_missing_or_too_slow_is_unavailable(monkeypatch):
    assert ClamAVScanner("/nonexistent/clamdscan").scan(b"x").status == UNAVAILABLE

    def too_slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(cmd=args[0], timeout=kwargs["timeout"])

    monkeypatch.setattr(scanning.subprocess, "run", too_slow)
    assert ClamAVScanner("/usr/bin/clamdscan").scan(b"x").status == UNAVAILABLE


def test_clamav_is_run_without_a_shell_and_with_a_timeout(monkeypatch):
    calls = []

    def run(command, **kwargs):
        calls.append((command, kwargs))
        return subprocess.CompletedProcess(command, 0, b"", b"")

    monkeypatch.setattr(scanning.subprocess, "run", run)
    ClamAVScanner("/usr/bin/clamdscan").scan(b"bytes")
    command, kwargs = calls[0]
    assert command == ["/usr/bin/clamdscan", "--no-summary", "-"]
    assert kwargs["input"] == b"bytes"
    assert kwargs["timeout"] > 0
    assert not kwargs.get("shell")

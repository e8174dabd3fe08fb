"""Virus checking for uploads, chosen by ``settings.WAYMARK_VIRUS_SCANNER``.

- ``"auto"`` (the default): ClamAV's ``clamdscan`` (or else ``clamscan``) where it is
  installed; otherwise no scanner, and the upload page says so plainly;
- ``"none"``: no scanner;
- ``"clamd"``: ClamAV must be there: without it every upload is refused as "not available"
  rather than kept unchecked;
- a dotted path to a class (``"myschool.scanners.Scanner"``) for any other scanner: it is
  built with no arguments and needs ``configured`` and ``scan(content) -> ScanResult``.

A scanner never decides on its own what is kept: ``scan_or_refuse`` turns its answer into
``Document.scan`` or an ``UploadRefused``.
"""

import shutil
import subprocess
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Document
from .uploads import UploadRefused

CLEAN = "clean"
INFECTED = "infected"
UNAVAILABLE = "unavailable"
NOT_SCANNED = "not_scanned"

CLAMAV_COMMANDS = ("clamdscan", "clamscan")
CLAMAV_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class ScanResult:
    status: str
    detail: str = ""


class NoScanner:
    """Nothing checks files: uploads are kept and marked "not checked"."""

    configured = False

    def scan(self, content):
        return ScanResult(NOT_SCANNED)


class UnavailableScanner:
    """A scanner was asked for (``"clamd"``) but none is installed: refuse rather than keep files unchecked."""

    configured = True

    def scan(self, content):
        return ScanResult(UNAVAILABLE, "ClamAV is not installed")


class ClamAVScanner:
    """ClamAV's command-line client, fed the file on standard input: exit 0 clean, 1 infected, else an error."""

    configured = True

    def __init__(self, command, *, timeout=CLAMAV_TIMEOUT_SECONDS):
        self.command = command
        self.timeout = timeout

    def scan(self, content):
        try:
            finished = subprocess.run(  # noqa: S603 - an argument list from shutil.which, no shell
                [self.command, "--no-summary", "-"],
                input=content,
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as error:
            return ScanResult(UNAVAILABLE, type(error).__name__)
        if finished.returncode == 0:
            return ScanResult(CLEAN)
        if finished.returncode == 1:
            # The signature's name, for the audit trail; never the file.
            return ScanResult(INFECTED, finished.stdout.decode(errors="replace").strip()[:200])
        return ScanResult(UNAVAILABLE, f"exit {finished.returncode}")


def _clamav():
    for command in CLAMAV_COMMANDS:
        path = shutil.which(command)
        if path:
            return ClamAVScanner(path)
    return None


def get_scanner():
    """The scanner the settings choose (see the module's docstring)."""
    choice = settings.WAYMARK_VIRUS_SCANNER
    if choice == "none":
        return NoScanner()
    if choice == "auto":
        return _clamav() or NoScanner()
    if choice == "clamd":
        return _clamav() or UnavailableScanner()
    if "." in choice:
        return import_string(choice)()
    raise ImproperlyConfigured('WAYMARK_VIRUS_SCANNER must be "auto", "none", "clamd" or a dotted path to a scanner.')


def scan_or_refuse(content, scanner=None):
    """``Document.Scan.CLEAN`` or ``NOT_SCANNED``; an infected file or a failed scanner raises ``UploadRefused``."""
    result = (scanner or get_scanner()).scan(content)
    if result.status == CLEAN:
        return Document.Scan.CLEAN
    if result.status == NOT_SCANNED:
        return Document.Scan.NOT_SCANNED
    if result.status == INFECTED:
        raise UploadRefused("virus", _("This file contains a virus and has not been added."))
    raise UploadRefused("scanner_unavailable", _("The virus checker is not available. Try again later."))

"""Reading the PDFs the app makes, for tests: the words, the inflated objects, and poppler's reports."""

import re
import shutil
import subprocess
import zlib

import pytest

POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo") and shutil.which("pdffonts")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdfinfo, pdffonts) is not installed")


def run(*args, data):
    """A poppler command's output, fed the PDF on standard input."""
    # Fixed poppler commands; only the PDF bytes come from the test.
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode()  # noqa: S603


def pdf_text(data):
    """The PDF's words in content order, spaces collapsed."""
    return " ".join(run("pdftotext", "-raw", "-", "-", data=data).split())


def pdf_objects(data):
    """The PDF with every Flate stream inflated, so object streams can be searched too."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)

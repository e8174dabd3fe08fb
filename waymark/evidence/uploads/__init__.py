"""Checking an uploaded file before it is kept: decided from its content, never from its name or the browser's claim.

Four kinds are accepted (``kinds``): PDF, Word (.docx), JPEG and PNG. ``check_upload`` reads
the file once, guesses its kind from its first bytes (the ``filetype`` library), then checks its
structure: PDFs (``pdf``) must hold no scripts, launch actions, forms with scripts or attachments, and
be in a form this check can read (not encrypted, no stream wrapped in a filter it does not
unpack); Word files (``word``) must be plain .docx packages (no macros, no old binary .doc, no embedded
objects or controls, nothing fetched from elsewhere when opened, no zip bombs or odd paths); photos
(``images``) are opened with Pillow and encoded again, which drops EXIF (and with it GPS location) and
every other kind of metadata. The name's extension must agree with the content.

A refusal raises ``UploadRefused`` with a reason code (kept in the audit trail) and a
message in plain English (shown to the person).
"""

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from .images import check_image
from .kinds import DOCX, EXTENSIONS, JPEG, KIND_NAMES, MACRO_EXTENSIONS, NAME_EXTENSIONS, PDF, PNG, UploadRefused
from .pdf import check_pdf
from .word import check_docx, sniff_zip

# What the rest of the project uses; ``kinds``, ``pdf``, ``word`` and ``images`` are details behind it.
__all__ = [
    "NAME_EXTENSIONS",
    "CheckedUpload",
    "UploadRefused",
    "check_upload",
    "extension_of",
    "max_upload_bytes",
    "sanitise_name",
    "size_label",
    "too_large_message",
]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Office files (.doc, .xls), and password-locked ones


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed every check. ``content`` is what is kept (photos re-encoded); ``received`` as sent."""

    content: bytes
    received: bytes
    content_type: str
    original_name: str

    @property
    def extension(self):
        return EXTENSIONS[self.content_type]

    @property
    def size(self):
        return len(self.content)

    @property
    def sha256(self):
        return hashlib.sha256(self.content).hexdigest()


def max_upload_bytes():
    return settings.WAYMARK_UPLOAD_MAX_BYTES


def size_label(size):
    """10485760 -> "10 MB", 1536 -> "1.5 KB": a size as people write it, with no needless ".0"."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return _("%(count)d bytes") % {"count": size}


def too_large_message(limit=None):
    """ "The file must be smaller than 10 MB." for the configured limit."""
    limit = max_upload_bytes() if limit is None else limit
    return _("The file must be smaller than %(limit)s.") % {"limit": size_label(limit)}


def check_upload(upload):
    """Read ``upload`` (a Django ``UploadedFile``) and return a ``CheckedUpload``, or raise ``UploadRefused``."""
    name_extension = extension_of(upload.name or "")
    if name_extension in MACRO_EXTENSIONS:
        raise UploadRefused("macros")
    data = read_limited(upload)
    if not data:
        raise UploadRefused("empty")
    content_type = sniff(data)
    claimed = NAME_EXTENSIONS.get(name_extension)
    if claimed is not None and content_type != claimed:
        raise UploadRefused(
            "not_matching",
            _("The file is not %(kind)s, though its name ends in .%(extension)s.")
            % {"kind": KIND_NAMES[claimed], "extension": name_extension},
        )
    if content_type is None or (name_extension and claimed is None):
        raise UploadRefused("unknown_type")
    content = CHECKS[content_type](data, content_type)
    return CheckedUpload(
        content=content,
        received=data,
        content_type=content_type,
        original_name=sanitise_name(upload.name or "", EXTENSIONS[content_type]),
    )


def read_limited(upload):
    """The whole file, refusing (before reading it all) one over the size limit."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise UploadRefused("too_large", too_large_message(limit))
    upload.seek(0)
    buffer = io.BytesIO()
    for chunk in upload.chunks():
        buffer.write(chunk)
        # The size an upload declares is the browser's word; count what arrives.
        if buffer.tell() > limit:
            raise UploadRefused("too_large", too_large_message(limit))
    return buffer.getvalue()


def extension_of(name):
    base = re.split(r"[\\/]", name)[-1]
    if "." not in base.strip("."):
        return ""
    return base.rsplit(".", 1)[-1].strip().lower()


def sniff(data):
    """The content type from the first bytes and the structure, or ``None`` for anything else.

    Old binary Office files and zips that carry macros are refused here, whatever they
    claim to be, so a macro file never gets the "not a Word document" message.
    """
    if data.startswith(OLE_MAGIC):
        raise UploadRefused("macros")
    if data.startswith(b"PK\x03\x04"):
        return sniff_zip(data)
    if data.startswith(b"%PDF-"):
        return PDF
    guess = filetype.guess(data)
    if guess is None:
        return None
    if guess.mime == JPEG:
        return JPEG
    if guess.mime in (PNG, "image/apng"):
        return PNG
    return None


CHECKS = {PDF: check_pdf, DOCX: check_docx, JPEG: check_image, PNG: check_image}

# Characters never kept in a file name: path separators, quotes and what Windows forbids.
UNSAFE_NAME_CHARACTERS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def sanitise_name(name, extension):
    """A file name safe to offer back as a download: no path, no control characters, the right extension."""
    base = unicodedata.normalize("NFKC", re.split(r"[\\/]", name)[-1])
    base = "".join(char for char in base if unicodedata.category(char)[0] != "C")
    base = UNSAFE_NAME_CHARACTERS.sub("_", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if extension_of(base) else base
    stem = stem.strip(" ._")[:150] or "document"
    current = extension_of(base)
    if NAME_EXTENSIONS.get(current) and EXTENSIONS[NAME_EXTENSIONS[current]] == extension:
        extension = current  # keep "photo.jpeg" as the person named it
    return f"{stem}.{extension}"

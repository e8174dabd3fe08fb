"""Reading a transfer package someone sent us: untrusted input, checked before anything uses it.

In order, each step refusing with a plain-English message (``PackageRefused``):

1. the file's size, before it is read (``WAYMARK_TRANSFER_MAX_BYTES``);
2. the envelope: the passphrase opens it and not one byte has changed (``envelope``);
3. the ZIP: a few hundred members at most; every name one the format allows (no folders
   of its own, no absolute paths, "..", backslashes, drive letters or links); no name twice;
   stored or deflated only; no member, and not the whole, larger than the caps; nothing
   that unpacks to much more than it packs (a zip bomb); sizes counted as the bytes come
   out, not taken from the ZIP's own headers;
4. the manifest: it lists every other member, with the right SHA-256 and size;
5. the document: UTF-8 JSON under a size cap, nested no deeper than ``MAX_DEPTH``, no key
   twice, no NaN; a format version this reader knows (major 1); valid against the
   published schema, with the first problems shown by their JSON path;
6. the files the document names are the files the package holds, and no others.

Being authenticated (GCM) proves the file is the one the sender sealed, not that the
sender is honest: every limit applies to a correctly sealed package too.
"""

import hashlib
import io
import json
import stat
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.evidence.uploads import size_label

from .envelope import EnvelopeError, open_envelope
from .format import (
    DOCUMENT_MEMBER,
    FILE_FOLDER,
    FIXED_MEMBERS,
    MAJOR_VERSION,
    MANIFEST_MEMBER,
    PDF_FOLDER,
    is_allowed_member,
    major_of,
)
from .schema_errors import schema_problems

MAX_MEMBERS = 1200
MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_DEPTH = 100
# A member may unpack to at most this many times its packed size, once it is over RATIO_FROM bytes.
MAX_RATIO = 100
RATIO_FROM = 1024 * 1024
CHUNK = 64 * 1024


def max_package_bytes():
    return settings.WAYMARK_TRANSFER_MAX_BYTES


def max_member_bytes():
    return max_package_bytes()


def max_unpacked_bytes():
    return 2 * max_package_bytes()


class PackageRefused(Exception):
    """The package cannot be used. ``code`` for the audit trail, ``messages`` for the person."""

    def __init__(self, code, *messages):
        super().__init__(code)
        self.code = code
        self.messages = [str(message) for message in messages]


@dataclass
class OpenedPackage:
    """A package that passed every check: its document, its files by member name, and the file's SHA-256."""

    document: dict
    files: dict = field(default_factory=dict)
    sha256: str = ""
    size: int = 0

    @property
    def major_version(self):
        return major_of(self.document["package_version"])


def too_large_message(size=None):
    limit = size_label(max_package_bytes())
    if size is None:
        return _("The file is larger than %(limit)s, the most a transfer package may be.") % {"limit": limit}
    return _("The file is %(size)s. A transfer package must be %(limit)s or smaller.") % {
        "size": size_label(size),
        "limit": limit,
    }


def read_package(data, passphrase):
    """``data`` (the .waymark file's bytes) opened and checked; ``PackageRefused`` otherwise."""
    if len(data) > max_package_bytes():
        raise PackageRefused("too_large", too_large_message(len(data)))
    if not data:
        raise PackageRefused("empty", _("The file is empty."))
    try:
        archive_bytes = open_envelope(data, passphrase)
    except EnvelopeError as error:
        raise PackageRefused(error.code, error.message) from None
    members = _unpack(archive_bytes)
    _check_manifest(members)
    document = _document(members[DOCUMENT_MEMBER])
    files = {name: content for name, content in members.items() if name not in FIXED_MEMBERS}
    _check_files(document, files)
    return OpenedPackage(document=document, files=files, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


# ----- the ZIP -----


def _member_problem(info):
    """Why a member may not be in a package, or ``None``."""
    names = {info.filename, info.orig_filename}
    for name in names:
        if not name or name.startswith("/") or "\\" in name or ":" in name or "\x00" in name:
            return "bad_name"
        if any(part in ("", ".", "..") for part in name.split("/")):
            return "bad_name"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "link"
    if info.is_dir() or not is_allowed_member(info.filename):
        return "unexpected"
    if info.flag_bits & 0x1:
        return "encrypted_member"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return "compression"
    return None


MEMBER_MESSAGES = {
    "bad_name": gettext_lazy("The package holds a file whose name points outside the package. It has been refused."),
    "link": gettext_lazy("The package holds a link to another file. It has been refused."),
    "unexpected": gettext_lazy(
        "The package holds a file that does not belong in a transfer package. It has been refused."
    ),
    "encrypted_member": gettext_lazy("The package holds a separately locked file. It has been refused."),
    "compression": gettext_lazy(
        "The package holds a file packed in a way this Waymark does not read. It has been refused."
    ),
    "duplicate": gettext_lazy("The package holds two files with the same name. It has been refused."),
    "bomb": gettext_lazy(
        "The package unpacks to far more than its size (it may be a ‘zip bomb’). It has been refused."
    ),
    "too_many": gettext_lazy("The package holds too many files. It has been refused."),
    "not_zip": gettext_lazy("The package is damaged: its contents cannot be read. Ask the school to send it again."),
}


def _refuse(code):
    raise PackageRefused(code, MEMBER_MESSAGES[code])


def _unpack(archive_bytes):
    """Every member's bytes by name, after the checks on names, counts, sizes and ratios."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(archive_bytes))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        _refuse("not_zip")
    if len(infos) > MAX_MEMBERS:
        _refuse("too_many")
    seen = set()
    declared = 0
    for info in infos:
        problem = _member_problem(info)
        if problem:
            _refuse(problem)
        if info.filename in seen:
            _refuse("duplicate")
        seen.add(info.filename)
        declared += info.file_size
        if info.file_size > max_member_bytes() or declared > max_unpacked_bytes():
            _refuse("bomb")
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            _refuse("bomb")
    members, total = {}, 0
    for info in infos:
        content = _read_member(archive, info, max_unpacked_bytes() - total)
        total += len(content)
        members[info.filename] = content
    return members


def _read_member(archive, info, budget):
    """A member's bytes, counted as they come out: never more than it declared, nor than ``budget``."""
    limit = min(info.file_size, budget, max_member_bytes())
    buffer = io.BytesIO()
    try:
        with archive.open(info) as handle:
            while True:
                chunk = handle.read(CHUNK)
                if not chunk:
                    break
                buffer.write(chunk)
                if buffer.tell() > limit:
                    _refuse("bomb")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        _refuse("not_zip")
    return buffer.getvalue()


# ----- the manifest and the document -----


def _json(content, limit, what):
    if len(content) > limit:
        raise PackageRefused("json_too_large", _("%(what)s in the package is too large.") % {"what": what})

    def no_constants(name):
        raise ValueError(name)

    def no_repeats(pairs):
        keys = [key for key, _value in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("repeated key")
        return dict(pairs)

    try:
        value = json.loads(content.decode("utf-8"), parse_constant=no_constants, object_pairs_hook=no_repeats)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise PackageRefused(
            "not_json",
            _("%(what)s in the package is not valid JSON. Ask the school to send it again.") % {"what": what},
        ) from None
    if _depth(value) > MAX_DEPTH:
        raise PackageRefused("too_deep", _("%(what)s in the package is nested too deeply.") % {"what": what})
    return value


def _depth(value):
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def _check_manifest(members):
    for name in FIXED_MEMBERS:
        if name not in members:
            raise PackageRefused(
                "incomplete",
                _("The package is incomplete: %(name)s is missing. Ask the school to send it again.") % {"name": name},
            )
    manifest = _json(members[MANIFEST_MEMBER], MAX_MANIFEST_BYTES, MANIFEST_MEMBER)
    listed = manifest.get("files") if isinstance(manifest, dict) else None
    changed = PackageRefused(
        "manifest", _("The package’s contents do not match its list of contents. Ask the school to send it again.")
    )
    if not isinstance(listed, list):
        raise changed
    expected = {}
    for entry in listed:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or entry["name"] in expected:
            raise changed
        expected[entry["name"]] = entry
    if set(expected) != set(members) - {MANIFEST_MEMBER}:
        raise changed
    for name, entry in expected.items():
        content = members[name]
        if entry.get("size") != len(content) or entry.get("sha256") != hashlib.sha256(content).hexdigest():
            raise changed


def _document(content):
    document = _json(content, MAX_JSON_BYTES, DOCUMENT_MEMBER)
    if not isinstance(document, dict):
        raise PackageRefused("schema", _("package.json does not hold a transfer document."))
    version = document.get("package_version")
    major = major_of(version)
    if major is None:
        raise PackageRefused(
            "no_version",
            _("The package does not say which version of the transfer format it uses, so it cannot be read."),
        )
    if major != MAJOR_VERSION:
        raise PackageRefused(
            "unknown_version",
            _(
                "The package uses version %(version)s of the transfer format, and this Waymark reads "
                "version %(major)d. Ask the school that sent it for a version %(major)d package, or ask "
                "your administrator to update Waymark."
            )
            % {"version": version, "major": MAJOR_VERSION},
        )
    problems = schema_problems(document)
    if problems:
        raise PackageRefused(
            "schema", _("The package’s contents do not follow the published transfer format:"), *problems
        )
    return document


def _check_files(document, files):
    """The PDFs and documents the document names are exactly the files in the package."""
    named = [version["pdf"] for version in document["plan_versions"] if version.get("pdf")]
    expected = {}
    for entry in document["documents"]:
        named.append(entry["file"])
        expected[entry["file"]] = (entry["sha256"], entry["size"])
    mismatch = PackageRefused(
        "files",
        _("The files in the package do not match the files its document lists. Ask the school to send it again."),
    )
    if len(named) != len(set(named)) or set(named) != set(files):
        raise mismatch
    for name, (sha256, size) in expected.items():
        if hashlib.sha256(files[name]).hexdigest() != sha256 or len(files[name]) != size:
            raise mismatch
    for name in files:
        if not (name.startswith(PDF_FOLDER) or name.startswith(FILE_FOLDER)):
            raise mismatch
    return files

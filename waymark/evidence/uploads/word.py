"""Word checks: a plain .docx package, with no macros, embedded objects or content fetched from elsewhere."""

import io
import zipfile
import zlib

from lxml import etree

from .kinds import DOCX, UploadRefused

# A .docx is a zip: these stop one from unpacking into something enormous.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
ZIP_MAX_RATIO = 200  # a part may unpack to at most this many times its packed size…
ZIP_RATIO_FROM_BYTES = 1024 * 1024  # …once it is bigger than this (small parts compress well legitimately)
ZIP_MAX_PART_READ = 2 * 1024 * 1024  # the few parts read to check the package

# Relationships in a Word package that make Word load or run something when it opens: embedded
# OLE objects and ActiveX controls (which can carry programs) and imported chunks of HTML or RTF.
DOCX_ACTIVE_RELATIONSHIPS = ("/oleobject", "/control", "/activexcontrolbinary", "/afchunk")
# The one kind of outside target a report needs: a link someone clicks. Anything else External
# is fetched when the file opens (a template, a frame, an OLE object as in CVE-2022-30190, a
# picture from a network share that hands over the reader's Windows password hash).
DOCX_EXTERNAL_ALLOWED = ("/hyperlink",)
# Relationship parts are small XML: read without entities, DTDs or the network.
RELS_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _open_zip(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise UploadRefused("damaged") from None
    entries = archive.infolist()
    if len(entries) > ZIP_MAX_ENTRIES:
        raise UploadRefused("unpacks_too_large")
    names = set()
    total = 0
    for entry in entries:
        name = entry.filename
        # Paths that climb out of the package, absolute paths, drive letters and repeated
        # names are how archive tricks work; a real Word file has none of them.
        if (
            name.startswith(("/", "\\"))
            or "\\" in name
            or ":" in name
            or "\x00" in name
            or ".." in name.split("/")
            or name.lower() in names
        ):
            raise UploadRefused("damaged")
        names.add(name.lower())
        if entry.flag_bits & 0x1:  # an encrypted part cannot be checked
            raise UploadRefused("damaged")
        total += entry.file_size
        if total > ZIP_MAX_UNPACKED_BYTES:
            raise UploadRefused("unpacks_too_large")
        if entry.file_size > ZIP_RATIO_FROM_BYTES and entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1):
            raise UploadRefused("unpacks_too_large")
    return archive, names


def _read_part(archive, name):
    try:
        with archive.open(name) as part:
            data = part.read(ZIP_MAX_PART_READ + 1)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, NotImplementedError):
        raise UploadRefused("damaged") from None
    if len(data) > ZIP_MAX_PART_READ:
        raise UploadRefused("unpacks_too_large")
    return data


def sniff_zip(data):
    """``DOCX`` for a Word package that passes every check here, ``None`` for any other zip.

    A package with macros, embedded objects or controls, outside content fetched on opening,
    or archive tricks raises ``UploadRefused``.
    """
    archive, names = _open_zip(data)
    with archive:
        if any(name.rsplit("/", 1)[-1] in ("vbaproject.bin", "vbadata.xml") for name in names):
            raise UploadRefused("macros")
        if "[content_types].xml" not in names:
            return None
        real_name = next(info.filename for info in archive.infolist() if info.filename.lower() == "[content_types].xml")
        content_types = _read_part(archive, real_name).lower()
        if b"macroenabled" in content_types or b"vbaproject" in content_types:
            raise UploadRefused("macros")
        if "word/document.xml" not in names:
            return None
        if b"wordprocessingml.document.main+xml" not in content_types:
            return None
        # A document that fetches a template from elsewhere when opened can pull macros in with it.
        if "word/_rels/settings.xml.rels" in names:
            rels = _read_part(archive, "word/_rels/settings.xml.rels").lower()
            if b"attachedtemplate" in rels and b'targetmode="external"' in rels:
                raise UploadRefused("macros")
        for info in archive.infolist():
            if info.filename.lower().endswith(".rels"):
                _check_relationships(_read_part(archive, info.filename))
    return DOCX


def _check_relationships(data):
    """Refuse a relationships part that embeds an object or control, or fetches anything but a link."""
    try:
        root = etree.fromstring(data, RELS_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        raise UploadRefused("damaged") from None
    if root.getroottree().docinfo.doctype:
        raise UploadRefused("damaged")  # Word refuses a DTD in a package, and entities could hide a value
    for element in root.iter():
        if not isinstance(element.tag, str) or etree.QName(element).localname != "Relationship":
            continue
        kind = (element.get("Type") or "").strip().lower()
        if kind.endswith(DOCX_ACTIVE_RELATIONSHIPS):
            raise UploadRefused("docx_active_content")
        if (element.get("TargetMode") or "").strip().lower() == "external" and not kind.endswith(DOCX_EXTERNAL_ALLOWED):
            raise UploadRefused("docx_active_content")


def check_docx(data, content_type=DOCX):
    # ``sniff_zip`` has already checked the package, its parts and its paths while sniffing it.
    return data

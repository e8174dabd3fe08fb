"""Checking an uploaded file before it is kept: decided from its content, never from its name or the browser's claim.

Four kinds are accepted: PDF, Word (.docx), JPEG and PNG. ``check_upload`` reads the file
once, guesses its kind from its first bytes (the ``filetype`` library), then checks its
structure: PDFs must hold no scripts, launch actions, forms with scripts or attachments, and
be in a form this check can read (not encrypted, no stream wrapped in a filter it does not
unpack); Word files must be plain .docx packages (no macros, no old binary .doc, no embedded
objects or controls, nothing fetched from elsewhere when opened, no zip bombs or odd paths); photos
are opened with Pillow and encoded again, which drops EXIF (and with it GPS location) and
every other kind of metadata. The name's extension must agree with the content.

A refusal raises ``UploadRefused`` with a reason code (kept in the audit trail) and a
message in plain English (shown to the person).
"""

import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree
from PIL import Image, ImageOps, UnidentifiedImageError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
JPEG = "image/jpeg"
PNG = "image/png"

# The extension each kind is stored under, and the extensions a name may end in for it.
EXTENSIONS = {PDF: "pdf", DOCX: "docx", JPEG: "jpg", PNG: "png"}
NAME_EXTENSIONS = {"pdf": PDF, "docx": DOCX, "jpg": JPEG, "jpeg": JPEG, "png": PNG}
KIND_NAMES = {PDF: "a PDF", DOCX: "a Word document", JPEG: "a JPEG", PNG: "a PNG"}
# Office files that may carry macros, whatever is inside them.
MACRO_EXTENSIONS = {"docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppsm", "ppam", "sldm"}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Office files (.doc, .xls), and password-locked ones

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

# PDF streams unpacked to look for hidden scripts, in total.
PDF_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# A name ends at a delimiter (or the end of the data).
_PDF_NAME_END = rb"(?=[\s/<>\[\]()%{}]|$)"
# Names that make a PDF run something or carry another file: scripts (also inside an XFA form),
# launch actions, embedded files (an attachment's /EF, whether or not it says /EmbeddedFile),
# file attachment annotations and embedded media.
PDF_ACTIVE_NAMES = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|EF|FileAttachment|XFA|RichMedia)" + _PDF_NAME_END
)
# An encrypted PDF (even one that opens without a password) hides its streams from this check;
# so do the filters below, which a reader unpacks but this check does not. Both are refused.
PDF_ENCRYPTED = re.compile(rb"/Encrypt" + _PDF_NAME_END)
PDF_UNCHECKED_FILTERS = re.compile(
    rb"/(?:ASCIIHexDecode|ASCII85Decode|LZWDecode|RunLengthDecode|Crypt|AHx|A85|LZW|RL)" + _PDF_NAME_END
)
# A reader starts a stream's data after the end of the line "stream" is on, whatever ends it.
PDF_STREAM_START = re.compile(rb"(?<!end)stream[^\r\n]*(?:\r\n|\r|\n)")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

# Photos: refuse before decoding anything that would take a great deal of memory.
IMAGE_MAX_PIXELS = 50_000_000

MESSAGES = {
    "empty": "The selected file is empty.",
    "unknown_type": "Add a PDF, Word (.docx), JPEG or PNG file.",
    "macros": "Files with macros cannot be added. Save it as a .docx or PDF and try again.",
    "pdf_active_content": "PDFs with scripts or attachments cannot be added.",
    "pdf_unchecked": "This PDF is protected or saved in a way that cannot be checked. "
    "Save or print it as a new PDF, without a password, and try again.",
    "docx_active_content": "Word documents with embedded objects, or content that opens from elsewhere, "
    "cannot be added. Save it as a PDF and try again.",
    "damaged": "The file could not be read. It may be damaged: open it, save it again and try again.",
    "unpacks_too_large": "The file is too large when unpacked. Save it again as a .docx or PDF and try again.",
    "image_too_large": "The picture is too big to add. Make it smaller and try again.",
}


class UploadRefused(Exception):
    """A file that may not be kept: ``code`` for the audit trail, ``message`` for the person."""

    def __init__(self, code, message=None):
        self.code = code
        self.message = message or _(MESSAGES[code])
        super().__init__(self.message)


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
        return _sniff_zip(data)
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


def _sniff_zip(data):
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


def check_pdf(data, content_type=PDF):
    """A PDF with no scripts, launch actions, attachments or embedded media, also inside compressed streams.

    Flate streams are unpacked and looked in too. What this check cannot read is refused rather
    than kept unchecked: an encrypted PDF (it may open without a password, its streams unreadable
    here), and streams wrapped in the other filters (a script in a hex-encoded object stream, say).
    """
    _check_pdf_names(data)
    budget = PDF_MAX_UNPACKED_BYTES
    # Every "stream" is tried, even one inside another's compressed data, since a reader finds
    # objects by their offsets; what is fed to zlib in all is capped, so overlapping streams
    # built to be unpacked again and again cannot make the check slow.
    feed = [2 * len(data) + PDF_MAX_UNPACKED_BYTES // 100]
    for match in PDF_STREAM_START.finditer(data):
        unpacked = _inflate(data, match.end(), budget, feed)
        if unpacked is None:
            continue  # not a Flate stream (an image, say): nothing a reader would run
        budget -= len(unpacked)
        _check_pdf_names(unpacked)
    return data


def _check_pdf_names(data):
    # "/J#61vaScript" is "/JavaScript" to a PDF reader: undo the escapes before looking.
    plain = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    if PDF_ACTIVE_NAMES.search(plain):
        raise UploadRefused("pdf_active_content")
    if PDF_ENCRYPTED.search(plain) or PDF_UNCHECKED_FILTERS.search(plain):
        raise UploadRefused("pdf_unchecked")


def _inflate(data, start, budget, feed):
    """The Flate stream starting at ``start`` unpacked (at most ``budget`` bytes), or ``None``.

    Fed up to each "endstream" in turn until the compressed data ends: those bytes inside the
    compressed data must not cut the check short of what a reader (going by /Length) unpacks.
    ``feed`` holds how many more bytes zlib may be given, across the whole file.
    """
    unpacker = zlib.decompressobj()
    pieces, size, position = [], 0, start
    view = memoryview(data)
    while not unpacker.eof and position < len(data):
        end = data.find(b"endstream", position)
        end = len(data) if end < 0 else end + len(b"endstream")
        feed[0] -= end - position
        if feed[0] < 0:
            raise UploadRefused("pdf_unchecked")
        try:
            piece = unpacker.decompress(view[position:end], budget + 1 - size)
        except zlib.error:
            if not pieces:
                return None
            break  # damaged part way: a reader stops there too
        pieces.append(piece)
        size += len(piece)
        if size > budget or unpacker.unconsumed_tail:
            raise UploadRefused("unpacks_too_large")
        position = end
    return b"".join(pieces)


def check_docx(data, content_type=DOCX):
    # ``sniff`` has already checked the package, its parts and its paths.
    return data


def check_image(data, content_type):
    """Open the photo with Pillow, then encode it again: same picture and orientation, no metadata at all."""
    expected = {JPEG: ("JPEG", "MPO"), PNG: ("PNG",)}[content_type]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in expected:
                    raise UploadRefused("damaged")
                if probe.width * probe.height > IMAGE_MAX_PIXELS:
                    raise UploadRefused("image_too_large")
                probe.verify()
            # verify() leaves the image unusable: open it again to decode it.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode_clean(upright, "PNG" if content_type == PNG else "JPEG")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadRefused("image_too_large") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise UploadRefused("damaged") from None


def _encode_clean(image, fmt):
    # Pillow carries some metadata over from ``info`` (a PNG's text, a JPEG's comment):
    # keep only what draws the picture.
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=90)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


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

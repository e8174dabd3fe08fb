"""PDF checks: no scripts, launch actions, attachments or embedded media, also inside compressed streams."""

import re
import zlib

from .kinds import PDF, UploadRefused

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

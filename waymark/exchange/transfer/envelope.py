"""The encrypted envelope around a transfer package's ZIP.

Layout (one byte each unless said, 49 bytes of header before the ciphertext)::

    magic        17 bytes  b"WAYMARK-TRANSFER" + format version (b"\\x01")
    kdf           1 byte   1 = scrypt
    log2(n)       1 byte   scrypt cost: n = 2 ** log2(n)      (15 when written)
    r             1 byte   scrypt block size                 (8)
    p             1 byte   scrypt parallelism                (1)
    salt         16 bytes  random, for scrypt
    nonce        12 bytes  random, for AES-GCM
    ciphertext   the rest  AES-256-GCM of the ZIP, with its 16-byte tag at the end

The key is scrypt(passphrase as UTF-8, salt, n, r, p) → 32 bytes. The whole header is the
GCM associated data, so a changed cost, salt or nonce fails authentication like a changed
byte of the ciphertext. A wrong passphrase and a changed file are one failure, with one
message, on purpose: the reader is not told which.

The cost parameters travel in the header so a later, stronger setting stays readable, but a
reader accepts only a small window of them (``MIN_LOG2_N`` to ``MAX_LOG2_N``): a file
cannot make the server spend gigabytes of memory deriving a key.
"""

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.utils.translation import gettext_lazy as _

MAGIC = b"WAYMARK-TRANSFER"
ENVELOPE_VERSION = 1
KDF_SCRYPT = 1
LOG2_N = 15  # n = 32768: about 32 MB of memory and a twentieth of a second per guess
R = 8
P = 1
MIN_LOG2_N, MAX_LOG2_N = 15, 17  # at most 128 MB to open a file
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
HEADER = struct.Struct(">16sBBBBB16s12s")  # magic, version, kdf, log2 n, r, p, salt, nonce
TAG_BYTES = 16

NOT_A_PACKAGE = _("This is not a Waymark transfer package. Check you chose the .waymark file the school sent.")
NEWER_FORMAT = _(
    "This transfer package was made by a newer version of Waymark than this one. "
    "Ask the school that sent it to send one in the format this Waymark reads, or ask your administrator to update."
)
WRONG_OR_CHANGED = _(
    "The passphrase is wrong or the file has been changed. Check the passphrase with the school that sent it; "
    "if it is right, ask them to send the file again."
)


class EnvelopeError(Exception):
    """The file could not be opened. ``message`` is the plain-English reason; ``code`` is for the audit."""

    def __init__(self, code, message):
        super().__init__(code)
        self.code = code
        self.message = message


def _key(passphrase, salt, log2_n, r, p):
    return Scrypt(salt=salt, length=KEY_BYTES, n=2**log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))


def seal(plaintext, passphrase):
    """``plaintext`` (the package's ZIP) encrypted under ``passphrase``, as the bytes of a .waymark file."""
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    header = HEADER.pack(MAGIC, ENVELOPE_VERSION, KDF_SCRYPT, LOG2_N, R, P, salt, nonce)
    ciphertext = AESGCM(_key(passphrase, salt, LOG2_N, R, P)).encrypt(nonce, plaintext, header)
    return header + ciphertext


def open_envelope(data, passphrase):
    """The ZIP inside ``data``, or ``EnvelopeError``: not a package, a newer format, or wrong or changed."""
    if len(data) < len(MAGIC) + 1 or not data.startswith(MAGIC):
        raise EnvelopeError("not_a_package", NOT_A_PACKAGE)
    if data[len(MAGIC)] != ENVELOPE_VERSION:
        raise EnvelopeError("newer_envelope", NEWER_FORMAT)
    if len(data) < HEADER.size + TAG_BYTES:
        raise EnvelopeError("wrong_or_changed", WRONG_OR_CHANGED)
    header = data[: HEADER.size]
    _magic, _version, kdf, log2_n, r, p, salt, nonce = HEADER.unpack(header)
    if kdf != KDF_SCRYPT or not (MIN_LOG2_N <= log2_n <= MAX_LOG2_N) or r != R or not (1 <= p <= 4):
        raise EnvelopeError("wrong_or_changed", WRONG_OR_CHANGED)
    try:
        return AESGCM(_key(passphrase, salt, log2_n, r, p)).decrypt(nonce, data[HEADER.size :], header)
    except InvalidTag:
        raise EnvelopeError("wrong_or_changed", WRONG_OR_CHANGED) from None

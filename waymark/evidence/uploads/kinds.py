"""The four kinds of file a document may be, and the refusal every check raises."""

from django.utils.translation import gettext as _

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

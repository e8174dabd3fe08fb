"""A plan version as people read it: on the page, as a tagged PDF and as a Word file.

Everything here starts from one content dictionary (``snapshot.content_for`` filtered by
``snapshot.visible_content``), so the page, the PDF, the Word file and the comparison
show the same words: for a shared or published version, the words frozen when it was
agreed. ``content.present`` turns that dictionary into display-ready values (dates as
"4 March 2027", "3 times a week, 20 minutes"); ``pdf`` and ``word`` only lay it out.
"""

from .content import (
    ITEM_FIELDS,
    VISIBILITY_TAGS,
    document_title,
    duration,
    filename,
    group_size,
    how_often,
    present,
    status_line,
)
from .pdf import PDF_BASE_URL, PDF_TYPE, pdf_html, static_only_fetcher_class, version_pdf
from .word import DOCX_TYPE, version_docx

__all__ = [
    "DOCX_TYPE",
    "ITEM_FIELDS",
    "PDF_BASE_URL",
    "PDF_TYPE",
    "VISIBILITY_TAGS",
    "document_title",
    "duration",
    "filename",
    "group_size",
    "how_often",
    "pdf_html",
    "present",
    "static_only_fetcher_class",
    "status_line",
    "version_docx",
    "version_pdf",
]

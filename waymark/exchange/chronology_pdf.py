"""A pupil's chronology as one tagged PDF (PDF/UA-1), from the same entries include as its page.

Built as the plan PDFs are (``plans/documents/pdf.py``): WeasyPrint with the static-only
fetcher, so the builder reaches nothing but our own stylesheet, and the PDF/UA-1 variant,
so it carries structure tags, a title, the language (en-GB) and embedded fonts.
"""

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from waymark.plans.documents.pdf import PDF_TYPE, tagged_pdf

from .chronology import day

__all__ = ["PDF_TYPE", "chronology_filename", "chronology_html", "chronology_pdf"]


def chronology_html(chronology):
    """The print template as HTML (``exchange/chronology_pdf.html``)."""
    produced_on = day(chronology.produced_on)
    # A printed copy travels without the page around it, so its front page says when and by whom it was made.
    front = [*chronology.front, (_("Date produced"), produced_on), (_("Produced by"), chronology.produced_by)]
    return render_to_string(
        "exchange/chronology_pdf.html",
        {"chronology": chronology, "front": front, "produced_on": produced_on},
    )


def chronology_pdf(chronology):
    """The chronology as PDF bytes: tagged, titled, in English (en-GB), fonts embedded, nothing fetched."""
    return tagged_pdf(chronology_html(chronology))


def chronology_filename(chronology):
    """``chronology-<surname>-<date>.pdf``: the surname only, as the plan files are named."""
    surname = slugify(chronology.pupil.legal_surname) or "pupil"
    return f"chronology-{surname}-{chronology.produced_on.isoformat()}.pdf"

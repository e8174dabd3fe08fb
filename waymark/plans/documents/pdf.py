"""A plan version as a tagged PDF (PDF/UA-1) from the same template include as the page."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from .content import document_title, status_line

PDF_TYPE = "application/pdf"

# Relative URLs in the print template resolve against this; nothing is ever fetched from it.
PDF_BASE_URL = "https://waymark.invalid/"


def _static_name(url):
    """The static file an absolute URL names, or ``None`` for anything else."""
    static_path = urlsplit(settings.STATIC_URL).path or "/static/"
    parts = urlsplit(url)
    base = urlsplit(PDF_BASE_URL)
    if (parts.scheme, parts.netloc) not in ((base.scheme, base.netloc), *_static_origin()):
        return None
    if not parts.path.startswith(static_path):
        return None
    name = parts.path[len(static_path) :]
    if ".." in name.split("/"):
        return None
    return name


def _static_origin():
    static = urlsplit(settings.STATIC_URL)
    return ((static.scheme, static.netloc),) if static.netloc else ()


def _read_static(name):
    found = finders.find(name)
    if found:
        with open(found, "rb") as handle:
            return handle.read()
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name) as handle:
            return handle.read()
    return None


def static_only_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves our own static files (the print stylesheet) and refuses every other URL.

        The content is escaped, but a PDF renderer that fetched URLs would still be a way
        to reach the network from the server; this one cannot.
        """

        def fetch(self, url, headers=None):
            name = _static_name(url)
            body = _read_static(name) if name else None
            if body is None:
                raise ValueError(f"Waymark's PDF builder fetches only its own static files, not {url}")
            content_type = "text/css" if name.endswith(".css") else "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    return StaticOnlyFetcher


def pdf_html(version, document, *, for_parent=False):
    """The print template as HTML: the same ``plans/includes/plan_content.html`` as the page.

    ``for_parent`` prints the parents' plain-language layout instead
    (``plans/family_version_pdf.html``, the same include as their page, from
    ``family_selectors.family_document``): it never shows the pupil's recorded needs or UPN.
    """
    return render_to_string(
        "plans/family_version_pdf.html" if for_parent else "plans/version_pdf.html",
        {
            "document": document,
            "title": document_title(document),
            "status_line": status_line(version),
            "is_draft": version.is_draft,
            "printed_on": date_format(timezone.localdate(), "j F Y"),
        },
    )


def tagged_pdf(html):
    """``html`` as a tagged PDF (PDF/UA-1: structure tags, title and language set, fonts embedded).

    Every PDF Waymark makes goes through here: only our own static files are fetched.
    """
    from weasyprint import HTML

    fetcher = static_only_fetcher_class()(timeout=2, allow_redirects=False)
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")


def version_pdf(version, document, *, for_parent=False):
    """A plan version as a tagged PDF (``tagged_pdf``)."""
    return tagged_pdf(pdf_html(version, document, for_parent=for_parent))

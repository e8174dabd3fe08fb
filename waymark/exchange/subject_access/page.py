"""What a request's page shows: the deadline, and everything gathered, with its withhold controls.

The page lists every register entry as a section (collapsed, paginated beyond a page of items),
each item with what is withheld and why, the flags that ask for a careful read, a small form to
withhold all or part of it, and a button to put back what is withheld. Restricted words are
shown only to those who may read restricted content; only they get the controls for them.
"""

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.http import urlencode

from ..models import SubjectAccessRequest
from ..subject_access_forms import RedactForm, UnredactForm, withhold_prefix
from . import redaction as redactions
from . import requests
from .gather import gather
from .selectors import may_download_release

SECTION_PAGE_SIZE = 25
DUE_SOON_DAYS = 7
Status = SubjectAccessRequest.Status


def detail_url(request_obj, anchor=""):
    url = reverse("exchange:sar-detail", kwargs={"public_id": request_obj.public_id})
    return f"{url}#{anchor}" if anchor else url


def deadline_state(request_obj, today):
    """(days left, "overdue" / "soon" / "") for the list and the request's page."""
    left = requests.days_left(request_obj, today)
    if request_obj.status != Status.GATHERING:
        return left, ""
    if left < 0:
        return left, "overdue"
    return left, "soon" if left <= DUE_SOON_DAYS else ""


def _hide_restricted(sections, actor):
    """Those who may not read restricted content see that it is there, not what it says."""
    if actor.can_see_restricted():
        return
    for section in sections:
        for item in section.items:
            for value in item.values:
                value.hidden = item.restricted or value.restricted


def _page_number(section, opened, page, bound):
    """Which page of a section to show: the one asked for, or the one holding a form with errors."""
    if bound is not None:
        for index, item in enumerate(section.items):
            if withhold_prefix(item) == bound.prefix:
                return index // SECTION_PAGE_SIZE + 1
    return page if section.slug == opened else 1


def _controls(item, *, decides, bound):
    item.form = None
    if decides and not item.withheld:
        item.form = bound if bound is not None and bound.prefix == withhold_prefix(item) else RedactForm(item=item)
    for holder in (item, *item.values):
        holder.put_back_form = (
            UnredactForm(redaction=holder.redaction) if holder.redaction is not None and decides else None
        )


def detail_context(actor, request_obj, *, query, bound=None):
    """Everything the request's page shows. ``query``: the page's GET parameters (which section is
    open, at which page); ``bound``: a withhold form that failed, shown in its place with its errors."""
    left, state = deadline_state(request_obj, actor.today)
    context = {
        "sar": request_obj,
        "pupil": request_obj.pupil,
        "days_left": left,
        "overdue_by": -left,
        "state": state,
        "is_open": request_obj.status == Status.GATHERING,
        "forms": [bound] if bound is not None else [],
    }
    if request_obj.status == Status.RELEASED:
        context["may_download"] = may_download_release(actor, request_obj)
    if not context["is_open"]:
        return context
    sections = redactions.annotate(request_obj, gather(request_obj.pupil))
    _hide_restricted(sections, actor)
    opened = query.get("section", "")
    parts = []
    for section in sections:
        number = _page_number(section, opened, query.get("page"), bound)
        page = Paginator(section.items, SECTION_PAGE_SIZE).get_page(number)
        for item in page.object_list:
            _controls(item, decides=actor.can_see_restricted() or not item.holds_restricted, bound=bound)
        parts.append(
            {
                "section": section,
                "page": page,
                "open": section.slug == opened or any(item.form is bound for item in page.object_list if bound),
                "withheld": sum(1 for item in section.items if item.withheld or item.withheld_values),
                "flagged": sum(1 for item in section.items if item.flags),
                "querystring": urlencode({"section": section.slug}),
            }
        )
    context.update(
        parts=parts,
        counts=redactions.summarise(sections),
        parent_asking=request_obj.requester_kind == SubjectAccessRequest.Requester.PARENT,
    )
    return context

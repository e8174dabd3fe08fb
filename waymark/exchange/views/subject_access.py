"""Pages: subject access requests.

For those who administer the school's records (``permissions.can_administer_records``: the
SENCO and the head); everyone else gets a 404. The list shows open requests by deadline; a
request's page shows everything gathered about the pupil, section by section, with controls to
withhold an item or part of it (each a small POST form, then back to the page); the release page
confirms what goes and what is withheld, and the download hands out the ZIP. Viewing a request's
page and downloading the release are audited.

Restricted words (restricted items, the reason a parent's link is restricted) are shown only to
those who may read restricted content (the SENCO; the head sees that they are there, not what
they say), and only they may withhold them or put them back.
"""

import re

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.forms import versioned_initial
from waymark.core.personal_data import entry_for
from waymark.core.services import is_stale
from waymark.core.views.base import (
    CapabilityTemplateView,
    ScopedFormView,
    ScopedObjectMixin,
    form_error_from,
)
from waymark.provision.dates import day_text
from waymark.pupils.models import ParentLink, Pupil

from ..models import Redaction, SubjectAccessRequest
from ..permissions import can_administer_records
from ..subject_access import redaction as redactions
from ..subject_access import release, requests, selectors
from ..subject_access.gather import gather_entry, item_anchor
from ..subject_access.page import deadline_state, detail_context, detail_url
from ..subject_access_forms import (
    PupilSearchForm,
    RedactForm,
    SarCloseForm,
    SarExtendForm,
    SarLogForm,
    SarReleaseForm,
    UnredactForm,
)

CLOSED_PAGE_SIZE = 25

Status = SubjectAccessRequest.Status


class RecordsAdministratorMixin:
    """A 404 for anyone who does not administer the school's records, before anything is looked up."""

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is None or not can_administer_records(actor):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class SarObjectMixin(RecordsAdministratorMixin, ScopedObjectMixin):
    model = SubjectAccessRequest
    action = Action.ADMINISTER

    def get_queryset(self):
        return selectors.sar_restrict(self.actor)


# ----- the list -----


class SarListView(CapabilityTemplateView):
    template_name = "exchange/sar_list.html"

    def has_capability(self, actor):
        return can_administer_records(actor)

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        rows = []
        for request_obj in selectors.sar_open_list(actor):
            left, state = deadline_state(request_obj, actor.today)
            rows.append({"request": request_obj, "days_left": left, "overdue_by": -left, "state": state})
        closed = Paginator(selectors.sar_closed_list(actor), CLOSED_PAGE_SIZE).get_page(self.request.GET.get("page"))
        search = PupilSearchForm(self.request.GET or None)
        query = search.cleaned_data["q"] if search.is_valid() else ""
        return super().get_context_data(
            open_rows=rows,
            closed=closed,
            search=search,
            query=query,
            found=selectors.pupils_to_log_for(actor, query),
            querystring=urlencode({"q": query}) if query else "",
            **kwargs,
        )


# ----- logging a request -----


class SarCreateView(RecordsAdministratorMixin, ScopedFormView):
    """Log a request about one pupil (the pupil page links here)."""

    model = Pupil
    action = Action.ADMINISTER
    template_name = "exchange/sar_create.html"
    form_class = SarLogForm

    @cached_property
    def links(self):
        return list(
            ParentLink.objects.filter(pupil=self.object, status=ParentLink.Status.ACTIVE)
            .select_related("user")
            .order_by("full_name", "pk")
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "links": self.links}

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.object, months=settings.WAYMARK_SUBJECT_ACCESS_MONTHS, **kwargs)

    def form_valid(self, form):
        try:
            created = requests.sar_log(actor=self.actor, pupil=self.object, **form.service_arguments())
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The request has been logged. The answer is due by %(date)s.") % {"date": day_text(created.due_on)},
        )
        return redirect(detail_url(created))


# ----- a request's page -----


class SarDetailView(SarObjectMixin, TemplateView):
    template_name = "exchange/sar_detail.html"
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        audit_record(
            actor=self.actor,
            action="exchange.sar.viewed",
            target=self.object,
            pupil=self.object.pupil,
            data={"status": self.object.status},
        )
        return self.render_to_response(detail_context(self.actor, self.object, query=request.GET))


_WITHHOLD_PREFIX = re.compile(r"^(withhold-[a-z0-9-]+)-model$")
_PUT_BACK_PREFIX = re.compile(r"^(put-back-\d+)-redaction$")


def _prefix(post, pattern):
    return next((match.group(1) for key in post if (match := pattern.match(key))), None)


class SarRedactView(SarObjectMixin, View):
    """Withhold an item or one part of it; back to the item on the page, or the page with the error."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        prefix = _prefix(request.POST, _WITHHOLD_PREFIX)
        if prefix is None:
            raise Http404
        # The form's choices are the item's parts: find the item before checking the form.
        item = self._item(request.POST.get(f"{prefix}-model", ""), request.POST.get(f"{prefix}-object_pk", ""))
        if item is None:
            messages.error(request, _("That item is no longer part of the pupil's record."))
            return redirect(detail_url(self.object))
        form = RedactForm(request.POST, item=item)
        if form.is_valid():
            try:
                redactions.sar_redact(actor=self.actor, request=self.object, **form.service_arguments())
            except ValidationError as error:
                if getattr(error, "code", None) == "closed":
                    messages.error(request, error.messages[0])
                    return redirect(detail_url(self.object))
                form_error_from(form, error)
            else:
                messages.success(request, _("Withheld: it will not be in the release."))
                return redirect(detail_url(self.object, item.anchor))
        context = detail_context(self.actor, self.object, query={}, bound=form)
        return TemplateResponse(request, "exchange/sar_detail.html", context)

    def _item(self, model, pk):
        try:
            entry = entry_for(model)
        except LookupError:
            return None
        section = redactions.annotate(self.object, [gather_entry(entry, self.object.pupil)])[0]
        return next((item for item in section.items if item.pk == pk), None)


class SarUnredactView(SarObjectMixin, View):
    """Put back something withheld; back to the item on the page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        prefix = _prefix(request.POST, _PUT_BACK_PREFIX)
        form = UnredactForm(request.POST, prefix=prefix) if prefix else None
        if form is None or not form.is_valid():
            raise Http404
        try:
            found = Redaction.objects.get(request=self.object, pk=form.cleaned_data["redaction"])
        except Redaction.DoesNotExist:
            messages.info(request, _("That was already put back."))
            return redirect(detail_url(self.object))
        anchor = item_anchor(found.model, found.object_pk)
        try:
            redactions.sar_unredact(actor=self.actor, request=self.object, redaction=found)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(detail_url(self.object, anchor))
        messages.success(request, _("Put back: it will be in the release."))
        return redirect(detail_url(self.object, anchor))


# ----- extending, closing, releasing -----


class SarFormMixin(SarObjectMixin):
    """A form about one open request; a closed one sends the person back to its page."""

    def get(self, request, *args, **kwargs):
        if self.object.status != Status.GATHERING:
            messages.info(request, _("This request is closed, so it can no longer be changed."))
            return redirect(detail_url(self.object))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(sar=self.object, pupil=self.object.pupil, **kwargs)

    def refused(self, form, error):
        if is_stale(error) or getattr(error, "code", None) == "closed":
            messages.error(self.request, error.messages[0])
            return redirect(detail_url(self.object))
        form_error_from(form, error)
        return self.form_invalid(form)


class SarExtendView(SarFormMixin, ScopedFormView):
    template_name = "exchange/sar_extend.html"
    form_class = SarExtendForm

    def get_initial(self):
        return versioned_initial(
            self.object, extended_to=self.object.extended_to, extension_reason=self.object.extension_reason
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(latest_extension=requests.latest_extension(self.object), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            requests.sar_extend(
                actor=self.actor,
                request=self.object,
                extended_to=data["extended_to"],
                reason=data["extension_reason"],
                expected_version=data["lock_version"],
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(
            self.request,
            _("The due date is now %(date)s. Tell the requester why.") % {"date": day_text(data["extended_to"])},
        )
        return redirect(detail_url(self.object))


class SarCloseView(SarFormMixin, ScopedFormView):
    template_name = "exchange/sar_close.html"
    form_class = SarCloseForm

    def get_initial(self):
        return versioned_initial(self.object)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            requests.sar_close(
                actor=self.actor,
                request=self.object,
                status=data["status"],
                reason=data["closed_reason"],
                expected_version=data["lock_version"],
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(self.request, _("The request has been closed. Nothing was released."))
        return redirect(detail_url(self.object))


class SarReleaseView(SarFormMixin, ScopedFormView):
    """What will be released and what withheld, then the release itself."""

    template_name = "exchange/sar_release.html"
    form_class = SarReleaseForm

    def get_initial(self):
        return versioned_initial(self.object)

    def get_context_data(self, **kwargs):
        _sections, counts = release.release_preview(self.object)
        unread = 0 if self.actor.can_see_restricted() else counts["restricted_released"]
        return super().get_context_data(counts=counts, restricted_unread=unread, **kwargs)

    def form_valid(self, form):
        try:
            release.sar_release(
                actor=self.actor, request=self.object, expected_version=form.cleaned_data["lock_version"]
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(self.request, _("Released. Download the ZIP and send it to the requester securely."))
        return redirect(detail_url(self.object))


class SarDownloadView(SarObjectMixin, View):
    """The released ZIP, as an attachment. Every download is audited.

    A release that sent restricted words is a 404 for those who may not read them (the head).
    """

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status != Status.RELEASED or not self.object.release_file:
            raise Http404
        if not selectors.may_download_release(self.actor, self.object):
            raise Http404
        try:
            handle = self.object.release_file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        audit_record(
            actor=self.actor,
            action="exchange.sar.downloaded",
            target=self.object,
            pupil=self.object.pupil,
            data={"sha256": self.object.release_sha256},
        )
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=release.download_name(self.object),
            content_type=release.ZIP_CONTENT_TYPE,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store, private"
        return response

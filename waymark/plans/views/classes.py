"""Plan views: "My classes", the plans in force for the pupils a teacher or TA works with, and its print sheet.

Both pages are about the actor's own groups, so they are school-capability views: who may
have the page at all is ``classes.may_view_class_sheets``; which pupils appear is decided by
the groups they work with today and the rule table (``selectors.version_list``). Every
view and every print is an audit event holding the ids of the pupils shown.
"""

from django import forms
from django.http import Http404
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from waymark.core.audit import audit_record
from waymark.core.views.base import CapabilityTemplateView

from ..classes import class_sheets, may_view_class_sheets, my_groups, pupils_shown

LEAVE_OUT_NEEDS = "leave_out_needs"


class ClassSheetFilterForm(forms.Form):
    """The page's filters; bad values are ignored rather than shown as errors."""

    group = forms.ChoiceField(label=_("Class or group"), required=False)
    leave_out_needs = forms.BooleanField(
        label=_("Leave out need codes"),
        required=False,
        help_text=_("For a sheet others might see: each pupil's needs are left out, codes and names."),
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All my classes and groups"))] + [
            (str(entry.group.public_id), entry.group.name) for entry in groups
        ]


def _leave_out_needs(request):
    return forms.BooleanField(required=False).clean(request.GET.get(LEAVE_OUT_NEEDS))


class ClassSheetMixin:
    def has_capability(self, actor):
        return may_view_class_sheets(actor)

    def option_query(self, leave_out_needs):
        return f"?{urlencode({LEAVE_OUT_NEEDS: 'on'})}" if leave_out_needs else ""


class MyClassesView(ClassSheetMixin, CapabilityTemplateView):
    """Each class or group the actor works with today, with its pupils' key adjustments."""

    template_name = "plans/my_classes.html"

    def get_context_data(self, **kwargs):
        actor = self.actor = self.request.actor
        groups = my_groups(actor)
        query = self.request.GET.copy()
        # An unknown group (a class that has ended, a mistyped link) shows every group, not an error.
        if query.get("group") not in {str(entry.group.public_id) for entry in groups}:
            query.pop("group", None)
        form = ClassSheetFilterForm(query or None, groups=groups)
        chosen = form.cleaned_data.get("group") if form.is_valid() else ""
        # Read on its own, so nothing else in the query can bring the needs back onto the sheet.
        leave_out_needs = _leave_out_needs(self.request)
        shown = [entry for entry in groups if str(entry.group.public_id) == chosen] if chosen else groups
        class_sheets(actor, shown, leave_out_needs=leave_out_needs)
        audit_record(
            actor=actor,
            action="plans.class_sheet.viewed",
            school=actor.school,
            data={
                "groups": [str(entry.group.public_id) for entry in shown],
                "pupils": pupils_shown(shown),
                "needs_left_out": leave_out_needs,
            },
        )
        return super().get_context_data(
            # Not "form": the layout reads that name to mark the title as an error page.
            filter_form=form,
            groups=shown,
            has_groups=bool(groups),
            filtered=bool(chosen) or leave_out_needs,
            leave_out_needs=leave_out_needs,
            option_query=self.option_query(leave_out_needs),
            **kwargs,
        )


class ClassSheetPrintView(ClassSheetMixin, CapabilityTemplateView):
    """One group's sheet laid out for A4 and marked confidential. Every print is an audit event."""

    template_name = "plans/class_sheet_print.html"

    def get_context_data(self, **kwargs):
        actor = self.actor = self.request.actor
        public_id = str(self.kwargs["public_id"])
        entry = next((entry for entry in my_groups(actor) if str(entry.group.public_id) == public_id), None)
        if entry is None:
            raise Http404
        leave_out_needs = _leave_out_needs(self.request)
        class_sheets(actor, [entry], leave_out_needs=leave_out_needs)
        audit_record(
            actor=actor,
            action="plans.class_sheet.printed",
            target=entry.group,
            school=actor.school,
            data={
                "group": public_id,
                "pupils": pupils_shown([entry]),
                "needs_left_out": leave_out_needs,
            },
        )
        return super().get_context_data(
            sheet=entry,
            leave_out_needs=leave_out_needs,
            option_query=self.option_query(leave_out_needs),
            printed_on=actor.today,
            **kwargs,
        )


urlpatterns = [
    path("my-classes/", MyClassesView.as_view(), name="my-classes"),
    path("my-classes/<uuid:public_id>/print/", ClassSheetPrintView.as_view(), name="class-sheet-print"),
]

"""Forms for reviews, meetings with parents and the school's review settings.

Forms check what a person typed; the services decide what may be saved and what a review
needs before it can be completed (``reviews.review_problems``). Fields a review needs
before it is completed are not marked "(optional)", but may be left empty while writing.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard
from waymark.core.forms.fields import GovukDateField
from waymark.pupils.models import ParentLink
from waymark.schools.models import ReviewCycle

from .meetings import MEETING_KINDS
from .models import ParentMeeting, Review
from .review_settings import LABEL_MAX_LENGTH, MAX_SCALE_STEPS
from .reviews import REVIEW_FIELDS

TEXT_MAX_LENGTH = 5000
DATE_HINT = _("For example, 27 3 2027")


class WhileWriting:
    """Not labelled "(optional)", but may be left empty: a review needs it before it is completed, not
    while it is written; a row of the rating scale is needed only when it is used."""

    def validate(self, value):
        if value in self.empty_values:
            return
        super().validate(value)


class WhileWritingChoiceField(WhileWriting, forms.ChoiceField):
    pass


class WhileWritingMultipleChoiceField(WhileWriting, forms.MultipleChoiceField):
    pass


class WhileWritingCharField(WhileWriting, forms.CharField):
    pass


class WhileWritingDateField(WhileWriting, GovukDateField):
    pass


class WhileWritingIntegerField(WhileWriting, forms.IntegerField):
    pass


def _text(label, *, rows=4, help_text="", required=False, field_class=forms.CharField):
    return field_class(
        label=label,
        required=required,
        max_length=TEXT_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def signed(value):
    """+2, 0, -1: a rating's value as the scale shows it."""
    return f"+{value}" if value > 0 else str(value)


def scale_choices(scale):
    return [(str(step["value"]), f"{signed(step['value'])} – {step['label']}") for step in scale]


def parent_label(link):
    """A parent's name and relationship, with their contact needs beside it where staff contact them."""
    label = f"{link.full_name} ({link.get_relationship_display().lower()})"
    if link.contact_needs:
        label += f" – {link.contact_needs}"
    if link.status == ParentLink.Status.RESTRICTED:
        label += " – " + str(_("their access to the child's records is restricted"))
    return label


def rating_field_names(rating):
    prefix = f"outcome-{rating.outcome_id}"
    return f"{prefix}-rating", f"{prefix}-evidence", f"{prefix}-comment"


class ReviewForm(StaleSaveGuard):
    """The whole review on one page: the meeting, the pupil's views, each outcome, and what happens next.

    Built for one review: ``ratings`` are the rating rows the person may read, ``links``
    the pupil's parents and carers who may have taken part, ``scale`` the school's scale.
    """

    use_required_attribute = False

    held_on = GovukDateField(
        label=_("Date of the review"),
        help_text=DATE_HINT,
        error_messages={"required": _("Enter the date of the review")},
    )
    participants = _text(
        _("Who took part"),
        rows=3,
        help_text=_("Staff, specialists and anyone else, with their role. Record parents and carers below."),
        required=True,
        field_class=WhileWritingCharField,
    )
    parents_present = forms.MultipleChoiceField(
        label=_("Parents and carers who took part"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their language, interpreter and format needs are shown beside their names."),
        error_messages={"invalid_choice": _("Choose from this pupil's parents and carers.")},
    )
    pupil_took_part = forms.BooleanField(label=_("The pupil took part"), required=False)
    pupil_views = _text(_("What the pupil said"), help_text=_("In their own words where you can"))
    pupil_views_hidden_from_parents = forms.BooleanField(
        label=_("Keep the pupil's views from their parents"),
        required=False,
        help_text=_("For an older pupil, where that is the right judgement. Staff still see them."),
    )
    what_worked = _text(_("What worked"))
    what_did_not = _text(_("What did not work"))
    decisions = WhileWritingMultipleChoiceField(
        label=_("What happens next"),
        choices=Review.Decision.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Select all that apply"),
        error_messages={"invalid_choice": _("Choose decisions from the list.")},
    )
    decision_notes = _text(_("More about the decision"), rows=3)
    next_review_on = WhileWritingDateField(label=_("Next review date"), help_text=DATE_HINT)

    def __init__(self, *args, ratings, links, scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.ratings = list(ratings)
        self.links = {str(link.public_id): link for link in links}
        self.fields["parents_present"].choices = [(key, parent_label(link)) for key, link in self.links.items()]
        order = ["lock_version", "held_on", "participants", "parents_present", "pupil_took_part", "pupil_views"]
        order.append("pupil_views_hidden_from_parents")
        for rating in self.ratings:
            rating_name, evidence_name, comment_name = rating_field_names(rating)
            self.fields[rating_name] = WhileWritingChoiceField(
                label=_("How well was outcome %(number)d achieved?") % {"number": rating.order},
                choices=scale_choices(scale),
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose a rating from the school's scale.")},
            )
            self.fields[evidence_name] = _text(
                _("Evidence for outcome %(number)d") % {"number": rating.order},
                rows=3,
                help_text=_("What was measured or seen, against the target"),
            )
            self.fields[comment_name] = _text(_("Comment on outcome %(number)d") % {"number": rating.order}, rows=2)
            order += [rating_name, evidence_name, comment_name]
        order += ["what_worked", "what_did_not", "decisions", "decision_notes", "next_review_on"]
        self.order_fields(order)

    @classmethod
    def initial_for(cls, review, ratings, *, next_review_default):
        initial = {
            "lock_version": review.lock_version,
            "held_on": review.held_on,
            "participants": review.participants,
            "parents_present": [str(link.public_id) for link in review.parents_present.all()],
            "pupil_took_part": review.pupil_took_part,
            "pupil_views": review.pupil_views,
            "pupil_views_hidden_from_parents": review.pupil_views_hidden_from_parents,
            "what_worked": review.what_worked,
            "what_did_not": review.what_did_not,
            "decisions": list(review.decisions),
            "decision_notes": review.decision_notes,
            "next_review_on": review.next_review_on or next_review_default,
        }
        for rating in ratings:
            rating_name, evidence_name, comment_name = rating_field_names(rating)
            initial[rating_name] = "" if rating.rating is None else str(rating.rating)
            initial[evidence_name] = rating.evidence
            initial[comment_name] = rating.comment
        return initial

    def outcome_rows(self):
        """Each rating with its three bound fields, for the page to lay out under the outcome."""
        rows = []
        for rating in self.ratings:
            rating_name, evidence_name, comment_name = rating_field_names(rating)
            rows.append({"rating": rating, "fields": [self[rating_name], self[evidence_name], self[comment_name]]})
        return rows

    def field_for_problem(self, key):
        """The form field a service problem belongs to: a field name, or an outcome id for a rating."""
        if key in self.fields:
            return key
        rating_name = f"outcome-{key}-rating"
        return rating_name if rating_name in self.fields else None

    def service_arguments(self):
        """``fields``, ``ratings`` and ``parents_present`` for ``reviews.review_save``."""
        data = self.cleaned_data
        fields = {name: data[name] for name in REVIEW_FIELDS}
        ratings = {}
        for rating in self.ratings:
            rating_name, evidence_name, comment_name = rating_field_names(rating)
            ratings[str(rating.outcome_id)] = {
                "rating": data[rating_name] or None,
                "evidence": data[evidence_name],
                "comment": data[comment_name],
            }
        parents = [self.links[key] for key in data["parents_present"]]
        return {"fields": fields, "ratings": ratings, "parents_present": parents}


class MeetingForm(forms.Form):
    use_required_attribute = False

    held_on = GovukDateField(
        label=_("Date of the meeting"),
        help_text=DATE_HINT,
        error_messages={"required": _("Enter the date of the meeting")},
    )
    kind = forms.ChoiceField(
        label=_("What kind of meeting was it?"),
        choices=[(kind.value, kind.label) for kind in MEETING_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what kind of meeting it was")},
    )
    mode = forms.ChoiceField(
        label=_("How was it held?"),
        choices=ParentMeeting.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how the meeting was held")},
    )
    parents = forms.MultipleChoiceField(
        label=_("Who came"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Select all that apply. Their language, interpreter and format needs are shown beside their names."
        ),
        error_messages={
            "required": _("Select who came to the meeting"),
            "invalid_choice": _("Choose from this pupil's parents and carers."),
        },
    )
    notes = _text(_("Notes"), help_text=_("What was discussed and agreed"))

    def __init__(self, *args, links, **kwargs):
        super().__init__(*args, **kwargs)
        self.links = {str(link.public_id): link for link in links}
        self.fields["parents"].choices = [(key, parent_label(link)) for key, link in self.links.items()]

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "kind": data["kind"],
            "mode": data["mode"],
            "parents": [self.links[key] for key in data["parents"]],
            "notes": data["notes"],
        }


class ReviewSettingsForm(StaleSaveGuard):
    """The cycle, up to ``MAX_SCALE_STEPS`` rows of the scale (blank rows left out), and the complaints procedure."""

    use_required_attribute = False

    cycle_months = forms.TypedChoiceField(
        label=_("How often are plans reviewed?"),
        choices=ReviewCycle.choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("No plan may go more than 12 months without a review, whatever you choose."),
        error_messages={"required": _("Select how often plans are reviewed")},
    )
    complaints_procedure = _text(
        _("Complaints procedure"),
        rows=5,
        help_text=_(
            "What a parent should do if they are unhappy with the plan: who to contact and how. Parents see this."
        ),
    )
    complaints_url = forms.URLField(
        label=_("Link to your complaints policy"),
        required=False,
        assume_scheme="https",
        help_text=_("For example, a page on your school's website"),
        error_messages={"invalid": _("Enter a web address, like https://www.example.sch.uk/complaints")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(MAX_SCALE_STEPS):
            number = index + 1
            self.fields[f"step-{index}-value"] = WhileWritingIntegerField(
                label=_("Value of step %(number)d") % {"number": number},
                min_value=-99,
                max_value=99,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
                error_messages={
                    "invalid": _("The value of step %(number)d must be a whole number") % {"number": number},
                    "min_value": _("The value of step %(number)d must be -99 or more") % {"number": number},
                    "max_value": _("The value of step %(number)d must be 99 or less") % {"number": number},
                },
            )
            self.fields[f"step-{index}-label"] = WhileWritingCharField(
                label=_("Label of step %(number)d") % {"number": number},
                max_length=LABEL_MAX_LENGTH,
            )
            self.fields[f"step-{index}-met"] = forms.BooleanField(
                label=_("Step %(number)d counts as met") % {"number": number}, required=False
            )

    @classmethod
    def initial_for(cls, school):
        initial = {
            "lock_version": school.lock_version,
            "cycle_months": school.review_cycle_months,
            "complaints_procedure": school.complaints_procedure,
            "complaints_url": school.complaints_url,
        }
        for index, step in enumerate(school.review_scale[:MAX_SCALE_STEPS]):
            initial[f"step-{index}-value"] = step["value"]
            initial[f"step-{index}-label"] = step["label"]
            initial[f"step-{index}-met"] = step["value"] in school.met_ratings
        return initial

    def step_rows(self):
        return [
            {
                "number": index + 1,
                "fields": [self[f"step-{index}-value"], self[f"step-{index}-label"], self[f"step-{index}-met"]],
            }
            for index in range(MAX_SCALE_STEPS)
        ]

    def clean(self):
        data = super().clean()
        scale, met = [], []
        for index in range(MAX_SCALE_STEPS):
            value, label = data.get(f"step-{index}-value"), (data.get(f"step-{index}-label") or "").strip()
            if value is None and not label:
                if f"step-{index}-value" not in self.errors and data.get(f"step-{index}-met"):
                    self.add_error(f"step-{index}-value", _("Give step %(number)d a value and a label, or untick it"))
                continue
            if value is None:
                if f"step-{index}-value" not in self.errors:
                    self.add_error(f"step-{index}-value", _("Enter a value for ‘%(label)s’") % {"label": label})
                continue
            if not label:
                self.add_error(f"step-{index}-label", _("Enter a label for step %(number)d") % {"number": index + 1})
                continue
            scale.append({"value": value, "label": label})
            if data.get(f"step-{index}-met"):
                met.append(value)
        data["scale"], data["met_ratings"] = scale, met
        return data

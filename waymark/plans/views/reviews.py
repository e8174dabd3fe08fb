"""Review pages: start, write, complete and read a review; record a meeting with parents; the review settings.

Staff who see every version of a plan (``selectors.sees_every_version``) read its reviews;
only those who reach every pupil for ``Action.REVIEW`` (the SENCO and deputy SENCO) start,
write and complete them and record meetings. Parents read review summaries on their own
pages (``family_selectors.review_summary_for_parent``). Forbidden looks like missing.
"""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import STALE_MESSAGE, is_stale
from waymark.core.views.base import (
    CapabilityFormView,
    ScopedDetailView,
    ScopedFormView,
    ScopedObjectMixin,
    form_error_from,
)
from waymark.pupils.models import Pupil
from waymark.schools.models import School

from .. import review_settings, reviews, selectors
from ..models import ParentMeeting, Review
from ..review_dates import next_review_default
from ..review_forms import MeetingForm, ReviewForm, ReviewSettingsForm
from ..review_selectors import links_who_may_take_part, parents_views, pupil_voice, readable_ratings

STALE_REVIEW_MESSAGE = gettext_lazy(
    "Someone else saved this review after you opened it, so your changes have not been saved yet. "
    "What you typed is still below. Check what they saved on the review's summary page, then save again "
    "to replace their version with yours."
)


def add_problems(form, error):
    """Put a service's problems on the form: each on its field where it has one, so the summary links to it."""
    if hasattr(error, "error_dict"):
        for key, problems in error.message_dict.items():
            target = None if key == NON_FIELD_ERRORS else form.field_for_problem(key)
            for problem in problems:
                form.add_error(target, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


# ----- starting -----


class ReviewStartView(ScopedObjectMixin, View):
    """ "Start a review" on the plan page: opens a review of the plan in force."""

    model = Pupil
    action = Action.REVIEW
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        pupil = self.get_object()
        try:
            review = reviews.review_start(actor=self.actor, pupil=pupil)
        except ValidationError as error:
            if error.code == "in_progress":
                existing = (
                    Review.objects.restrict(self.actor, Action.REVIEW, audience="staff")
                    .filter(plan__pupil=pupil, status=Review.Status.DRAFT)
                    .first()
                )
                if existing is not None:
                    messages.info(request, reviews.IN_PROGRESS_MESSAGE)
                    return redirect("plans:review-edit", public_id=existing.public_id)
            for message in error.messages:
                messages.error(request, message)
            return redirect(reverse("plans:plan-detail", kwargs={"public_id": pupil.public_id}) + "#reviews")
        messages.success(request, _("Review started. Your changes are saved each time you press a save button."))
        return redirect("plans:review-edit", public_id=review.public_id)


# ----- writing and completing -----


class ReviewEditView(ScopedFormView):
    """The whole review on one page, with the family's views above it. Saves while writing; completes at the end."""

    model = Review
    action = Action.REVIEW
    template_name = "plans/review_edit.html"
    form_class = ReviewForm

    def get_queryset(self):
        return super().get_queryset().select_related("plan__pupil__school", "version")

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        self.object = self.get_object()
        if self.object.is_completed:
            messages.info(request, reviews.COMPLETED_MESSAGE)
            return redirect("plans:review-detail", public_id=self.object.public_id)
        self.load()
        return super(ScopedFormView, self).dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # Opening the review is reading the pupil's record, as its summary page is.
        audit_record(
            actor=self.actor, action="plans.review.viewed", target=self.object, pupil=self.pupil, data={"editor": True}
        )
        return super().get(request, *args, **kwargs)

    def load(self):
        self.pupil = self.object.plan.pupil
        self.ratings, self.hidden_count = readable_ratings(self.object, self.actor)
        self.links = links_who_may_take_part(self.pupil)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "ratings": self.ratings,
            "links": self.links,
            "scale": self.pupil.school.review_scale,
        }

    def get_initial(self):
        review = self.object
        default = next_review_default(self.pupil.school, review.held_on)
        return ReviewForm.initial_for(review, self.ratings, next_review_default=default)

    def get_context_data(self, **kwargs):
        review = self.object
        return super().get_context_data(
            review=review,
            pupil=self.pupil,
            hidden_count=self.hidden_count,
            contributions=parents_views(review),
            voice=pupil_voice(review, self.actor),
            published_on=review.version.published_at,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            self.perform(form)
        except ValidationError as error:
            if is_stale(error):
                return self.stale_response()
            self.reload()
            add_problems(form, error)
            return self.form_invalid(form)
        return self.done()

    def perform(self, form):
        reviews.review_save(
            actor=self.actor,
            review=self.object,
            expected_version=form.cleaned_data["lock_version"],
            **form.service_arguments(),
        )

    def done(self):
        messages.success(self.request, _("The review has been saved."))
        return redirect("plans:review-edit", public_id=self.object.public_id)

    def reload(self):
        """After a refused write, the review as stored: the services may have changed the copy in hand."""
        self.object = self.get_queryset().get(pk=self.object.pk)

    def stale_response(self):
        """Someone saved first: keep what was typed, with their version's lock, so a second save can win."""
        self.reload()
        data = self.request.POST.copy()
        data["lock_version"] = str(self.object.lock_version)
        form = self.get_form_class()(**{**self.get_form_kwargs(), "data": data})
        form.is_valid()
        form.add_error(None, STALE_REVIEW_MESSAGE)
        return self.render_to_response(self.get_context_data(form=form, stale=True))


class ReviewCompleteView(ReviewEditView):
    """Save what is on the page and complete the review, or change nothing and list every problem."""

    http_method_names = ["post"]

    def perform(self, form):
        with transaction.atomic():
            review = reviews.review_save(
                actor=self.actor,
                review=self.object,
                expected_version=form.cleaned_data["lock_version"],
                **form.service_arguments(),
            )
            self.completed = reviews.review_complete(
                actor=self.actor, review=review, expected_version=review.lock_version
            )

    def done(self):
        draft = self.completed.next_version
        messages.success(
            self.request,
            _(
                "The review is complete. Version %(number)d is the next draft plan: outcomes that were met have "
                "been taken out and the others carried forward."
            )
            % {"number": draft.number},
        )
        return redirect("plans:review-detail", public_id=self.object.public_id)


# ----- reading -----


class ReviewDiscardView(ScopedObjectMixin, View):
    """ "Discard this review": for one started by mistake, or of a plan replaced while it was written."""

    model = Review
    action = Action.REVIEW
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        review = self.get_object()
        pupil = review.plan.pupil
        try:
            reviews.review_discard(actor=self.actor, review=review, expected_version=request.POST.get("lock_version"))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            if review.is_completed:
                return redirect("plans:review-detail", public_id=review.public_id)
            return redirect("plans:review-edit", public_id=review.public_id)
        messages.success(request, _("The review has been discarded. You can start a new one when you are ready."))
        return redirect(reverse("plans:plan-detail", kwargs={"public_id": pupil.public_id}) + "#reviews")


class ReviewDetailView(ScopedDetailView):
    """A review as written: the ratings the reader may read, who took part, what was decided."""

    model = Review
    template_name = "plans/review_detail.html"
    context_object_name = "review"

    def get_queryset(self):
        if not selectors.sees_every_version(self.actor):
            return Review.objects.none()
        return (
            super()
            .get_queryset()
            .select_related("plan__pupil__school", "version", "next_version", "created_by", "completed_by")
            .prefetch_related("parents_present")
        )

    def get_context_data(self, **kwargs):
        review, actor = self.object, self.actor
        pupil = review.plan.pupil
        ratings, hidden_count = readable_ratings(review, actor)
        audit_record(actor=actor, action="plans.review.viewed", target=review, pupil=pupil)
        return super().get_context_data(
            pupil=pupil,
            ratings=ratings,
            hidden_count=hidden_count,
            contributions=parents_views(review),
            meeting=ParentMeeting.objects.filter(review=review).first(),
            can_edit=not review.is_completed and reviews.can_run_reviews(actor),
            **kwargs,
        )


# ----- meetings -----


class MeetingCreateView(ScopedFormView):
    """Record a meeting with the pupil's parents held outside a review."""

    model = Pupil
    action = Action.REVIEW
    template_name = "plans/meeting_form.html"
    form_class = MeetingForm

    @cached_property
    def links(self):
        return links_who_may_take_part(self.object)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "links": self.links}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pupil=self.object,
            has_parents=bool(self.links),
            meetings=reviews.meetings_this_year(self.object, self.actor.today),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            reviews.meeting_record(actor=self.actor, pupil=self.object, **form.service_arguments())
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The meeting has been recorded."))
        return redirect(reverse("plans:plan-detail", kwargs={"public_id": self.object.public_id}) + "#reviews")


# ----- settings -----


class ReviewSettingsView(CapabilityFormView):
    """How often plans are reviewed, the rating scale, what counts as met, and the complaints procedure."""

    template_name = "plans/review_settings.html"
    form_class = ReviewSettingsForm

    def has_capability(self, actor):
        return review_settings.can_manage_review_settings(actor)

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is not None and actor.school is not None:
            self.school = School.objects.get(pk=actor.school.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return ReviewSettingsForm.initial_for(self.school)

    def get_context_data(self, **kwargs):
        return super().get_context_data(school=self.school, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            review_settings.review_settings_update(
                actor=self.request.actor,
                school=self.school,
                cycle_months=data["cycle_months"],
                scale=data["scale"],
                met_ratings=data["met_ratings"],
                complaints_procedure=data["complaints_procedure"],
                complaints_url=data["complaints_url"],
                expected_version=data["lock_version"],
            )
        except ValidationError as error:
            if is_stale(error):
                # Show what is saved now, with the refusal: nothing of theirs or ours is lost silently.
                self.school.refresh_from_db()
                fresh = ReviewSettingsForm(initial=ReviewSettingsForm.initial_for(self.school))
                fresh.full_clean()
                fresh.cleaned_data = {}
                fresh.add_error(None, STALE_MESSAGE)
                return self.render_to_response(self.get_context_data(form=fresh))
            self.school.refresh_from_db()
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your review settings have been saved."))
        return redirect("plans:review-settings")


urlpatterns = [
    path("<uuid:public_id>/reviews/start/", ReviewStartView.as_view(), name="review-start"),
    path("<uuid:public_id>/meetings/add/", MeetingCreateView.as_view(), name="meeting-create"),
    path("reviews/<uuid:public_id>/", ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<uuid:public_id>/edit/", ReviewEditView.as_view(), name="review-edit"),
    path("reviews/<uuid:public_id>/complete/", ReviewCompleteView.as_view(), name="review-complete"),
    path("reviews/<uuid:public_id>/discard/", ReviewDiscardView.as_view(), name="review-discard"),
    path("settings/reviews/", ReviewSettingsView.as_view(), name="review-settings"),
]

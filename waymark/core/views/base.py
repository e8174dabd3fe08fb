"""Base views: every view declares how it is reached, and gets only what the actor may see.

``waymark_access`` on a view says which rule admits it; the URLconf test fails on any
view without one. Forbidden looks like missing: a 404, never a 403.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.views.generic import DetailView, FormView, ListView, TemplateView

from waymark.core.access import Action

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed-in"  # any signed-in person, about themselves only
SCOPED = "scoped"  # reaches school data through the actor's restricted querysets
SCHOOL_CAPABILITY = "school-capability"  # a school-level permission, checked before the handler


def public_view(view):
    """Mark a function view as public; class views set ``waymark_access = PUBLIC``."""
    view.waymark_access = PUBLIC
    view.login_required = False
    return view


def signed_in_view(view):
    view.waymark_access = SIGNED_IN
    return view


def require_capability(check):
    """Function-view decorator: ``check(actor)`` must be true or the page is missing."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.actor is None or not check(request.actor):
                raise Http404
            return view(request, *args, **kwargs)

        wrapper.waymark_access = SCHOOL_CAPABILITY
        return wrapper

    return decorator


class ActorMixin:
    """Gives ``self.actor`` and turns a permission failure into a 404."""

    waymark_access = SCOPED

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            raise Http404 from None


class CapabilityMixin(ActorMixin):
    """A page about the school rather than one pupil: ``has_capability`` decides."""

    waymark_access = SCHOOL_CAPABILITY

    def has_capability(self, actor):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is None or not self.has_capability(actor):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ScopedObjectMixin(ActorMixin):
    """Declare ``model`` and ``action``; the object comes from ``model.objects.restrict``."""

    model = None
    action = Action.VIEW
    audience = "staff"
    slug_field = "public_id"
    slug_url_kwarg = "public_id"

    def get_queryset(self):
        return self.model.objects.restrict(self.actor, self.action, audience=self.audience)

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        try:
            return queryset.get(**{self.slug_field: self.kwargs[self.slug_url_kwarg]})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None


class ScopedListView(ActorMixin, ListView):
    http_method_names = ["get", "head"]


class ScopedDetailView(ScopedObjectMixin, DetailView):
    http_method_names = ["get", "head"]


class ScopedFormView(ScopedObjectMixin, FormView):
    """A form about one object the actor reaches; the object is loaded before GET or POST."""

    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("object", self.object)
        return super().get_context_data(**kwargs)


class CapabilityTemplateView(CapabilityMixin, TemplateView):
    http_method_names = ["get", "head"]


class CapabilityFormView(CapabilityMixin, FormView):
    http_method_names = ["get", "post"]


def form_error_from(form, error):
    """Put a service's ``ValidationError`` onto the form, so the error summary shows it."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)

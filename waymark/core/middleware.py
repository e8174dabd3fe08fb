"""Request id, tenant scope, private pages and the two-factor requirement."""

import contextvars
import logging
import re
import uuid

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django_scopes import scope

from .actor import Actor

request_id_var = contextvars.ContextVar("request_id", default="")
SESSION_SCHOOL_KEY = "waymark_school"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Gives every request an id that log lines and audit events share."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get() or "-"
        return True


class PrivatePagesMiddleware:
    """Nothing shown to a signed-in person is kept by the browser or by anything in between.

    A child handed the device in the locked pupil-voice mode (plans/pupil_voice_lock.py)
    must not find the adult's earlier pages (the register, a plan) with the back button,
    from the browser's cache; nor must the next person at a shared school computer after
    sign-out. Responses that set their own caching rules keep them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class SchoolScopeMiddleware:
    """Builds ``request.actor`` and runs the view inside the actor's school scope.

    Anonymous requests run in an empty scope, so a public page that touched a pupil
    would find nothing rather than everything.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            request.actor = Actor.for_user(request.user, school_public_id=request.session.get(SESSION_SCHOOL_KEY))
            school_ids = request.actor.scope_school_ids
        else:
            request.actor = None
            school_ids = []
        with scope(school=school_ids):
            return self.get_response(request)


class RequireMfaMiddleware:
    """Sends someone whose school requires two-factor sign-in for their role to set it up."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/session/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = getattr(request, "actor", None)
        if actor and actor.memberships and not request.path.startswith(self.ALLOWED_PREFIXES):
            # Any school that requires it for a role the person holds there: switching school
            # in the header must not be a way round it.
            required = any(
                set(membership.school.mfa_required_roles or []).intersection(membership.roles)
                for membership in actor.memberships
            )
            if required and not _has_totp(request.user):
                return redirect(reverse("mfa_activate_totp") + "?next=" + request.get_full_path())
        return self.get_response(request)


def _has_totp(user):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

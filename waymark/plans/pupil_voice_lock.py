"""The locked pupil-voice mode: a signed-in adult's session handed to a child for one form.

While the session holds a lock (``SESSION_KEY``), the middleware lets through only the
pupil's views form (GET and POST) and the page that says it has ended (static files are
served before any session is read); every other address, signing out, switching school
and keeping the session alive included, is sent back to the form. The lock names one
pupil, one draft, one style and the adult who opened it.

It ends by itself: when the form is sent or stopped, when the ended page is opened (the
page's timer goes there), or on the first request after ``PUPIL_VOICE_IDLE_MINUTES``
without one. Ending always flushes the whole session, which signs the adult out, so a
child holding the device can never reach the adult's account.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_KEY = "waymark_pupil_voice"
# Outcomes the ended page knows how to word; anything else reads as "this has ended".
OUTCOME_GIVEN = "given"
OUTCOME_NOT_SAVED = "not-saved"
OUTCOME_ENDED = "ended"


def idle_seconds():
    return int(settings.PUPIL_VOICE_IDLE_MINUTES) * 60


def _now():
    return timezone.now().timestamp()


def lock_session(request, *, version, style):
    """Put the session into locked mode for ``version``'s pupil, ``style`` and the signed-in adult.

    The session key is cycled, so a session id seen before the hand-over no longer works,
    and any messages waiting for the adult are dropped rather than shown to the child.
    """
    from django.contrib import messages

    for _message in messages.get_messages(request):
        pass  # iterating marks them used: they are deleted with this response
    request.session.cycle_key()
    now = _now()
    request.session[SESSION_KEY] = {
        "version": version.pk,
        "pupil": version.plan.pupil_id,
        "adult": request.user.pk,
        "style": style,
        "started_at": now,
        "last_seen": now,
    }


def current_lock(request):
    """The session's lock as a dict, or ``None`` when the session is not locked."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    lock = session.get(SESSION_KEY)
    return lock if isinstance(lock, dict) else None


def lock_is_sound(request, lock):
    """The lock belongs to the person signed in and holds what it must; anything else ends it."""
    user = getattr(request, "user", None)
    return (
        user is not None
        and user.is_authenticated
        and lock.get("adult") == user.pk
        and isinstance(lock.get("version"), int)
        and isinstance(lock.get("last_seen"), (int, float))
    )


def is_idle(lock, now=None):
    now = _now() if now is None else now
    return now - float(lock.get("last_seen", 0)) > idle_seconds()


def touch(request, lock):
    """Someone is using the form: the idle time starts again."""
    request.session[SESSION_KEY] = {**lock, "last_seen": _now()}


def end_session(request, *, reason=None):
    """End the locked mode: record why (unless answers were saved), then flush the whole session.

    ``reason`` is None when the form was sent: ``pupil_voice_save`` has already recorded it.
    The flush happens whatever else fails, because a child must never keep the adult's session.
    """
    lock = current_lock(request)
    try:
        if reason and lock and getattr(request, "actor", None) is not None:
            _record_end(request.actor, lock, reason)
    finally:
        logout(request)  # flushes the session and signs the adult out
        request.actor = None  # nothing rendered after this may speak for the adult


def _record_end(actor, lock, reason):
    from .models import PlanVersion
    from .pupil_voice import pupil_voice_end

    version = PlanVersion.objects.select_related("plan__pupil").filter(pk=lock.get("version")).first()
    if version is None:
        return
    try:
        pupil_voice_end(actor=actor, version=version, reason=reason)
    except PermissionDenied:
        pass  # the adult lost access meanwhile: nothing of theirs to record against this pupil


def ended_url(outcome):
    return f"{reverse('plans:pupil-voice-ended')}?outcome={outcome}"


class PupilVoiceLockMiddleware:
    """Keeps a locked session on the pupil's views form. Runs after authentication and the school scope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lock = current_lock(request)
        if lock is None:
            return self.get_response(request)
        # Static files never get this far: WhiteNoise (or the web server) serves them before the
        # session is read. Anything else, under /static/ or not, is treated like any other page.
        path = request.path
        form_path = reverse("plans:pupil-voice-form")
        ended_path = reverse("plans:pupil-voice-ended")
        if not lock_is_sound(request, lock):
            end_session(request, reason="broken")
            return self._to_ended(request, path, ended_path)
        if is_idle(lock):
            end_session(request, reason="idle")
            return self._to_ended(request, path, ended_path)
        if path == ended_path:
            # The page's timer, or the child, left the form: end it before showing the page.
            end_session(request, reason="left")
            return self.get_response(request)
        if path == form_path:
            touch(request, lock)
            return self.get_response(request)
        return redirect(form_path)

    def _to_ended(self, request, path, ended_path):
        if path == ended_path:
            return self.get_response(request)
        return redirect(ended_url(OUTCOME_ENDED))

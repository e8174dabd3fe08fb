"""Every view is scoped or on the public list, and no URL carries an integer key.

The test walks the whole URLconf, includes and all, so a new view cannot be added
without declaring how it is reached (``waymark_access``, see core/views/base.py).
"""

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern

from waymark.core.views.base import PUBLIC, SCHOOL_CAPABILITY, SCOPED, SIGNED_IN

# django-allauth's account pages. None of them touches school data: each is public
# (signing in, resetting a password from an emailed key) or acts only on the signed-in
# person themselves (signing out, changing their password, their own two-factor setup).
# A new allauth page, or any page of ours, must be reviewed before it joins this list.
ALLAUTH_ACCOUNT_URL_NAMES = frozenset(
    {
        # public: signing in and out
        "account_login",
        "account_logout",
        "account_inactive",
        "account_confirm_login_code",
        # public: password reset from an emailed, single-use key
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        # public: email confirmation (verification is off, but allauth still mounts them)
        "account_email_verification_sent",
        "account_confirm_email",
        # the signed-in person themselves
        "account_reauthenticate",
        "account_change_password",
        "account_set_password",
        # two-factor sign-in for the signed-in person themselves
        "mfa_index",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_trust",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
    }
)
# allauth mounts these too, but waymark/urls.py puts closed_account_page in front of them.
SHADOWED_ALLAUTH_URL_NAMES = frozenset({"account_signup", "account_email"})
# Keys in allauth's emailed links (regex groups, not our converters).
ALLAUTH_KEY_GROUPS = frozenset({"key", "uidb36"})
ACCESS_MARKERS = {PUBLIC, SIGNED_IN, SCOPED, SCHOOL_CAPABILITY}


def walk(patterns=None, prefix="", converters=None):
    """Yield ``(route, pattern, converters)`` for every URLPattern, through every include."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        found = dict(converters or {})
        if isinstance(entry.pattern, RoutePattern):
            found.update(entry.pattern.converters)
        elif isinstance(entry.pattern, RegexPattern):
            found.update({name: None for name in entry.pattern.regex.groupindex})
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, route, found)
        else:
            assert isinstance(entry, URLPattern)
            yield route, entry, found


def access_marker(callback):
    for candidate in (callback, getattr(callback, "view_class", None), getattr(callback, "cls", None)):
        marker = getattr(candidate, "waymark_access", None)
        if marker is not None:
            return marker
    return None


def is_ours(callback):
    view = getattr(callback, "view_class", callback)
    return view.__module__.startswith("waymark.")


def test_the_walk_finds_our_views():
    names = {pattern.name for _, pattern, _ in walk()}
    for name in ("register-list", "pupil-detail", "staff-list", "home", "account_login", "mfa_activate_totp"):
        assert name in names


def test_every_view_is_scoped_or_on_the_public_list():
    unmarked = []
    for route, pattern, _ in walk():
        callback = pattern.callback
        marker = access_marker(callback)
        if marker is not None:
            assert marker in ACCESS_MARKERS, f"{route}: unknown waymark_access {marker!r}"
            continue
        if is_ours(callback):
            unmarked.append(f"{route} ({pattern.name})")
            continue
        if pattern.name in ALLAUTH_ACCOUNT_URL_NAMES or pattern.name in SHADOWED_ALLAUTH_URL_NAMES:
            continue
        unmarked.append(f"{route} ({pattern.name})")
    assert not unmarked, "Views with no waymark_access and not on the public list:\n" + "\n".join(unmarked)


def test_shadowed_allauth_pages_really_are_shadowed():
    for name in SHADOWED_ALLAUTH_URL_NAMES:
        match = resolve(reverse(name))
        assert access_marker(match.func) == PUBLIC, name
        assert match.func.__module__ == "waymark.accounts.views"


# Slugs that name a fixed kind of thing (a plan section), not a row: nothing to guess.
NAMED_NOT_NUMBERED = {"key", "section"}


def test_no_url_captures_an_integer_and_ids_are_uuids_or_tokens():
    problems = []
    for route, pattern, converters in walk():
        for name, converter in converters.items():
            if isinstance(converter, IntConverter):
                problems.append(f"{route}: <int:{name}> exposes an integer key")
            elif converter is None:  # a regex group
                if is_ours(pattern.callback) or name not in ALLAUTH_KEY_GROUPS:
                    problems.append(f"{route}: regex group {name!r}; use <uuid:...> or <str:token>")
            elif isinstance(converter, UUIDConverter):
                continue
            elif type(converter) is StringConverter and name == "token":
                continue
            elif isinstance(converter, SlugConverter) and name in NAMED_NOT_NUMBERED:
                continue
            else:
                problems.append(f"{route}: <{type(converter).__name__}:{name}>; use <uuid:...> or <str:token>")
    assert not problems, "\n".join(problems)


def test_public_views_are_few_and_known():
    public = sorted(
        pattern.name
        for _, pattern, _ in walk()
        if is_ours(pattern.callback) and access_marker(pattern.callback) == PUBLIC
    )
    assert public == sorted(
        [
            "account_signup",
            "account_email",
            "accessibility",
            "privacy",
            "invitation-accept",
            # A parent accepting an invitation: the emailed link and the school's code (pupils/family_views.py).
            "parent-invitation-accept",
            # An outside specialist accepting a share with the emailed link (evidence/views/shares.py).
            "share-accept",
            # Where a locked pupil-voice session ends, after the session is flushed (plans/views/pupil_voice.py).
            "pupil-voice-ended",
            # The transfer package format's JSON Schema, published for other systems (exchange/views/transfers.py).
            "transfer-schema",
        ]
    ), "A new public page needs review: " + ", ".join(public)

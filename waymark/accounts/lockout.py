"""Which account a sign-in attempt is for, as django-axes counts failures."""


def username_for_lockout(request, credentials):
    """allauth authenticates with ``email=``; its form posts the address as ``login``."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or request.POST.get("login", "")
    return (value or "").strip().lower() or None

"""Links in emails: built from the configured address, since an email has no request to take a host from.

Never from a request's Host header either, which a visitor controls (a forged host would
send a parent's invitation link to someone else's server).
"""

from django.conf import settings
from django.urls import reverse


def absolute_url(view_name, **kwargs):
    return settings.WAYMARK_BASE_URL + reverse(view_name, kwargs=kwargs)

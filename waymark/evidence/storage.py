"""Where uploaded documents live: outside the static and media paths, so no URL serves them.

Only ``evidence.views`` hands a file out, as a download, after the scoped lookup and with an
audit event. ``WAYMARK_PRIVATE_MEDIA_ROOT`` says where the folder is (a temporary one in tests).
"""

from functools import cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage


@cache
def private_storage():
    # No base_url: the storage cannot produce a URL for a file, so no template can link to one.
    # Readable by the app's own user only: not by every account on the server (Django's default is 0o644).
    return FileSystemStorage(
        location=settings.WAYMARK_PRIVATE_MEDIA_ROOT,
        base_url=None,
        file_permissions_mode=0o600,
        directory_permissions_mode=0o700,
    )

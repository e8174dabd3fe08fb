"""Helpers every service uses: permission checks and the stale-save guard."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "Someone else saved changes to this record after you opened it. Your changes have not been "
    "saved. The page now shows their version: check it, then make your changes again."
)


def is_stale(error):
    """Whether a service refused a save because someone else saved first (``save_versioned``)."""
    return getattr(error, "code", None) == "stale" or any(
        getattr(item, "code", None) == "stale" for item in getattr(error, "error_list", [])
    )


def require(condition):
    """Services check permission again: importers, commands and the API reach them without a view."""
    if not condition:
        raise PermissionDenied


def require_pupil(actor, pupil, action):
    from waymark.pupils.models import Pupil

    require(Pupil.objects.restrict(actor, action, audience="staff").filter(pk=pupil.pk).exists())


def save_versioned(obj, *, expected_version=None):
    """``full_clean`` and save ``obj``, refusing if someone saved it since ``expected_version``.

    Call inside ``transaction.atomic``: the row is locked while its version is compared.
    """
    if obj.pk is not None:
        current = (
            # order_by("pk") replaces Meta.ordering, which may join a nullable relation, and
            # PostgreSQL refuses FOR UPDATE across an outer join.
            type(obj)
            ._base_manager.select_for_update()
            .filter(pk=obj.pk)
            .order_by("pk")
            .values_list("lock_version", flat=True)
            .first()
        )
        if expected_version is not None and current != int(expected_version):
            raise ValidationError(STALE_MESSAGE, code="stale")
        obj.lock_version = (current or 0) + 1
    obj.full_clean()
    obj.save()
    return obj

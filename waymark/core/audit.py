"""Writing audit events. Call inside the service's transaction so the event and the write land together."""

from .audit_registry import describe
from .middleware import request_id_var
from .models import AuditEvent


def audit_record(*, actor, action, target=None, pupil=None, school=None, data=None):
    """Append one event. ``target`` and ``pupil`` are stored as ids only, never their content."""
    describe(action)  # an unregistered code is a programming error: fail loudly, here
    if school is None:
        school = getattr(pupil, "school", None) or getattr(target, "school", None)
        if school is None:
            school = getattr(actor, "school", None)
    target_type, target_id = "", ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(getattr(target, "public_id", None) or target.pk)
    user = getattr(actor, "user", actor)
    return AuditEvent.objects.create(
        school=school,
        actor=user if getattr(user, "pk", None) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        pupil_id=getattr(pupil, "public_id", None),
        data=data or {},
        request_id=request_id_var.get(),
    )

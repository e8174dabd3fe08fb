"""A block in which nothing is emailed or queued to be emailed: for writing made-up history.

``manage.py demo`` writes months of a fictional school's history through the real services
in a few seconds. Left alone, those services would queue an email to parents for every plan
shared, published and reviewed, and send every invitation: hundreds of tasks that the worker
started by ``make run`` would then print, about things that "happened" weeks ago. Inside
``email_held()`` the places that send or queue email (``plans.notices.notify_parents_later``
and ``pupils.invitations``) do nothing else. They check when the email would be queued, not
when the transaction commits, so a caller's outer transaction cannot let anything out later.

Only the demo holds email. A request, a task or a command never runs inside the block, and
the flag is a context variable, so it cannot leak into another thread or request.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_held = ContextVar("waymark_email_held", default=False)


@contextmanager
def email_held():
    """Inside this block no email is sent or queued (see the module's docstring)."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def is_email_held():
    return _held.get()

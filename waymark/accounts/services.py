"""Creating accounts. Accounts come from invitations, never from signing up."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction


@transaction.atomic
def user_create(*, email, full_name, password=None, is_demo=False):
    """A new account whose address counts as verified.

    Callers create accounts only for someone who has proved they hold the address (by
    following an emailed invitation) or for demo data. allauth will not turn on
    two-factor sign-in without a verified address, and schools require it for some roles.
    """
    user = get_user_model().objects.create_user(email=email, password=password, full_name=full_name, is_demo=is_demo)
    email_address_verify(user=user)
    return user


def email_address_verify(*, user):
    """Record the user's sign-in address as their verified, primary address."""
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by invitation from a school, never by signing up."""

    def is_open_for_signup(self, request):
        return False

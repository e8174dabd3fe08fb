from django.http import Http404
from django.views.decorators.http import require_GET

from waymark.core.views.base import public_view


@public_view
@require_GET
def closed_account_page(request):
    """Sign-up and extra email addresses are not offered: the school manages who has an account."""
    raise Http404

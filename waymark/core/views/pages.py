"""The home page, school switcher, session keep-alive and the public information pages."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from waymark.core.access import Action, Reach
from waymark.core.audit import audit_record
from waymark.core.middleware import SESSION_SCHOOL_KEY
from waymark.core.views.base import public_view, signed_in_view
from waymark.evidence.share_selectors import specialist_shares
from waymark.exchange.permissions import can_administer_records, can_check_census, can_import
from waymark.plans.dashboard import senco_dashboard
from waymark.plans.family_selectors import family_children
from waymark.provision.permissions import can_manage_provision, can_see_provision_map, has_groups_to_run


@signed_in_view
@require_GET
def home(request):
    """Each person's starting point: what their roles let them do, and their own children."""
    actor = request.actor
    children = []
    shared = []
    if actor.is_parent:
        # Through their own active links, each with the one thing to do (a fixed number of queries).
        children = family_children(actor)
    if actor.is_specialist:
        # Their live shares only, each linking to what it lets them see.
        shared = specialist_shares(actor)
    context = {
        "children": children,
        "shared_with_me": shared,
        "can_view_register": actor.reach(Action.VIEW) in (Reach.ALL, Reach.YEAR_GROUP, Reach.OWN_GROUPS),
        "can_see_figures": actor.can_see_figures(),
        "can_administer": actor.can_administer(),
        "can_invite": actor.reach(Action.INVITE) == Reach.ALL,
        "can_add_pupils": actor.reach(Action.EDIT) == Reach.ALL,
        # Reviews due, parents' views and disagreements: for those who run the plans.
        "dashboard": senco_dashboard(actor) if actor.reach(Action.REVIEW) == Reach.ALL else None,
        "provision": {
            "run_groups": has_groups_to_run(actor),
            "manage": can_manage_provision(actor),
            "see_map": can_see_provision_map(actor),
        },
        "exchange": {
            "import": can_import(actor),
            "census": can_check_census(actor),
            "records": can_administer_records(actor),
        },
    }
    return render(request, "core/home.html", context)


@signed_in_view
@require_POST
def school_switch(request):
    """Staff pick which of their schools they are working in; the choice is kept in the session."""
    chosen = request.POST.get("school", "")
    school = next((s for s in request.actor.schools if str(s.public_id) == chosen), None)
    if school is None:
        messages.error(request, _("Choose one of your schools."))
    else:
        request.session[SESSION_SCHOOL_KEY] = str(school.public_id)
        audit_record(actor=request.actor, action="schools.school.switched", school=school)
        messages.success(request, _("You are now working in %(school)s.") % {"school": school.name})
    # Whatever page they were on belongs to the old school: start again from home.
    return redirect("core:home")


@signed_in_view
@require_POST
def session_extend(request):
    """ "Stay signed in": any request refreshes the session (SESSION_SAVE_EVERY_REQUEST)."""
    request.session.modified = True
    return HttpResponse(status=204)


@public_view
@require_GET
def accessibility(request):
    return render(request, "core/accessibility.html")


@public_view
@require_GET
def privacy(request):
    return render(request, "core/privacy.html")

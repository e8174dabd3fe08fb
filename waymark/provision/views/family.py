"""Parents: the support their own child had this term, in plain words.

The page starts from the actor's own ACTIVE link to the child (``family_link_get``), like
every parent page: a parent of another child, a restricted or suspended parent, staff and
outside specialists get a 404. Every view is audited.
"""

from django.http import Http404
from django.views.generic import TemplateView

from waymark.core.audit import audit_record
from waymark.core.views.base import ActorMixin
from waymark.plans.family_selectors import family_link_get
from waymark.pupils.models import ParentLink

from ..family import family_support


class FamilySupportView(ActorMixin, TemplateView):
    """ "Support this term": the support the plan promises, and each session this term for this child only."""

    template_name = "provision/family_support.html"
    http_method_names = ["get", "head"]

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        try:
            self.link = family_link_get(self.actor, kwargs["public_id"])
        except (ParentLink.DoesNotExist, ValueError):
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        support = family_support(self.actor, self.link)
        audit_record(
            actor=self.actor,
            action="provision.family_support.viewed",
            target=self.link,
            pupil=self.link.pupil,
            data={"sessions": len(support.sessions)},
        )
        return super().get_context_data(
            support=support, pupil=self.link.pupil, school=self.link.pupil.school, link=self.link, **kwargs
        )

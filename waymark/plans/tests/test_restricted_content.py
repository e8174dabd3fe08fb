"""Content marked restricted is for the SENCO and DSL alone: nobody else may overwrite or remove it."""

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import Visibility
from waymark.plans import services
from waymark.plans.models import Adjustment, PlanSection
from waymark.tests import factories as f


@pytest.fixture
def setting(cast):
    with scopes_disabled():
        deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    with scope(school=[cast.school.pk]):
        senco = Actor.for_user(cast.senco)
        draft = services.plan_start(actor=senco, pupil=cast.pupil)
        section = PlanSection.objects.get(version=draft, key="about_me")
        section = services.section_save(
            actor=senco,
            section=section,
            data={"important_to_me": "Something only the SENCO should read"},
            visibility=Visibility.RESTRICTED,
            expected_version=section.lock_version,
        )
        item = services.item_add(
            actor=senco,
            version=draft,
            section_key="adjustments",
            fields={"text": "A restricted adjustment", "visibility": Visibility.RESTRICTED},
        )
        yield Actor.for_user(deputy), section, item


def test_a_deputy_senco_cannot_overwrite_a_restricted_section_by_lowering_it(setting):
    deputy, section, _item = setting
    with pytest.raises(PermissionDenied):
        services.section_save(
            actor=deputy,
            section=section,
            data={"important_to_me": "Overwritten"},
            visibility=Visibility.STAFF,
            expected_version=section.lock_version,
        )
    section.refresh_from_db()
    assert section.data["important_to_me"] == "Something only the SENCO should read"


def test_a_deputy_senco_cannot_change_or_remove_a_restricted_item(setting):
    deputy, _section, item = setting
    with pytest.raises(PermissionDenied):
        services.item_update(
            actor=deputy, item=item, fields={"text": "Changed", "visibility": "staff"}, expected_version=1
        )
    with pytest.raises(PermissionDenied):
        services.item_delete(actor=deputy, item=item, expected_version=item.lock_version)
    assert Adjustment.objects.get(pk=item.pk).text == "A restricted adjustment"

"""Review findings: restricted content reaching a deputy SENCO."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import Visibility
from waymark.plans import services
from waymark.pupils.models import Need
from waymark.pupils.tests.test_forms_bad_input import date_fields
from waymark.tests import factories as f

SECRET = "Restricted: collect {name} from the side gate, never the front (court order)"


@pytest.fixture
def deputy(cast):
    with scopes_disabled():
        user = f.UserFactory(email="deputy.senco@example.test", full_name="Dana Deputy")
        f.MembershipFactory(user=user, school=cast.school, roles=["deputy_senco"])
    return user


@pytest.fixture
def draft_with_restricted_bank_item(cast):
    """A SENCO's draft holding a RESTRICTED adjustment inserted from the bank and not yet personalised."""
    with scope(school=[cast.school.pk]):
        senco = Actor.for_user(cast.senco)
        draft = services.plan_start(actor=senco, pupil=cast.pupil)
        services.item_add(
            actor=senco,
            version=draft,
            section_key="adjustments",
            fields={"text": SECRET, "visibility": Visibility.RESTRICTED},
            bank_text=SECRET,
        )
    return draft


@pytest.mark.parametrize("page", ["version-publish", "version-share"])
def test_deputy_senco_does_not_see_restricted_item_on_publish_or_share_page(
    cast, client_for, deputy, draft_with_restricted_bank_item, page
):
    draft = draft_with_restricted_bank_item
    # The editor itself hides it from the deputy...
    editor = client_for(deputy).get(reverse("plans:version-edit", kwargs={"public_id": draft.public_id}))
    assert editor.status_code == 200
    assert "side gate" not in editor.content.decode()
    # ...but the confirmation page lists every word-for-word bank item, restricted ones included.
    response = client_for(deputy).get(reverse(f"plans:{page}", kwargs={"public_id": draft.public_id}))
    assert response.status_code == 200
    assert "side gate" not in response.content.decode()


def test_deputy_senco_cannot_end_a_restricted_need(cast, client_for, deputy):
    with scopes_disabled():
        cast.need.visibility = Visibility.RESTRICTED
        cast.need.description = "Only the SENCO and DSL may read this"
        cast.need.save()
        lock = Need.objects.get(pk=cast.need.pk).lock_version
    client = client_for(deputy)
    # Editing it is refused (NeedEditView excludes restricted needs for the deputy)...
    assert client.get(reverse("pupils:need-edit", kwargs={"public_id": cast.need.public_id})).status_code == 404
    # ...ending it is not.
    url = reverse("pupils:need-end", kwargs={"public_id": cast.need.public_id})
    today = datetime.date.today()
    response = client.post(
        url,
        {"lock_version": lock, **date_fields("ends_on", (today.day, today.month, today.year))},
    )
    with scopes_disabled():
        assert Need.objects.get(pk=cast.need.pk).ends_on is None, response.status_code


def test_a_service_caller_cannot_attach_another_schools_staff_or_another_pupils_need(cast):
    from django.core.exceptions import ValidationError

    with scope(school=[cast.school.pk, cast.other_school.pk]):
        senco = Actor.for_user(cast.senco)
        draft = services.plan_start(actor=senco, pupil=cast.pupil)
        other_need = f.NeedFactory(pupil=cast.other_pupil)
        with pytest.raises(ValidationError):
            services.item_add(
                actor=senco, version=draft, section_key="needs", fields={"need": other_need, "text": "Barrier"}
            )
        with pytest.raises(ValidationError):
            services.item_add(
                actor=senco,
                version=draft,
                section_key="provision",
                fields={
                    "what": "Reading group",
                    "delivered_by": cast.other_senco,
                    "sessions_per_week": 2,
                    "minutes_per_session": 20,
                    "group_size": 4,
                    "starts_on": datetime.date.today(),
                    "ends_on": datetime.date.today() + datetime.timedelta(days=60),
                },
            )

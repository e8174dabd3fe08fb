import datetime
import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from waymark.provision.tests import factories as pf
from waymark.tests import factories as f


def test_governor_with_leftover_leader_row(cast, client_for):
    with scopes_disabled():
        pf.GroupLeaderFactory(group=cast.group, user=cast.governor, staff_role=cast.staff_role)
        pf.SessionLogFactory(group=cast.group, date=datetime.date.today() - datetime.timedelta(days=1), logged_by=cast.ta, note="Zephyrine cried")
    r = client_for(cast.governor).get(reverse("provision:group-detail", args=[cast.group.public_id]))
    print("governor group detail", r.status_code, b"Quartermaine" in r.content, b"cried" in r.content)
    r = client_for(cast.governor).get(reverse("provision:group-measures", args=[cast.group.public_id]))
    print("governor measures", r.status_code, b"Quartermaine" in r.content)
    r = client_for(cast.governor).get(reverse("provision:today"))
    print("governor today", r.status_code, b"Quartermaine" in r.content)
    r = client_for(cast.trust_lead).get(reverse("provision:group-detail", args=[cast.group.public_id]))
    print("trust lead", r.status_code)

"""The "date by person" stamp used on plan pages."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from waymark.core.templatetags.waymark_tags import stamped


def test_stamp_names_the_person_and_uses_the_school_date_style():
    moment = timezone.make_aware(datetime.datetime(2027, 3, 4, 10, 30))
    assert stamped(moment, SimpleNamespace(full_name="Jo Bloggs")) == "4 March 2027 by Jo Bloggs"


def test_stamp_without_a_person_is_just_the_date_and_without_a_date_is_empty():
    moment = timezone.make_aware(datetime.datetime(2027, 3, 4, 10, 30))
    assert stamped(moment, None) == "4 March 2027"
    assert stamped(None, SimpleNamespace(full_name="Jo Bloggs")) == ""

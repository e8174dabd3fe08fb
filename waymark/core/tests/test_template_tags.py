"""The "date by person" stamp used on plan pages, and the layout's check for a page's several forms."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from waymark.core.templatetags.waymark_tags import any_errors, stamped


def test_stamp_names_the_person_and_uses_the_school_date_style():
    moment = timezone.make_aware(datetime.datetime(2027, 3, 4, 10, 30))
    assert stamped(moment, SimpleNamespace(full_name="Jo Bloggs")) == "4 March 2027 by Jo Bloggs"


def test_stamp_without_a_person_is_just_the_date_and_without_a_date_is_empty():
    moment = timezone.make_aware(datetime.datetime(2027, 3, 4, 10, 30))
    assert stamped(moment, None) == "4 March 2027"
    assert stamped(None, SimpleNamespace(full_name="Jo Bloggs")) == ""


def test_any_errors_is_true_only_when_one_of_the_forms_came_back_with_errors():
    clean, failed = SimpleNamespace(errors={}), SimpleNamespace(errors={"reason": ["Give the reason"]})
    assert any_errors([clean, failed]) is True
    assert any_errors([clean]) is False
    assert any_errors([]) is False
    assert any_errors("") is False  # no ``forms`` on the page
    assert any_errors(3) is False  # something else called "forms"

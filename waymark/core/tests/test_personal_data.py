"""Every model that reaches a pupil must be in the personal-data register."""

from django.apps import apps

from waymark.core.personal_data import NOT_PERSONAL_DATA, PERSONAL_DATA
from waymark.pupils.models import Pupil


def _points_at_pupil(model):
    return any(getattr(field, "related_model", None) is Pupil and field.many_to_one for field in model._meta.fields)


def test_every_model_pointing_at_a_pupil_is_registered():
    registered = {entry.model for entry in PERSONAL_DATA} | set(NOT_PERSONAL_DATA)
    missing = [
        model._meta.label
        for model in apps.get_models()
        if (model is Pupil or _points_at_pupil(model)) and model._meta.label not in registered
    ]
    assert missing == [], f"Add these to core/personal_data.py: {missing}"


def test_every_registered_path_resolves():
    for entry in PERSONAL_DATA:
        model = entry.model_class
        if entry.pupil_path and not entry.by_public_id:
            for step in entry.pupil_path.split("__"):
                model = model._meta.get_field(step).related_model
            assert model is Pupil, entry.model

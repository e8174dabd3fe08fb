"""The broad areas of need and the census need type codes, as data (DOMAIN.md)."""

from django.db import migrations

AREAS = [
    ("communication-interaction", "Communication and interaction"),
    ("cognition-learning", "Cognition and learning"),
    ("semh", "Social, emotional and mental health"),
    ("sensory-physical", "Sensory and/or physical"),
]

NEED_TYPES = [
    ("SPLD", "Specific learning difficulty", "cognition-learning"),
    ("MLD", "Moderate learning difficulty", "cognition-learning"),
    ("SLD", "Severe learning difficulty", "cognition-learning"),
    ("PMLD", "Profound and multiple learning difficulty", "cognition-learning"),
    ("SLCN", "Speech, language and communication needs", "communication-interaction"),
    ("ASD", "Autistic spectrum disorder", "communication-interaction"),
    ("SEMH", "Social, emotional and mental health", "semh"),
    ("HI", "Hearing impairment", "sensory-physical"),
    ("VI", "Vision impairment", "sensory-physical"),
    ("MSI", "Multi-sensory impairment", "sensory-physical"),
    ("PD", "Physical disability", "sensory-physical"),
    ("DS", "Down syndrome", None),
    ("OTH", "Other difficulty or disability", None),
    ("NSA", "SEN support but no specialist assessment of type of need", None),
]


def load(apps, schema_editor):
    AreaOfNeed = apps.get_model("pupils", "AreaOfNeed")
    NeedType = apps.get_model("pupils", "NeedType")
    areas = {}
    for order, (code, name) in enumerate(AREAS):
        areas[code], _ = AreaOfNeed.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    for order, (code, name, area) in enumerate(NEED_TYPES):
        NeedType.objects.update_or_create(
            code=code, defaults={"name": name, "area": areas.get(area), "order": order, "is_active": True}
        )


class Migration(migrations.Migration):
    dependencies = [("pupils", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

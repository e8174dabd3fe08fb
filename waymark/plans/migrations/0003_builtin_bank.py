"""The built-in strategy bank (plans/bank_data.py), stored with no school.

Each entry's public id is derived from its fixed key, so the load is the same on every
install and running it again changes nothing. To correct or add built-in entries later,
edit bank_data.py and add a migration that calls ``load_builtin_bank`` again.
"""

from django.db import migrations


def load(apps, schema_editor):
    from waymark.plans.bank_data import load_builtin_bank

    load_builtin_bank(apps.get_model("plans", "BankEntry"), apps.get_model("pupils", "AreaOfNeed"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_builtin_templates"), ("pupils", "0002_need_taxonomy")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""System checks of our own. ``manage.py check --deploy`` runs the ones tagged for deployment."""

from django.core import checks
from django.db import DatabaseError, connection


@checks.register(checks.Tags.security, deploy=True)
def demo_data_check(app_configs=None, **kwargs):
    """Refuse a deployment while accounts or schools made by ``manage.py demo`` exist.

    Demo accounts share a published password. Before the first ``migrate`` there is nothing to
    find, so no error; a database that cannot be reached is a warning, not a pass in silence.
    """
    from waymark.accounts.models import User
    from waymark.schools.models import School

    try:
        tables = set(connection.introspection.table_names())
        if not {User._meta.db_table, School._meta.db_table} <= tables:
            return []
        found = User.objects.filter(is_demo=True).exists() or School.objects.filter(is_demo=True).exists()
    except DatabaseError as error:
        return [
            checks.Warning(
                "Could not check for demo accounts: the database could not be read.",
                hint=str(error),
                id="waymark.W001",
            )
        ]
    if not found:
        return []
    return [
        checks.Error(
            "Demo accounts exist: remove them before deploying.",
            hint="Accounts and schools made by `manage.py demo` share a published password. "
            "Deploy with a fresh database.",
            id="waymark.E001",
        )
    ]

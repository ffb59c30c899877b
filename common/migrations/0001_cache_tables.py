"""The database cache tables of settings.CACHES, so that `migrate` alone leaves a working database.

Throttles count in the cache; without its table every login and upload failed. `createcachetable`
skips tables that exist, so running it as well (Django's test runner does) changes nothing.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=False)]

"""The word-pair index of phrases (tweets.search_index.install_pairs), built without blocking
writes: CREATE INDEX CONCURRENTLY, outside a transaction. On a database that tweets.0009 has just
created it already exists (built there on the empty table) and nothing happens."""

from django.db import migrations


def forwards(apps, schema_editor):
    from tweets import search_index

    if schema_editor.connection.vendor == "postgresql":
        search_index.install_pairs(schema_editor.connection, concurrently=True)


def backwards(apps, schema_editor):
    from tweets import search_index

    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {search_index.PAIRS_INDEX}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tweets", "0010_attachment_alt")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]

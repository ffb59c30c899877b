"""The full-text search index (tweets.search_index): PostgreSQL's tsvector column, trigger and GIN
index, or SQLite's FTS5 table and triggers; existing tweets are indexed here."""

from django.db import migrations


def forwards(apps, schema_editor):
    from tweets import search_index

    search_index.install(schema_editor.connection, fill=True)


def backwards(apps, schema_editor):
    from tweets import search_index

    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("tweets", "0008_replies_edits_mentions_tags")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]

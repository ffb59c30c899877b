import pytest
from django.apps import apps
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's catalog"),
]

# Pairs (redundant, covering): a plain index whose key columns, with the same operator classes,
# lead a full (not partial) index of the same table. Such an index is written on every insert and
# never needed for a read.
REDUNDANT_INDEXES_SQL = """
WITH keyed AS (
    SELECT indexrelid, indrelid, indisunique, indpred IS NULL AND indexprs IS NULL AS plain,
           (string_to_array(indkey::text, ' ')::int[])[1:indnkeyatts] AS keys,
           (string_to_array(indclass::text, ' ')::oid[])[1:indnkeyatts] AS classes
    FROM pg_index
    WHERE indrelid = ANY(%s::regclass[])
)
SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text
FROM keyed a JOIN keyed b ON a.indrelid = b.indrelid AND a.indexrelid <> b.indexrelid
WHERE NOT a.indisunique AND a.plain AND b.plain
  AND b.keys[1:cardinality(a.keys)] = a.keys AND b.classes[1:cardinality(a.classes)] = a.classes
ORDER BY 1
"""
OUR_APPS = ["accounts", "tweets", "media", "feed", "moderation"]


def test_no_index_of_ours_is_covered_by_another():
    tables = [model._meta.db_table for app in OUR_APPS for model in apps.get_app_config(app).get_models()]
    with connection.cursor() as cursor:
        cursor.execute(REDUNDANT_INDEXES_SQL, [tables])
        redundant = cursor.fetchall()
    assert redundant == [], "\n".join(f"{a} is covered by {b}" for a, b in redundant)

"""Index kinds that differ by database."""

from django.db import models


class AppendOrderIndex(models.Index):
    """A BRIN index on PostgreSQL, a plain one elsewhere: for a column that grows with the rows'
    insertion order (a creation time) and is read only by range (the rows since, or before, a time).

    BRIN keeps the least and greatest value of each run of 128 table pages: a row written at the
    end of the table adds no index entry (a btree adds one, and its WAL, on every write), and a
    range scan reads the page runs that can hold it. Its fields take no ordering (no "-field")."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            using = " USING brin"
        return super().create_sql(model, schema_editor, using=using, **kwargs)

"""Query helpers every app may use."""

import sqlite3

import orjson
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import In


def count_subquery(model, field: str, **filters) -> Coalesce:
    """Rows of `model` whose `field` points at the outer row, as a correlated subquery: it counts
    only for the rows on the page, where a Count() join would aggregate the whole table."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
    )
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


class Ids(list):
    """Ids bound as one parameter whatever their number: psycopg sends a list as an array, and
    sqlite3 sends this type as JSON text (the adapter registered below)."""


sqlite3.register_adapter(Ids, lambda ids: orjson.dumps(ids).decode())


class InArray(In):
    """`In(F("field"), ids)` for a filter(), whose statement is the same text whatever the ids.

    The ids are one parameter (Ids): `field = ANY(%s)` on PostgreSQL, `field IN (SELECT value FROM
    json_each(%s))` on SQLite. PostgreSQL then prepares the statement once per connection
    (DB_SERVER_SIDE_BINDING), where an IN list of a thousand placeholders is a new statement for
    every length, and a caller may compile its query once per process (tweets.selectors' likers).
    """

    def _ids(self) -> Ids:
        return Ids(value for value in self.rhs if value is not None)

    def as_postgresql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs_sql} = ANY(%s)", [*lhs_params, self._ids()]

    def as_sqlite(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs_sql} IN (SELECT value FROM json_each(%s))", [*lhs_params, self._ids()]

"""Query helpers every app may use."""

import functools
import sqlite3
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
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


# Stands for the current time in a compiled query (CompiledQuery.bind puts the real one in).
NOW_PLACEHOLDER = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CompiledQuery:
    """A queryset's SQL and parameters, compiled once; each execution replaces the placeholders
    among the parameters."""

    sql: str
    template: tuple

    @functools.cached_property
    def _placeholders(self) -> frozenset:
        return frozenset(param for param in self.template if isinstance(param, Hashable))

    def bind(self, db, *, now: datetime | None = None, values: Mapping | None = None) -> list:
        """The parameters for one execution on connection `db`: NOW_PLACEHOLDER replaced by `now`,
        and each key of `values` (a placeholder, as the database is sent it: adapted) by its value.

        A placeholder missing from the parameters means the query's definition changed under its
        caller (the time is no longer a parameter, say): that raises rather than run the query.
        """
        replace = dict(values or {})
        if now is not None:
            adapt = db.ops.adapt_datetimefield_value
            replace[adapt(NOW_PLACEHOLDER)] = adapt(now)
        if not self._placeholders.issuperset(replace):
            raise AssertionError(f"the query no longer takes {set(replace) - self._placeholders}: {self.sql}")
        return [replace.get(p, p) if isinstance(p, Hashable) else p for p in self.template]


def compiled_once(build: Callable[..., QuerySet]) -> Callable[..., CompiledQuery]:
    """`build(*args)`'s queryset compiled to SQL once per process, per args and database vendor.

    For the queries requests run all the time: building and compiling a queryset can cost more
    CPU than the database spends running it. The queryset holds placeholders (NOW_PLACEHOLDER,
    or values of the caller's own) where each execution's values go; see CompiledQuery.bind.
    """

    @functools.cache
    def compiled(vendor: str, *args: Hashable) -> CompiledQuery:
        sql, params = build(*args).query.sql_with_params()
        return CompiledQuery(sql, tuple(params))

    @functools.wraps(build)
    def query(*args: Hashable) -> CompiledQuery:
        return compiled(connection.vendor, *args)

    return query

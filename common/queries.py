"""Query helpers every app may use."""

import functools
import sqlite3
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from typing import ParamSpec, TypeVar

import orjson
from django.db import IntegrityError, connection
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from psycopg import errors as psycopg_errors


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


class Compiled:
    """A queryset compiled once per process, for reads too frequent to rebuild the ORM query each
    time (building one costs more than running it): its SQL, its parameters with stand-ins where
    each call's values go, and the converters the ORM applies to its columns (SQLite returns
    datetimes as text). Compile it from stand-ins of the real values' types (a datetime, an int
    no caller uses, Ids of one such int); the rows are tuples, as values_list() gives."""

    def __init__(self, queryset: QuerySet, stand_ins: tuple):
        compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        self._ops = compiler.connection.ops
        # Where each stand-in goes: its position among the parameters.
        self._slots: dict[int, object] = {}
        for stand_in in stand_ins:
            stored = self._stored(stand_in)
            slots = [n for n, value in enumerate(params) if self._key(value) == stored]
            if not slots:
                raise AssertionError(f"{stand_in!r} is not a parameter of the compiled query")
            self._slots.update(dict.fromkeys(slots, stand_in))
        self.params = list(params)
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        self._converters = list(compiler.get_converters(fields).items())

    def _stored(self, value):
        # Datetimes are compiled as the backend stores them (text on SQLite).
        return self._ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value

    @staticmethod
    def _key(value):
        return value[0] if isinstance(value, Ids) and len(value) == 1 else value

    def bind(self, values: dict) -> list:
        """The parameters with each stand-in (a key of `values`) replaced by its value."""
        params = self.params.copy()
        for slot, stand_in in self._slots.items():
            params[slot] = self._stored(values[stand_in])
        return params

    def rows(self, values: dict, *, more_columns: str = "", more_params: tuple = ()) -> list[tuple]:
        """Run it with `values` for the stand-ins; the rows, converted as the ORM would.

        `more_columns`: select-list expressions on its rows (as `q`) after its own columns, with
        their parameters `more_params`, e.g. arrays of related rows: one round trip where there
        were several queries. Returned as the database gives them."""
        sql, params = self.sql, self.bind(values)
        if more_columns:
            sql, params = f"SELECT q.*, {more_columns} FROM ({sql}) AS q", [*more_params, *params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not self._converters:
            return rows
        converted = []
        for row in rows:
            values_ = list(row)
            for position, (converters, expression) in self._converters:
                for converter in converters:
                    values_[position] = converter(values_[position], expression, connection)
            converted.append(tuple(values_))
        return converted


def stand_ins_replaced(template: tuple, values: dict) -> list:
    """A statement's parameters compiled once from stand-ins (ints no caller uses, a datetime),
    with each stand-in (a key of `values`) replaced by this call's value."""
    return [values.get(value, value) if isinstance(value, int | datetime) else value for value in template]


P = ParamSpec("P")
T = TypeVar("T")


def compiled_once(build: Callable[P, T]) -> Callable[P, T]:
    """`build(*args)` (a Compiled, or a statement and its parameters) made once per process, per
    args and database vendor: the one way a query that requests run all the time is compiled once
    (building and compiling it from the ORM can cost more than the database spends running it)."""

    @functools.cache
    def compiled(vendor: str, *args: Hashable) -> T:
        return build(*args)  # type: ignore[arg-type, call-arg]

    @functools.wraps(build)
    def query(*args: P.args, **kwargs: P.kwargs) -> T:
        if kwargs:
            raise TypeError("compiled_once: positional arguments only (they are the cache key)")
        return compiled(connection.vendor, *args)

    return query


# SQL and its parameters, as the ORM's sql_with_params() (a tuple) or a helper (a list) gives them.
Statement = tuple[str, Sequence]


def toggle_statement(
    *,
    table: str,
    actor: str,
    target_column: str,
    actor_id: int,
    now: datetime | None,
    target: Statement,
    counted: Statement = ("", []),
    notified: Statement = ("", []),
) -> tuple[str, list]:
    """The PostgreSQL statement (SQL, parameters) toggle_run runs: it sets the relation `table`
    (actor, target_column, created_at) between the actor and the one row of the `target` query (its
    `id`) at `now`, or clears it (no `now`), in one round trip. `changed` holds the rows written;
    `counted`, a CTE over `changed` (a counter that moves only if the row did), when given,
    replaces it in the answer; `notified` is the notification CTEs that follow (`, notified AS
    ...`). Under concurrent duplicates the loser's INSERT/DELETE writes no row, so nothing that
    follows `changed` happens twice."""
    target_sql, target_params = target
    if now is not None:
        changed = (
            f"INSERT INTO {table} ({actor}, {target_column}, created_at) SELECT %s, id, %s FROM target\n"
            f"    ON CONFLICT DO NOTHING RETURNING {target_column}"
        )
        changed_params: list = [actor_id, now]
    else:
        changed = (
            f"DELETE FROM {table} WHERE {actor} = %s AND {target_column} IN (SELECT id FROM target)\n"
            f"    RETURNING {target_column}"
        )
        changed_params = [actor_id]
    (counted_sql, counted_params), (notified_sql, notified_params) = counted, notified
    answered = "counted" if counted_sql else "changed"
    sql = (
        f"WITH target AS ({target_sql}),\nchanged AS (\n    {changed}\n)"
        + (f",\ncounted AS ({counted_sql})" if counted_sql else "")
        + f"{notified_sql}\nSELECT (SELECT count(*) FROM target), (SELECT count(*) FROM {answered})"
    )
    return sql, [*target_params, *changed_params, *counted_params, *notified_params]


def toggle_run(sql: str, params: list, *, gone: Exception) -> bool:
    """Run a PostgreSQL statement that sets or clears one relation (a like, a follow) and answers
    one row (found: its target is there, changed: rows it wrote); `gone` when the target is not
    there, whether the statement found it missing or its deletion committed while the statement
    waited on its row (the deferred foreign key check then fails at our commit, which has already
    rolled the statement back). Whether it changed anything."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found, changed = cursor.fetchone()
    except IntegrityError as exc:
        if isinstance(exc.__cause__, psycopg_errors.ForeignKeyViolation):
            raise gone from exc
        raise
    if not found:
        raise gone
    return changed == 1

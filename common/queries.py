"""Query helpers every app may use."""

from django.core.exceptions import EmptyResultSet
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


class InArray(In):
    """`In(F("field"), ids)` for a filter(), with the ids as one array parameter on PostgreSQL.

    `field = ANY(%s)` is the same statement whatever the number of ids, so PostgreSQL prepares it
    once per connection (DB_SERVER_SIDE_BINDING), where the ORM's IN list (a thousand placeholders
    for a whole feed) is a new statement for every length. SQLite prepares nothing across calls: it
    gets Django's IN list. The query is otherwise one queryset on both databases.
    """

    def as_postgresql(self, compiler, connection):
        ids = [value for value in self.rhs if value is not None]
        if not ids:
            raise EmptyResultSet  # as Django's IN does: no query at all
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs_sql} = ANY(%s)", [*lhs_params, ids]

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from moderation.models import Report, ReportedTweet


def open_reports_count() -> int:
    return Report.objects.filter(status=Report.Status.OPEN).count()


def tweet_ids_with_open_reports() -> list[int]:
    """Ids of the tweets waiting in the queue (a handful, from the queue's own index)."""
    return list(ReportedTweet.objects.filter(open_reports__gt=0).values_list("tweet_id", flat=True))


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

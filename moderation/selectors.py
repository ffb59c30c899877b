from django.db.models import Count, Exists, IntegerField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from moderation.models import Report


def open_reports_count() -> int:
    return Report.objects.filter(status=Report.Status.OPEN).count()


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


def open_reports_of_tweet_count() -> Coalesce:
    return count_subquery(Report, "tweet", status=Report.Status.OPEN)


def has_open_reports() -> Exists:
    return Exists(Report.objects.filter(tweet=OuterRef("pk"), status=Report.Status.OPEN))


def reported_tweets(queryset: QuerySet) -> QuerySet:
    """The moderation queue over `queryset`: tweets with any report, open ones first, then by
    the latest report. Filtered by the reports (few) rather than scanning the tweets (many)."""
    last_report = (
        Report.objects.filter(tweet=OuterRef("pk")).order_by().values("tweet").annotate(at=Max("created_at"))
    )
    return (
        queryset.filter(pk__in=Report.objects.values("tweet_id"))
        .annotate(
            open_reports=open_reports_of_tweet_count(),
            last_reported_at=Subquery(last_report.values("at")),
        )
        .order_by("-open_reports", "-last_reported_at", "-pk")
    )

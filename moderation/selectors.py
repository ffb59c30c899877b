from django.db.models import Exists, OuterRef

from moderation.models import Report, ReportedTweet


def open_reports_count() -> int:
    return Report.objects.filter(status=Report.Status.OPEN).count()


def tweet_ids_with_open_reports() -> list[int]:
    """Ids of the tweets waiting in the queue (a handful, from the queue's own index)."""
    return list(ReportedTweet.objects.filter(open_reports__gt=0).values_list("tweet_id", flat=True))


def reported_by(*, reporter_id: int) -> Exists:
    """For a tweets queryset's annotate(): whether this user has an open report on the tweet."""
    return Exists(
        Report.objects.filter(tweet=OuterRef("pk"), reporter=reporter_id, status=Report.Status.OPEN)
    )

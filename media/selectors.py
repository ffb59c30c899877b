from collections import defaultdict

from django.core.files.storage import default_storage

from media.models import Media


def attachment_urls(*, tweet_ids: list[int]) -> dict[int, list[str]]:
    """URLs of each tweet's attachments in their order, in one query."""
    urls: dict[int, list[str]] = defaultdict(list)
    if not tweet_ids:
        return urls
    rows = (
        Media.objects.filter(tweet_id__in=tweet_ids)
        .order_by("tweet_id", "position")
        .values_list("tweet_id", "file")
    )
    for tweet_id, name in rows:
        urls[tweet_id].append(default_storage.url(name))
    return urls


def files_of_tweet(*, tweet_id: int) -> list[str]:
    return list(Media.objects.filter(tweet_id=tweet_id).values_list("file", flat=True))

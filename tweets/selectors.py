import orjson
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from common.replicas import primary_reads
from media.selectors import tweet_image_urls
from tweets import likers_cache
from tweets.models import Like, Tweet


def visible_tweets() -> QuerySet:
    """Tweets anyone may see: not hidden, author active and not suspended."""
    return Tweet.objects.filter(
        Q(author__suspended_until__isnull=True) | Q(author__suspended_until__lte=timezone.now()),
        hidden_at__isnull=True,
        author__is_active=True,
    )


def tweet_get_visible(*, tweet_id: int) -> Tweet:
    return get_object_or_404(visible_tweets(), pk=tweet_id)


def likers_json(*, tweet_ids: list[int]) -> dict[int, bytes]:
    """Each tweet's `likes` list ([{"user_id", "name"}] in like order) as JSON bytes, in one query.

    Plain rows encoded by orjson: measured cheaper in all (database plus Python) than having
    PostgreSQL aggregate the JSON itself (json_agg / string_agg doubled the query's time).
    """
    lists: dict[int, list[dict]] = {tweet_id: [] for tweet_id in tweet_ids}
    for tweet_id, user_id, name in (
        Like.objects.filter(tweet_id__in=tweet_ids)
        # The order of like_tweet_idx: an index-only scan even for tweets with 10k likes.
        .order_by("tweet_id", "id")
        .values_list("tweet_id", "user_id", "user__name")
    ):
        lists[tweet_id].append({"user_id": user_id, "name": name})
    return {tweet_id: orjson.dumps(likes) for tweet_id, likes in lists.items()}


def tweets_payload(
    rows: list[dict], *, images: tuple[dict[int, list[str]], dict[int, list[str]]] | None = None
) -> list[dict]:
    """The contract's Tweet objects for rows of (id, content, created_at, likes_count, author).

    At most two queries whatever the number of rows, likes or attachments: the likers of the
    tweets whose list is not in the likers cache (none when all are), the images (none when the
    caller read them with the rows: `images` = (attachment URLs, thumbnail URLs) by tweet id).
    Each `likes` value is an orjson.Fragment: the list's JSON, cached or freshly encoded.
    """
    ids = [row["id"] for row in rows]
    likes, versions = likers_cache.cached_likers(ids)
    missing = [tweet_id for tweet_id in ids if tweet_id not in likes]
    if missing:
        # From the primary: a list read from a lagging replica would be cached as current.
        with primary_reads():
            encoded = likers_json(tweet_ids=missing)
        likers_cache.store_likers(encoded, versions)
        likes.update(encoded)
    if images is None:
        images = tweet_image_urls(tweet_ids=ids)
    attachments, thumbnails = images
    return [
        {
            "id": row["id"],
            "content": row["content"],
            "attachments": attachments.get(row["id"], []),
            "thumbnails": thumbnails.get(row["id"], []),
            "author": {"id": row["author_id"], "name": row["author__name"]},
            "likes": orjson.Fragment(likes[row["id"]]),
            "likes_count": row["likes_count"],
            "created_at": row["created_at"].isoformat(),
        }
        for row in rows
    ]


TWEET_ROW_FIELDS = ("id", "content", "created_at", "likes_count", "author_id", "author__name")

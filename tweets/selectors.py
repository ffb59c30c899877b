from collections import defaultdict

import orjson
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from media.selectors import attachment_urls
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


def tweets_payload(rows: list[dict]) -> list[dict]:
    """The contract's Tweet objects for rows of (id, content, created_at, likes_count, author).

    At most two queries whatever the number of rows, likes or attachments: the likers of the
    tweets whose list is not in the likers cache (none when all are), the attachments. Each
    `likes` value is an orjson.Fragment: the list's JSON, cached or freshly encoded.
    """
    ids = [row["id"] for row in rows]
    likes, versions = likers_cache.cached_likers(ids)
    missing = [tweet_id for tweet_id in ids if tweet_id not in likes]
    attachments: dict[int, list[str]] = {}
    if missing:
        fresh: dict[int, list[dict]] = defaultdict(list)
        for tweet_id, user_id, name in (
            Like.objects.filter(tweet_id__in=missing)
            # The order of like_tweet_idx: an index-only scan even for tweets with 10k likes.
            .order_by("tweet_id", "id")
            .values_list("tweet_id", "user_id", "user__name")
        ):
            fresh[tweet_id].append({"user_id": user_id, "name": name})
        encoded = {tweet_id: likers_cache.encode(fresh[tweet_id]) for tweet_id in missing}
        likers_cache.store_likers(encoded, versions)
        likes.update(encoded)
    if ids:
        attachments = attachment_urls(tweet_ids=ids)
    return [
        {
            "id": row["id"],
            "content": row["content"],
            "attachments": attachments.get(row["id"], []),
            "author": {"id": row["author_id"], "name": row["author__name"]},
            "likes": orjson.Fragment(likes[row["id"]]),
            "likes_count": row["likes_count"],
            "created_at": row["created_at"].isoformat(),
        }
        for row in rows
    ]


TWEET_ROW_FIELDS = ("id", "content", "created_at", "likes_count", "author_id", "author__name")

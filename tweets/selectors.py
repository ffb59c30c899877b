from collections import defaultdict

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from media.selectors import tweet_image_urls
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

    Two queries whatever the number of rows, likes or attachments: likers, attachments.
    """
    ids = [row["id"] for row in rows]
    likes: dict[int, list[dict]] = defaultdict(list)
    attachments: dict[int, list[str]] = {}
    thumbnails: dict[int, list[str]] = {}
    if ids:
        for tweet_id, user_id, name in (
            Like.objects.filter(tweet_id__in=ids)
            .order_by("id")
            .values_list("tweet_id", "user_id", "user__name")
        ):
            likes[tweet_id].append({"user_id": user_id, "name": name})
        attachments, thumbnails = tweet_image_urls(tweet_ids=ids)
    return [
        {
            "id": row["id"],
            "content": row["content"],
            "attachments": attachments.get(row["id"], []),
            "thumbnails": thumbnails.get(row["id"], []),
            "author": {"id": row["author_id"], "name": row["author__name"]},
            "likes": likes.get(row["id"], []),
            "likes_count": row["likes_count"],
            "created_at": row["created_at"].isoformat(),
        }
        for row in rows
    ]


TWEET_ROW_FIELDS = ("id", "content", "created_at", "likes_count", "author_id", "author__name")

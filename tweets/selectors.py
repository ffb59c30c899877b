import itertools
import operator
from datetime import datetime
from typing import TypedDict

import orjson
from django.db import connection
from django.db.models import QuerySet

from accounts.models import User, visible_user_q
from common.errors import NotFound
from common.replicas import primary_reads, read_connection
from media.selectors import tweet_image_urls
from tweets import likers_cache
from tweets.models import Like, Tweet


def visible_tweets(*, now: datetime | None = None) -> QuerySet:
    """Tweets anyone may see: not hidden, author active and not suspended (at `now`).

    The one statement of the rule: raw SQL that needs it (the feed's, the like statement) is
    compiled from this queryset.
    """
    return Tweet.objects.filter(visible_user_q("author__", now=now), hidden_at__isnull=True)


TWEET_NOT_FOUND = "No Tweet matches the given query."


def tweet_get_visible(*, tweet_id: int) -> Tweet:
    try:
        return visible_tweets().get(pk=tweet_id)
    except Tweet.DoesNotExist:
        raise NotFound(TWEET_NOT_FOUND) from None


# The whole feed asks for up to FEED_MAX_ITEMS tweets' likers at once. As one array parameter
# the statement is the same whatever the number of tweets, so PostgreSQL prepares it once,
# where an IN list of 1,000 placeholders was a new statement for every length, built anew by
# the ORM and psycopg on each request. Rows come in the order of like_tweet_idx (tweet, id):
# an index-only scan even for tweets with 10k likes.
_LIKERS_SQL = f"""
SELECT l.tweet_id, l.user_id, u.name
FROM {Like._meta.db_table} AS l JOIN {User._meta.db_table} AS u ON u.id = l.user_id
WHERE l.tweet_id = ANY(%s)
ORDER BY l.tweet_id, l.id
"""


def _likers_rows(tweet_ids: list[int]) -> list[tuple[int, int, str]]:
    if connection.vendor == "postgresql":
        with read_connection().cursor() as cursor:
            cursor.execute(_LIKERS_SQL, [tweet_ids])
            return cursor.fetchall()
    return list(
        Like.objects.filter(tweet_id__in=tweet_ids)
        .order_by("tweet_id", "id")
        .values_list("tweet_id", "user_id", "user__name")
    )


def likers_json(*, tweet_ids: list[int]) -> dict[int, bytes]:
    """Each tweet's `likes` list ([{"user_id", "name"}] in like order) as JSON bytes, in one query.

    Plain rows encoded by orjson: cheaper in all (database plus Python) than having PostgreSQL
    aggregate the JSON itself with json_agg, string_agg or array_agg.
    """
    lists = dict.fromkeys(tweet_ids, b"[]")
    for tweet_id, rows in itertools.groupby(_likers_rows(tweet_ids), key=operator.itemgetter(0)):
        lists[tweet_id] = orjson.dumps([{"user_id": user_id, "name": name} for _, user_id, name in rows])
    return lists


class AuthorPayload(TypedDict):
    id: int
    name: str


class TweetPayload(TypedDict):
    """The contract's Tweet as served; tweets.serializers.TweetSerializer documents the same fields."""

    id: int
    content: str
    attachments: list[str]
    thumbnails: list[str]
    author: AuthorPayload
    likes: orjson.Fragment  # the JSON of [{"user_id", "name"}], in like order
    likes_count: int
    created_at: str


def tweets_payload(
    rows: list[dict], *, images: tuple[dict[int, list[str]], dict[int, list[str]]] | None = None
) -> list[TweetPayload]:
    """The contract's Tweet objects for rows of TWEET_ROW_FIELDS.

    At most two queries whatever the number of rows, likes or attachments: the likers of the
    tweets whose list is not in the likers cache under the likers_version read with the rows
    (none when all are), the images (none when the
    caller read them with the rows: `images` = (attachment URLs, thumbnail URLs) by tweet id).
    Each `likes` value is an orjson.Fragment: the list's JSON, cached or freshly encoded.
    """
    ids = [row["id"] for row in rows]
    versions = {row["id"]: row["likers_version"] for row in rows}
    likes = likers_cache.cached_likers(versions)
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
        TweetPayload(
            id=row["id"],
            content=row["content"],
            attachments=attachments.get(row["id"], []),
            thumbnails=thumbnails.get(row["id"], []),
            author=AuthorPayload(id=row["author_id"], name=row["author__name"]),
            likes=orjson.Fragment(likes[row["id"]]),
            likes_count=row["likes_count"],
            created_at=row["created_at"].isoformat(),
        )
        for row in rows
    ]


# likers_version is read with the rows so that a cached likers list is used only if it is current.
TWEET_ROW_FIELDS = (
    "id",
    "content",
    "created_at",
    "likes_count",
    "author_id",
    "author__name",
    "likers_version",
)

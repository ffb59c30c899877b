import itertools
import operator
from datetime import datetime
from typing import TypedDict

import orjson
from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet, Window
from django.db.models.functions import RowNumber

from accounts.models import User, visible_user_q
from common.errors import NotFound
from common.replicas import primary_reads, read_connection
from media.selectors import storage_urls
from tweets import likers_cache
from tweets.models import Attachment, Like, Tweet


def tweet_image_urls(*, tweet_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Each tweet's attachment URLs and, in the same order, its thumbnail URLs; one query."""
    names: dict[int, tuple[list[str], list[str]]] = {}
    if tweet_ids:
        rows = (
            Attachment.objects.filter(tweet_id__in=tweet_ids)
            .order_by("tweet_id", "position")
            .values_list("tweet_id", "media__file", "media__thumbnail")
        )
        for tweet_id, name, thumbnail in rows:
            files, thumbnails = names.setdefault(tweet_id, ([], []))
            files.append(name)
            thumbnails.append(thumbnail)
    return (
        {tweet_id: storage_urls(files) for tweet_id, (files, _) in names.items()},
        {tweet_id: storage_urls(thumbnails) for tweet_id, (_, thumbnails) in names.items()},
    )


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


# A tweet's first likers straight from like_tweet_idx (tweet, id, user): LIMIT per tweet stops after
# `count` index entries, where a window over the likes reads all of them (5,000 for a popular
# tweet at preset M; a third of the web feed page's database time).
_LIKERS_PREVIEW_SQL = f"""
SELECT t.id, u.name
FROM unnest(%s::bigint[]) AS t(id)
CROSS JOIN LATERAL (
    SELECT l.id, l.user_id FROM {Like._meta.db_table} AS l
    WHERE l.tweet_id = t.id ORDER BY l.id LIMIT %s
) AS l
JOIN {User._meta.db_table} AS u ON u.id = l.user_id
ORDER BY t.id, l.id
"""


def likers_preview(*, tweet_ids: list[int], count: int) -> dict[int, list[str]]:
    """The names of each tweet's first `count` likers, in like order: what a page shows under a
    post (the rest it counts from likes_count). One query, however many likes the tweets have."""
    names: dict[int, list[str]] = {tweet_id: [] for tweet_id in tweet_ids}
    if connection.vendor == "postgresql":
        with read_connection().cursor() as cursor:
            cursor.execute(_LIKERS_PREVIEW_SQL, [tweet_ids, count])
            rows = cursor.fetchall()
    else:
        first = (
            Like.objects.filter(tweet_id__in=tweet_ids)
            .annotate(rank=Window(RowNumber(), partition_by=F("tweet_id"), order_by=F("id").asc()))
            .filter(rank__lte=count)
            .values("id")
        )
        rows = list(
            Like.objects.filter(id__in=first).order_by("tweet_id", "id").values_list("tweet_id", "user__name")
        )
    for tweet_id, name in rows:
        names[tweet_id].append(name)
    return names


def liked_by(*, user_id: int) -> Exists:
    """For a tweets queryset's annotate(): whether this user likes the tweet (on like_once's index)."""
    return Exists(Like.objects.filter(tweet=OuterRef("pk"), user=user_id))

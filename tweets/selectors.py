import itertools
import operator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, TypedDict

import orjson
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts.models import User, visible_user_q
from api.fields import cursor_id
from common.errors import NotFound
from common.queries import Compiled, Ids, InArray, compiled_once
from common.replicas import primary_reads, read_connection
from media.models import Media
from media.selectors import storage_urls
from tweets import likers_cache
from tweets.entities import TAG_MAX_LENGTH, TAG_RE
from tweets.models import Attachment, Like, Tweet, TweetEdit, TweetTag
from tweets.trending import TRENDING_HOURS, trending_cached

# Stand for the ids and the time in the queries compiled once per process.
_TWEET_IDS = -987654341
_USER_IDS = -987654342
_NOW = datetime(2000, 1, 1, tzinfo=UTC)


class TweetImage(NamedTuple):
    url: str
    thumbnail: str
    alt: str


@compiled_once
def _images_sql() -> Compiled:
    """The tweets' attachments in order, with their files and alt text: every web page of posts
    reads them."""
    rows = (
        Attachment.objects.filter(InArray(F("tweet_id"), [_TWEET_IDS]))
        .order_by("tweet_id", "position")
        .values_list("tweet_id", "media__file", "media__thumbnail", "alt")
    )
    return Compiled(rows, (_TWEET_IDS,))


def _compiled_rows(query: Compiled, values: dict) -> list[tuple]:
    """A compiled query of plain columns (no converters to apply) run where the ORM would read
    it: inside `replica_reads`, on the replica."""
    with read_connection().cursor() as cursor:
        cursor.execute(query.sql, query.bind(values))
        return cursor.fetchall()


def tweet_images(*, tweet_ids: list[int]) -> dict[int, list[TweetImage]]:
    """Each tweet's images in order: URL, thumbnail URL and the author's alt text; one query."""
    names: dict[int, tuple[list[str], list[str], list[str]]] = {}
    if tweet_ids:
        for tweet_id, name, thumbnail, alt in _compiled_rows(_images_sql(), {_TWEET_IDS: Ids(tweet_ids)}):
            files, thumbnails, alts = names.setdefault(tweet_id, ([], [], []))
            files.append(name)
            thumbnails.append(thumbnail)
            alts.append(alt)
    return {
        tweet_id: [
            TweetImage(*image)
            for image in zip(storage_urls(files), storage_urls(thumbnails), alts, strict=True)
        ]
        for tweet_id, (files, thumbnails, alts) in names.items()
    }


ImageLists = tuple[dict[int, list[str]], dict[int, list[str]], dict[int, list[str | None]]]


def tweet_image_urls(*, tweet_ids: list[int]) -> ImageLists:
    """Each tweet's attachment URLs and, in the same order, its thumbnail URLs and alt texts (None
    for an image without one); one query."""
    images = tweet_images(tweet_ids=tweet_ids)
    return (
        {tweet_id: [image.url for image in found] for tweet_id, found in images.items()},
        {tweet_id: [image.thumbnail for image in found] for tweet_id, found in images.items()},
        {tweet_id: [image.alt or None for image in found] for tweet_id, found in images.items()},
    )


def visible_tweets(*, now: datetime | None = None) -> QuerySet:
    """Tweets anyone may see: not hidden, author active and not suspended (at `now`).

    The one statement of the rule: raw SQL that needs it (the feed's, the like statement) is
    compiled from this queryset.
    """
    return Tweet.objects.filter(visible_user_q("author__", now=now), hidden_at__isnull=True)


def tweets_seen_by(*, viewer) -> QuerySet:
    """The tweets `viewer` may open: the visible ones, their own even when hidden, and for staff all."""
    if viewer.is_staff:
        return Tweet.objects.all()
    return visible_tweets() | Tweet.objects.filter(author_id=viewer.pk)


TWEET_NOT_FOUND = "No Tweet matches the given query."


def tweet_get_visible(*, tweet_id: int) -> Tweet:
    try:
        return visible_tweets().get(pk=tweet_id)
    except Tweet.DoesNotExist:
        raise NotFound(TWEET_NOT_FOUND) from None


def _likers_queryset(tweet_ids: list[int]) -> QuerySet:
    """(tweet id, user id, name) of every like of these tweets, by tweet then like order: rows
    of like_tweet_idx (tweet, id, user), an index-only scan even for tweets with 10k likes."""
    return (
        Like.objects.filter(InArray(F("tweet_id"), tweet_ids))
        .order_by("tweet_id", "id")
        .values_list("tweet_id", "user_id", "user__name")
    )


@compiled_once
def _likers_sql() -> Compiled:
    """The likers query with its ids as one parameter (InArray: the text does not depend on them). A
    cold whole feed reads tens of thousands of likers, and the ORM's compiling and per-row work
    would be a large share of the CPU it spends on them."""
    return Compiled(_likers_queryset([_TWEET_IDS]), (_TWEET_IDS,))


def _likers_rows(tweet_ids: list[int]) -> list[tuple[int, int, str]]:
    if not tweet_ids:
        return []
    query = _likers_sql()
    with read_connection().cursor() as cursor:
        cursor.execute(query.sql, query.bind({_TWEET_IDS: Ids(tweet_ids)}))
        return cursor.fetchall()


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


class MentionPayload(TypedDict):
    id: int
    name: str
    username: str


class TweetPayload(TypedDict):
    """The contract's Tweet as served; tweets.serializers.TweetSerializer documents the same fields."""

    id: int
    content: str
    attachments: list[str]
    thumbnails: list[str]
    attachments_alt: list[str | None]
    author: AuthorPayload
    likes: orjson.Fragment  # the JSON of [{"user_id", "name"}], in like order
    likes_count: int
    created_at: str
    in_reply_to: int | None
    replies_count: int
    edited_at: str | None
    mentions: list[MentionPayload]
    tags: list[str]


@compiled_once
def _mentioned_sql() -> Compiled:
    """Visible users by id (id, name, username): the mentions of a page's posts."""
    users = User.objects.filter(visible_user_q(now=_NOW), InArray(F("id"), [_USER_IDS]))
    return Compiled(users.values_list("id", "name", "username"), (_USER_IDS, _NOW))


def mentioned_users(rows: list[dict]) -> dict[int, MentionPayload]:
    """The visible users the rows mention, by id: one query, none when no row mentions anyone."""
    ids = {user_id for row in rows for user_id in row["mentioned_ids"]}
    if not ids:
        return {}
    users = _compiled_rows(_mentioned_sql(), {_USER_IDS: Ids(sorted(ids)), _NOW: timezone.now()})
    return {
        user_id: MentionPayload(id=user_id, name=name, username=username) for user_id, name, username in users
    }


def tweets_payload(rows: list[dict], *, images: ImageLists | None = None) -> list[TweetPayload]:
    """The contract's Tweet objects for rows of TWEET_ROW_FIELDS.

    At most three queries whatever the number of rows, likes or attachments: the mentioned users
    (none when no row mentions anyone), the likers of the
    tweets whose list is not in the likers cache under the likers_version read with the rows
    (none when all are), the images (none when the
    caller read them with the rows: `images` = (attachment URLs, thumbnail URLs, alt texts) by
    tweet id).
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
    attachments, thumbnails, alts = images
    mentioned = mentioned_users(rows)
    return [
        TweetPayload(
            id=row["id"],
            content=row["content"],
            attachments=attachments.get(row["id"], []),
            thumbnails=thumbnails.get(row["id"], []),
            attachments_alt=alts.get(row["id"], []),
            author=AuthorPayload(id=row["author_id"], name=row["author__name"]),
            likes=orjson.Fragment(likes[row["id"]]),
            likes_count=row["likes_count"],
            created_at=row["created_at"].isoformat(),
            in_reply_to=row["in_reply_to_id"],
            replies_count=row["replies_count"],
            edited_at=row["edited_at"] and row["edited_at"].isoformat(),
            mentions=[mentioned[user_id] for user_id in row["mentioned_ids"] if user_id in mentioned],
            tags=row["tags"],
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
    "in_reply_to_id",
    "edited_at",
    "mentioned_ids",
    "tags",
    "replies_count",
)


def with_replies_count(tweets: QuerySet, *, now: datetime | None = None) -> QuerySet:
    """`replies_count` on each tweet: its visible replies (at `now`), counted by a subquery on
    tweet_reply_idx."""
    replies = (
        visible_tweets(now=now)
        .filter(in_reply_to=OuterRef("pk"))
        .order_by()
        .values("in_reply_to")
        .annotate(n=Count("id"))
        .values("n")
    )
    return tweets.annotate(replies_count=Coalesce(Subquery(replies, output_field=IntegerField()), 0))


def tweet_rows(tweets: QuerySet) -> list[dict]:
    """Rows of TWEET_ROW_FIELDS for tweets_payload: one query."""
    return list(with_replies_count(tweets).values(*TWEET_ROW_FIELDS))


def _keyset_page(tweets: QuerySet, limit: int) -> tuple[list[TweetPayload], str | None]:
    rows = tweet_rows(tweets[: limit + 1])
    next_cursor = str(rows[limit - 1]["id"]) if len(rows) > limit else None
    return tweets_payload(rows[:limit]), next_cursor


def tweet_detail(*, viewer, tweet_id: int) -> TweetPayload:
    """The Tweet object of one tweet `viewer` may see; NotFound otherwise.

    Queries: the tweet, the mentioned users (if any), the likers missing from the likers cache, the
    attachments.
    """
    rows = tweet_rows(tweets_seen_by(viewer=viewer).filter(pk=tweet_id))
    if not rows:
        raise NotFound(TWEET_NOT_FOUND)
    return tweets_payload(rows)[0]


def tweet_replies(*, viewer, tweet_id: int, cursor: str, limit: int) -> tuple[list[TweetPayload], str | None]:
    """A page of the replies `viewer` may see to a tweet they may see, oldest first, and the next
    cursor (None at the end). Queries: the tweet, the page, then tweets_payload's."""
    after = cursor_id(cursor)
    if not tweets_seen_by(viewer=viewer).filter(pk=tweet_id).exists():
        raise NotFound(TWEET_NOT_FOUND)
    replies = tweets_seen_by(viewer=viewer).filter(in_reply_to_id=tweet_id)
    if after is not None:
        replies = replies.filter(id__gt=after)
    return _keyset_page(replies.order_by("id"), limit)


# How far up a thread page walks from a reply to the tweet that started the conversation.
THREAD_MAX_DEPTH = 50
_CHAIN_SQL = f"""
WITH RECURSIVE chain(id, parent, depth) AS (
    SELECT id, in_reply_to_id, 0 FROM {Tweet._meta.db_table} WHERE id = %s
    UNION ALL
    SELECT t.id, t.in_reply_to_id, c.depth + 1
    FROM {Tweet._meta.db_table} AS t JOIN chain AS c ON t.id = c.parent
    WHERE c.depth < %s
)
SELECT id FROM chain ORDER BY depth DESC
"""


def tweet_chain_ids(*, tweet_id: int) -> list[int]:
    """The ids of the tweets a tweet answers, from the conversation's first (at most THREAD_MAX_DEPTH
    up; a deleted one ends the chain), then the tweet's own; empty if it does not exist. One query,
    whoever may see them."""
    with connection.cursor() as cursor:
        cursor.execute(_CHAIN_SQL, [tweet_id, THREAD_MAX_DEPTH])
        return [row[0] for row in cursor.fetchall()]


def thread_tweets(*, viewer, tweet_id: int, cursor: str, limit: int) -> QuerySet:
    """What a thread page shows, as one queryset by id: the tweets `tweet_id` answers and the tweet
    itself (those `viewer` may see), then its replies `viewer` may see after `cursor`, one more than
    `limit` of them (whether another page follows). NotFound if the tweet does not exist; the caller
    checks that `viewer` may see it (it is among the rows). Queries: the chain (tweet_chain_ids).

    Ancestors have smaller ids than the tweet and replies larger ones (a reply is written after
    what it answers), so one order by id is chain, tweet, replies.
    """
    after = cursor_id(cursor)
    chain = tweet_chain_ids(tweet_id=tweet_id)
    if not chain:
        raise NotFound(TWEET_NOT_FOUND)
    replies = Q(in_reply_to_id=tweet_id)
    if after is not None:
        replies &= Q(id__gt=after)
    tweets = tweets_seen_by(viewer=viewer).filter(Q(id__in=chain) | replies).order_by("id")
    return tweets[: len(chain) + limit + 1]


class HistoryPayload(TypedDict):
    content: str
    edited_at: str


def tweet_history(*, viewer, tweet_id: int) -> list[HistoryPayload]:
    """The earlier texts of a tweet `viewer` may see, newest first, each with the time an edit
    replaced it. Queries: the tweet, its edits."""
    if not tweets_seen_by(viewer=viewer).filter(pk=tweet_id).exists():
        raise NotFound(TWEET_NOT_FOUND)
    return tweet_edits(tweet_id=tweet_id)


def tweet_edits(*, tweet_id: int) -> list[HistoryPayload]:
    """tweet_history without its check, for a caller that has read the tweet as its viewer sees it
    already (the web's history page reads its card): one query."""
    edits = TweetEdit.objects.filter(tweet_id=tweet_id).order_by("-id").values_list("content", "edited_at")
    return [HistoryPayload(content=content, edited_at=edited_at.isoformat()) for content, edited_at in edits]


def tweets_tagged(*, tag: str, cursor: str) -> QuerySet:
    """The visible tweets with this tag (any letter case), newest first, before `cursor` (Invalid if
    malformed). A page reads one more than it shows; the next cursor is its last shown tweet's id."""
    before = cursor_id(cursor)
    if not TAG_RE.fullmatch(f"#{tag}") or len(tag) > TAG_MAX_LENGTH:
        return Tweet.objects.none()  # no tweet can have it (and a NUL byte never reaches PostgreSQL)
    tweets = visible_tweets().filter(tag_rows__tag=tag.lower())
    if before is not None:
        tweets = tweets.filter(id__lt=before)
    return tweets.order_by("-id")


def tag_tweets(*, tag: str, cursor: str, limit: int) -> tuple[list[TweetPayload], str | None]:
    """A page of tweets_tagged and the next cursor. Queries: the page, then tweets_payload's."""
    return _keyset_page(tweets_tagged(tag=tag, cursor=cursor), limit)


def trending_tags(*, limit: int = 10) -> list[tuple[str, int]]:
    """(tag, number of visible tweets) most used in the last TRENDING_HOURS hours, from the cache
    (tweets.trending) while no write changed them: one cache read; else one query more."""

    def count() -> list[tuple[str, int]]:
        since = timezone.now() - timedelta(hours=TRENDING_HOURS)
        recent = visible_tweets().filter(created_at__gte=since).values("id")
        return list(
            TweetTag.objects.filter(created_at__gte=since, tweet_id__in=recent)
            .values("tag")
            .annotate(n=Count("*"))
            .order_by("-n", "tag")
            .values_list("tag", "n")[:limit]
        )

    return trending_cached(limit=limit, count=count)


SUGGESTIONS_MAX = 8


def mention_suggestions(*, query: str, limit: int = SUGGESTIONS_MAX) -> list[MentionPayload]:
    """Active users to @mention whose username starts with `query` or whose name contains it, any
    letter case; usernames that start with it first. One query."""
    query = query.strip().lstrip("@")
    if not query or "\x00" in query:
        return []
    users = (
        User.objects.filter(visible_user_q())
        .filter(Q(username__istartswith=query) | Q(name__icontains=query))
        .annotate(by_username=Case(When(username__istartswith=query, then=0), default=1))
        .order_by("by_username", "username")
        .values_list("id", "name", "username")[:limit]
    )
    return [MentionPayload(id=user_id, name=name, username=username) for user_id, name, username in users]


# A tweet's first likers straight from like_tweet_idx (tweet, id, user): LIMIT per tweet stops after
# `count` index entries, where PostgreSQL runs the window of likers_preview's other branch over
# every like of every tweet on the page, however popular.
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


# likers_preview's and tweet_images' reads as columns of a statement whose rows are tweets (`q.id`),
# PostgreSQL only: a page of cards reads its rows, first likers and images in one round trip.
# Its one parameter: the number of likers.
PREVIEW_COLUMNS_SQL = f"""
ARRAY(
    SELECT u.name FROM (
        SELECT l.id, l.user_id FROM {Like._meta.db_table} AS l WHERE l.tweet_id = q.id ORDER BY l.id LIMIT %s
    ) AS l JOIN {User._meta.db_table} AS u ON u.id = l.user_id ORDER BY l.id
),
ARRAY(
    SELECT ARRAY[m.file, m.thumbnail, a.alt]
    FROM {Attachment._meta.db_table} AS a JOIN {Media._meta.db_table} AS m ON m.id = a.media_id
    WHERE a.tweet_id = q.id ORDER BY a.position
)"""


def preview_columns_read(
    rows: list[tuple],
) -> tuple[list[tuple], dict[int, list[str]], dict[int, list[TweetImage]]]:
    """Rows ending in PREVIEW_COLUMNS_SQL's columns (their first column the tweet's id): the rows
    without them, and likers_preview's and tweet_images' answers."""
    likers, images, plain = {}, {}, []
    for *row, names, attached in rows:
        plain.append(tuple(row))
        likers[row[0]] = names
        if attached:
            files, thumbnails, alts = zip(*attached, strict=True)
            images[row[0]] = [
                TweetImage(*image)
                for image in zip(storage_urls(list(files)), storage_urls(list(thumbnails)), alts, strict=True)
            ]
    return plain, likers, images


def likers_preview(*, tweet_ids: list[int], count: int) -> dict[int, list[str]]:
    """The names of each tweet's first `count` likers, in like order: what a page shows under a
    post (the rest it counts from likes_count). One query, however many likes the tweets have."""
    names: dict[int, list[str]] = {tweet_id: [] for tweet_id in tweet_ids}
    # Kept branch, a measured need (commit 58ad376): on PostgreSQL the window reads every like of
    # a popular tweet to keep its first `count`. SQLite has no LATERAL: it ranks the same rows
    # (Like by id within its tweet) with the window. tests/test_likers_preview.py runs on both.
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

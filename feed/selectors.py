from datetime import UTC, datetime, timedelta

import orjson
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import Follow, User
from common.errors import Invalid
from common.queries import Compiled, compiled_once
from common.replicas import read_connection
from media.models import Media
from media.selectors import storage_urls
from tweets.models import FEED_ORDER, LATEST_ORDER, TOP_ORDER, Attachment, Tweet, order_sql
from tweets.selectors import (
    TWEET_ROW_FIELDS,
    ImageLists,
    TweetPayload,
    tweet_rows,
    tweets_payload,
    visible_tweets,
)

# PostgreSQL cannot merge the per-author ranges of tweet_feed_idx for an IN list: given one, it
# reads every tweet of every followee (5,000 rows for 50 followees) and sorts them. Asking each
# author for only their first start+count tweets (LATERAL ... LIMIT) is an index-only scan of
# at most (followees + 1) x (start + count) entries; the page's full rows are fetched last.
# Each author's top-N is visible_tweets() in FEED_ORDER, compiled by the ORM (_per_author_sql).
_RANKED_SQL = f"""
SELECT k.id, k.likes_count, k.created_at
FROM unnest(ARRAY(
    SELECT f.followee_id FROM {Follow._meta.db_table} AS f WHERE f.follower_id = %s
) || %s::bigint) AS a(id)
CROSS JOIN LATERAL ({{per_author}} LIMIT %s) AS k
ORDER BY {order_sql("k")}
LIMIT %s OFFSET %s
"""
_ATTACHED = f"{Attachment._meta.db_table} AS a JOIN {Media._meta.db_table} AS m ON m.id = a.media_id"


def _page_sql(ranked_sql: str, order: tuple[str, ...]) -> str:
    """The page whose ids (and ordering columns) `ranked_sql` reads, in `order`, with its authors'
    names, replies counts, attachment file names and alt texts: one round trip for a feed page.
    Its parameters: the replies subquery's, then ranked_sql's."""
    return f"""
SELECT t.id, t.content, t.created_at, t.likes_count, t.author_id, u.name, t.likers_version,
       t.in_reply_to_id, t.edited_at, t.mentioned_ids, t.tags,
       -- replies_count: tweet t's visible replies (_replies_sql), on tweet_reply_idx.
       (SELECT count(*) FROM ({{replies}}) AS r),
       ARRAY(SELECT m.file FROM {_ATTACHED} WHERE a.tweet_id = t.id ORDER BY a.position),
       ARRAY(SELECT m.thumbnail FROM {_ATTACHED} WHERE a.tweet_id = t.id ORDER BY a.position),
       ARRAY(
           SELECT NULLIF(a.alt, '') FROM {Attachment._meta.db_table} AS a
           WHERE a.tweet_id = t.id ORDER BY a.position
       )
FROM ({ranked_sql}) AS p
JOIN {Tweet._meta.db_table} AS t ON t.id = p.id
JOIN {User._meta.db_table} AS u ON u.id = t.author_id
ORDER BY {order_sql("p", order)}
"""


_PAGE_SQL = _page_sql(_RANKED_SQL, FEED_ORDER)
_IDS_SQL = f"SELECT p.id FROM ({_RANKED_SQL}) AS p ORDER BY {order_sql('p')}"


# Stand for the time and a Latest position in the per-author queries compiled once per process.
_NOW = datetime(2000, 1, 1, tzinfo=UTC)
_AT = datetime(2000, 1, 2, tzinfo=UTC)
_ID = -987654321


@compiled_once
def _per_author_sql() -> Compiled:
    """One author's (`a.id`) visible tweets in feed order, from visible_tweets()."""
    rows = (
        visible_tweets(now=_NOW)
        .filter(author_id=RawSQL("a.id", ()))
        .order_by(*FEED_ORDER)
        .values_list("id", "likes_count", "created_at")
    )
    return Compiled(rows, (_NOW,))


@compiled_once
def _replies_sql() -> Compiled:
    """Tweet `t.id`'s visible replies, from visible_tweets() (with_replies_count is the ORM's form)."""
    return Compiled(
        visible_tweets(now=_NOW).filter(in_reply_to_id=RawSQL("t.id", ())).values_list("id"), (_NOW,)
    )


def _feed_queryset(user) -> QuerySet:
    """The user's feed as a queryset: the visible tweets of their followees and their own."""
    followees = Follow.objects.filter(follower=user).values("followee_id")
    return visible_tweets().filter(Q(author_id__in=followees) | Q(author_id=user.pk)).order_by(*FEED_ORDER)


def _ranked(sql: str, *, user, start: int, count: int) -> list[tuple]:
    db, now = read_connection(), timezone.now()
    per_author = _per_author_sql()
    replies = _replies_sql() if "{replies}" in sql else None
    params = [
        # The select list's replies subquery comes first in the statement (only _PAGE_SQL has one).
        *(replies.bind({_NOW: now}) if replies else ()),
        user.pk,
        user.pk,
        *per_author.bind({_NOW: now}),
        start + count,
        count,
        start,
    ]
    with db.cursor() as cursor:
        cursor.execute(sql.format(per_author=per_author.sql, replies=replies.sql if replies else ""), params)
        return cursor.fetchall()


def feed_ids(*, user, count: int) -> list[int]:
    """Ids of the first `count` tweets of the user's feed, in feed order."""
    # Kept branch, a measured need (_RANKED_SQL's comment, docs/performance.md "One statement for
    # the page"); SQLite has neither LATERAL nor arrays. Both are built from visible_tweets() and
    # FEED_ORDER; feed and cursor tests (tweets/tests/test_one_definition.py) run on both databases.
    if connection.vendor != "postgresql":
        return list(_feed_queryset(user).values_list("id", flat=True)[:count])
    return [row[0] for row in _ranked(_IDS_SQL, user=user, start=0, count=count)]


def tweets_by_ids(*, ids: list[int]) -> list[TweetPayload]:
    """The contract's Tweet objects of these ids in this order, leaving out hidden or deleted ones.

    Queries: the tweets, the likers of those not in the likers cache, the attachments.
    """
    found = {row["id"]: row for row in tweet_rows(visible_tweets().filter(id__in=ids))}
    return tweets_payload([found[tweet_id] for tweet_id in ids if tweet_id in found])


def feed_for(*, user, start: int, count: int) -> list[TweetPayload]:
    """Rows start..start+count of the user's feed: followed users' tweets and their own.

    PostgreSQL: one query for the page with its followees and attachments, and one for the
    likers missing from the likers cache. Elsewhere: page, likers, attachments.
    """
    # Kept branch, as in feed_ids: one statement for the page on PostgreSQL, from the same
    # visible_tweets() and FEED_ORDER as _feed_queryset; the same TWEET_ROW_FIELDS either way.
    if connection.vendor != "postgresql":
        rows = tweet_rows(_feed_queryset(user)[start : start + count])
        return tweets_payload(rows)
    rows, images = _page_rows(_ranked(_PAGE_SQL, user=user, start=start, count=count))
    return tweets_payload(rows, images=images)


def _page_rows(page: list[tuple]) -> tuple[list[dict], ImageLists]:
    """A _page_sql statement's rows as rows of TWEET_ROW_FIELDS, and their images."""
    rows, attachments, thumbnails, alts = [], {}, {}, {}
    for *row, files, thumbnail_files, alt_texts in page:
        fields = dict(zip(TWEET_ROW_FIELDS, row, strict=True))
        # Django leaves jsonb undecoded (JSONField decodes it); raw rows decode it here.
        fields["mentioned_ids"], fields["tags"] = (
            orjson.loads(fields["mentioned_ids"]),
            orjson.loads(fields["tags"]),
        )
        rows.append(fields)
        attachments[row[0]] = storage_urls(files)
        thumbnails[row[0]] = storage_urls(thumbnail_files)
        alts[row[0]] = alt_texts
    return rows, (attachments, thumbnails, alts)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def latest_cursor(*, created_at: datetime, tweet_id: int) -> str:
    """The Latest position after this tweet: its creation time in microseconds since 1970 and its id."""
    return f"{(created_at - _EPOCH) // timedelta(microseconds=1)}_{tweet_id}"


def _latest_position(cursor: str) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    micros, _, pk = cursor.partition("_")
    try:
        if not (micros.isascii() and pk.isascii() and len(micros) < 20 and len(pk) < 20):
            raise ValueError(cursor)
        return _EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, OverflowError, OSError):
        raise Invalid.on_field("cursor", "Invalid cursor.") from None


def _latest_queryset(*, user, position: tuple[datetime, int] | None) -> QuerySet:
    tweets = _feed_queryset(user).order_by(*LATEST_ORDER)
    if position is not None:
        created, pk = position
        tweets = tweets.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=pk))
    return tweets


# As for the feed (_RANKED_SQL): given an IN list of authors, PostgreSQL walks the whole
# created_at index backwards past other people's tweets, which grows with the whole table; each
# author's newest `count` from tweet_latest_idx, merged, is a few index entries each.
def _merged_sql(order: tuple[str, ...], columns: str) -> str:
    """The first tweets of the user's feed in `order` (its `columns` of each author's rows, `k`):
    each followee's first ones by the per-author query (`{per_author}`, in `order`), merged.
    Parameters: the user twice, the per-author query's, the count twice."""
    return f"""
SELECT {columns}
FROM unnest(ARRAY(
    SELECT f.followee_id FROM {Follow._meta.db_table} AS f WHERE f.follower_id = %s
) || %s::bigint) AS a(id)
CROSS JOIN LATERAL ({{per_author}} LIMIT %s) AS k
ORDER BY {order_sql("k", order)}
LIMIT %s
"""


_LATEST_SQL = _merged_sql(LATEST_ORDER, "k.id, k.created_at")
_LATEST_PAGE_SQL = _page_sql(_LATEST_SQL, LATEST_ORDER)


@compiled_once
def _per_author_latest_sql(after: bool) -> Compiled:
    """One author's (`a.id`) visible tweets newest first (after a position), from visible_tweets()."""
    tweets = visible_tweets(now=_NOW).filter(author_id=RawSQL("a.id", ()))
    if after:
        tweets = tweets.filter(Q(created_at__lt=_AT) | Q(created_at=_AT, id__lt=_ID))
    rows = tweets.order_by(*LATEST_ORDER).values_list("id", "created_at")
    return Compiled(rows, (_NOW, _AT, _ID) if after else (_NOW,))


def _latest_ranked(sql: str, *, user, position: tuple[datetime, int] | None, count: int) -> list[tuple]:
    """Rows of `sql` (_LATEST_SQL or _LATEST_PAGE_SQL) for the user's first `count` newest tweets
    after `position` (PostgreSQL)."""
    per_author = _per_author_latest_sql(position is not None)
    now = timezone.now()
    values = {_NOW: now, **({_AT: position[0], _ID: position[1]} if position else {})}
    replies = _replies_sql() if "{replies}" in sql else None
    params = [
        # The select list's replies subquery comes first in the statement (only _LATEST_PAGE_SQL has one).
        *(replies.bind({_NOW: now}) if replies else ()),
        user.pk,
        user.pk,
        *per_author.bind(values),
        count,
        count,
    ]
    with read_connection().cursor() as cursor:
        cursor.execute(sql.format(per_author=per_author.sql, replies=replies.sql if replies else ""), params)
        return cursor.fetchall()


def feed_latest_ids(*, user, cursor: str, count: int) -> list[int]:
    """Ids of the first `count` tweets of the user's feed newest first (the Latest tab) after
    `cursor` (Invalid if malformed), keyset on (created_at, id): no tweet twice, none skipped, while
    others post. A page reads one more than it shows; the next page's cursor is latest_cursor of its
    last shown, if that one came. One query."""
    position = _latest_position(cursor)
    if connection.vendor != "postgresql":
        return list(_latest_queryset(user=user, position=position).values_list("id", flat=True)[:count])
    return [row[0] for row in _latest_ranked(_LATEST_SQL, user=user, position=position, count=count)]


def feed_latest(*, user, cursor: str, limit: int) -> tuple[list[TweetPayload], str | None]:
    """A page of the user's feed newest first (the Latest tab), and the next page's cursor (None
    at the end).

    Queries: PostgreSQL, the page with its replies counts and attachments (_LATEST_PAGE_SQL), then
    tweets_payload's mentioned users and missing likers; elsewhere the page's ids, its rows, then
    tweets_payload's.
    """
    # Kept branch, as in feed_for: one statement for the page on PostgreSQL, from the same
    # per-author query as feed_latest_ids and the same row columns as tweet_rows.
    images: ImageLists | None = None
    if connection.vendor == "postgresql":
        page = _latest_ranked(_LATEST_PAGE_SQL, user=user, position=_latest_position(cursor), count=limit + 1)
        rows, images = _page_rows(page)
    else:
        ids = feed_latest_ids(user=user, cursor=cursor, count=limit + 1)
        found = {row["id"]: row for row in tweet_rows(visible_tweets().filter(id__in=ids))}
        rows = [found[tweet_id] for tweet_id in ids if tweet_id in found]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = latest_cursor(created_at=rows[limit - 1]["created_at"], tweet_id=rows[limit - 1]["id"])
    return tweets_payload(rows[:limit], images=images), next_cursor


# The web's Top tab: the feed by likes weighted by age (Tweet.top_score, TOP_HALF_LIFE_HOURS): a new
# post starts above week-old posts with a few hundred likes and sinks within days unless it is
# liked, so the top of Home changes and one's own new post is seen. The API keeps the contract's
# order. The score does not change with time, so each followee's first entries of tweet_top_idx,
# merged, are the page, as for Latest.
_TOP_SQL = _merged_sql(TOP_ORDER, "k.id")


@compiled_once
def _per_author_top_sql() -> Compiled:
    """One author's (`a.id`) visible tweets in TOP_ORDER, from visible_tweets()."""
    rows = (
        visible_tweets(now=_NOW)
        .filter(author_id=RawSQL("a.id", ()))
        .order_by(*TOP_ORDER)
        .values_list("id", "top_score")
    )
    return Compiled(rows, (_NOW,))


def top_ids(*, user, count: int) -> list[int]:
    """Ids of the first `count` tweets of the web Top tab: the user's feed in TOP_ORDER. One query."""
    # Kept branch, as in feed_ids: SQLite has neither LATERAL nor arrays; both are built from
    # visible_tweets() and TOP_ORDER, and the Top tests run on both databases.
    if connection.vendor != "postgresql":
        return list(_feed_queryset(user).order_by(*TOP_ORDER).values_list("id", flat=True)[:count])
    per_author = _per_author_top_sql()
    params = [user.pk, user.pk, *per_author.bind({_NOW: timezone.now()}), count, count]
    with read_connection().cursor() as cursor:
        cursor.execute(_TOP_SQL.format(per_author=per_author.sql), params)
        return [row[0] for row in cursor.fetchall()]

import functools
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import Follow, User
from common.replicas import read_connection
from media.models import Media
from media.selectors import storage_urls
from tweets.models import FEED_ORDER, Attachment, Tweet, feed_order_sql
from tweets.selectors import TWEET_ROW_FIELDS, TweetPayload, tweets_payload, visible_tweets

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
ORDER BY {feed_order_sql("k")}
LIMIT %s OFFSET %s
"""
_ATTACHED = f"{Attachment._meta.db_table} AS a JOIN {Media._meta.db_table} AS m ON m.id = a.media_id"
# The page with its authors' names and attachment file names: one round trip for the feed page.
_PAGE_SQL = f"""
SELECT t.id, t.content, t.created_at, t.likes_count, t.author_id, u.name, t.likers_version,
       ARRAY(SELECT m.file FROM {_ATTACHED} WHERE a.tweet_id = t.id ORDER BY a.position),
       ARRAY(SELECT m.thumbnail FROM {_ATTACHED} WHERE a.tweet_id = t.id ORDER BY a.position)
FROM ({_RANKED_SQL}) AS p
JOIN {Tweet._meta.db_table} AS t ON t.id = p.id
JOIN {User._meta.db_table} AS u ON u.id = t.author_id
ORDER BY {feed_order_sql("p")}
"""
_IDS_SQL = f"SELECT p.id FROM ({_RANKED_SQL}) AS p ORDER BY {feed_order_sql('p')}"

# Stands for the current time in the compiled per-author query; replaced on each request.
_NOW = datetime(2000, 1, 1, tzinfo=UTC)


@functools.cache
def _per_author_sql() -> tuple[str, list]:
    """One author's (`a.id`) visible tweets in feed order, compiled once per process from
    visible_tweets(); its parameters with _NOW where the current time goes."""
    per_author = (
        visible_tweets(now=_NOW)
        .filter(author_id=RawSQL("a.id", ()))
        .order_by(*FEED_ORDER)
        .values("id", "likes_count", "created_at")
    )
    sql, params = per_author.query.sql_with_params()
    if not any(param is _NOW for param in params):
        raise AssertionError("visible_tweets() no longer takes the time as a parameter")
    return sql, list(params)


def _feed_queryset(user) -> QuerySet:
    """The user's feed as a queryset: the visible tweets of their followees and their own."""
    followees = Follow.objects.filter(follower=user).values("followee_id")
    return visible_tweets().filter(Q(author_id__in=followees) | Q(author_id=user.pk)).order_by(*FEED_ORDER)


def _ranked(sql: str, *, user, start: int, count: int) -> list[tuple]:
    per_author, template = _per_author_sql()
    now = timezone.now()
    params = [
        user.pk,
        user.pk,
        *(now if param is _NOW else param for param in template),
        start + count,
        count,
        start,
    ]
    with read_connection().cursor() as cursor:
        cursor.execute(sql.format(per_author=per_author), params)
        return cursor.fetchall()


def feed_ids(*, user, count: int) -> list[int]:
    """Ids of the first `count` tweets of the user's feed, in feed order."""
    if connection.vendor != "postgresql":
        return list(_feed_queryset(user).values_list("id", flat=True)[:count])
    return [row[0] for row in _ranked(_IDS_SQL, user=user, start=0, count=count)]


def tweets_by_ids(*, ids: list[int]) -> list[TweetPayload]:
    """The contract's Tweet objects of these ids in this order, leaving out hidden or deleted ones.

    Queries: the tweets, the likers of those not in the likers cache, the attachments.
    """
    found = {row["id"]: row for row in visible_tweets().filter(id__in=ids).values(*TWEET_ROW_FIELDS)}
    return tweets_payload([found[tweet_id] for tweet_id in ids if tweet_id in found])


def feed_for(*, user, start: int, count: int) -> list[TweetPayload]:
    """Rows start..start+count of the user's feed: followed users' tweets and their own.

    PostgreSQL: one query for the page with its followees and attachments, and one for the
    likers missing from the likers cache. Elsewhere: page, likers, attachments.
    """
    if connection.vendor != "postgresql":
        rows = list(_feed_queryset(user).values(*TWEET_ROW_FIELDS)[start : start + count])
        return tweets_payload(rows)
    rows, attachments, thumbnails = [], {}, {}
    for *row, files, thumbnail_files in _ranked(_PAGE_SQL, user=user, start=start, count=count):
        rows.append(dict(zip(TWEET_ROW_FIELDS, row, strict=True)))
        attachments[row[0]] = storage_urls(files)
        thumbnails[row[0]] = storage_urls(thumbnail_files)
    return tweets_payload(rows, images=(attachments, thumbnails))

from django.db import connection

from accounts.models import User
from accounts.selectors import active_followee_ids
from tweets.models import Tweet
from tweets.selectors import TWEET_ROW_FIELDS, tweets_payload, visible_tweets

# Most liked first, newest first among equals; id breaks ties between same-instant tweets.
FEED_ORDER = ("-likes_count", "-created_at", "-id")

# PostgreSQL cannot merge the per-author ranges of tweet_feed_idx for an IN list: given one, it
# reads every tweet of every followee (5,000 rows for 50 followees) and sorts them. Asking each
# author for only their first start+count tweets (LATERAL ... LIMIT) is an index-only scan of
# at most (followees + 1) x (start + count) entries; the page's full rows are fetched last.
_RANKED_SQL = f"""
SELECT k.id, k.likes_count, k.created_at
FROM unnest(%(authors)s::bigint[]) AS a(id)
CROSS JOIN LATERAL (
    SELECT id, likes_count, created_at FROM {Tweet._meta.db_table}
    WHERE author_id = a.id AND hidden_at IS NULL
    ORDER BY likes_count DESC, created_at DESC, id DESC
    LIMIT %(depth)s
) AS k
ORDER BY k.likes_count DESC, k.created_at DESC, k.id DESC
LIMIT %(count)s OFFSET %(start)s
"""
_PAGE_SQL = f"""
SELECT t.id, t.content, t.created_at, t.likes_count, t.author_id, u.name
FROM ({_RANKED_SQL}) AS p
JOIN {Tweet._meta.db_table} AS t ON t.id = p.id
JOIN {User._meta.db_table} AS u ON u.id = t.author_id
ORDER BY p.likes_count DESC, p.created_at DESC, p.id DESC
"""
_IDS_SQL = f"SELECT p.id FROM ({_RANKED_SQL}) AS p ORDER BY p.likes_count DESC, p.created_at DESC, p.id DESC"


def _feed_queryset(author_ids: list[int]):
    return Tweet.objects.filter(author_id__in=author_ids, hidden_at__isnull=True).order_by(*FEED_ORDER)


def _ranked(sql: str, author_ids: list[int], start: int, count: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"authors": author_ids, "depth": start + count, "count": count, "start": start})
        return cursor.fetchall()


def feed_rows(*, author_ids: list[int], start: int, count: int) -> list[dict]:
    """Rows start..start+count of the visible tweets of these authors, in feed order (one query)."""
    if connection.vendor != "postgresql":
        return list(_feed_queryset(author_ids).values(*TWEET_ROW_FIELDS)[start : start + count])
    return [
        dict(zip(TWEET_ROW_FIELDS, row, strict=True)) for row in _ranked(_PAGE_SQL, author_ids, start, count)
    ]


def feed_ids(*, user, count: int) -> list[int]:
    """Ids of the first `count` tweets of the user's feed, in feed order (two queries)."""
    author_ids = [*active_followee_ids(user=user), user.pk]
    if connection.vendor != "postgresql":
        return list(_feed_queryset(author_ids).values_list("id", flat=True)[:count])
    return [row[0] for row in _ranked(_IDS_SQL, author_ids, 0, count)]


def tweets_by_ids(*, ids: list[int]) -> list[dict]:
    """The contract's Tweet objects of these ids in this order, leaving out hidden or deleted ones.

    Queries: the tweets, the likers of those not in the likers cache, the attachments.
    """
    found = {row["id"]: row for row in visible_tweets().filter(id__in=ids).values(*TWEET_ROW_FIELDS)}
    return tweets_payload([found[tweet_id] for tweet_id in ids if tweet_id in found])


def feed_for(*, user, start: int, count: int) -> list[dict]:
    """Rows start..start+count of the user's feed: followed users' tweets and their own.

    Four queries whatever the page size, likes or attachments: the visible followees, the page
    of tweets, the likers, the attachments. Listing the authors first (instead of a subquery
    OR'ed with the user's own id) lets PostgreSQL walk tweet_feed_idx once per author.
    """
    author_ids = [*active_followee_ids(user=user), user.pk]
    return tweets_payload(feed_rows(author_ids=author_ids, start=start, count=count))

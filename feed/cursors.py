"""Keyset-style cursors over a snapshot of the feed's order (an extension of the contract).

The first cursor page ranks the user's whole feed (up to FEED_MAX_ITEMS tweets) once and keeps
that list of ids as a FeedSnapshot row for FEED_CURSOR_TTL seconds; a user keeps at most
FEED_CURSOR_SNAPSHOTS_PER_USER of them, the oldest dropped first. A cursor is a signed token
naming the snapshot, its owner and a position in it, so following pages walk the order fixed at
the first page: no tweet twice and none skipped however likes change meanwhile. Their content,
likes and likes_count are read fresh; tweets deleted or hidden since (or whose author was
suspended or deactivated) are left out, so a page can be shorter than `limit`.

With read replicas, the snapshot is read from the primary, which wrote it an instant ago (a
replica may not have replayed it yet), and a page whose tweets a lagging replica lacks is read
again from the primary: cursor pages work whatever the replicas' lag.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from common.errors import Invalid
from common.replicas import primary_reads, reading_from_replica
from feed.models import FeedSnapshot
from feed.selectors import feed_ids, tweets_by_ids
from tweets.selectors import TweetPayload

_SALT = "chirp.feed.cursor"


def _expired() -> Invalid:
    return Invalid.on_field("cursor", "This cursor has expired; start again without one.")


def _invalid() -> Invalid:
    return Invalid.on_field("cursor", "Invalid cursor.")


def snapshot_create(*, user_id: int, ids: list[int]) -> int:
    """Store a ranked list of tweet ids; returns the snapshot's id.

    One transaction: the row, then one DELETE of every expired snapshot and of this user's beyond
    the cap (the newest FEED_CURSOR_SNAPSHOTS_PER_USER are kept).
    """
    now = timezone.now()
    cap = settings.FEED_CURSOR_SNAPSHOTS_PER_USER
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A snapshot is disposable (lost in a crash, its cursor answers 400 and the client
            # starts again), so its commit need not wait for the WAL to reach the disk (a measured
            # need: commit 75848ee). Durability only: the rows are the same on both databases,
            # and the cursor tests run on both.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        snapshot = FeedSnapshot.objects.create(user_id=user_id, tweet_ids=ids, created_at=now)
        newest = FeedSnapshot.objects.filter(user_id=user_id).order_by("-id").values("id")
        FeedSnapshot.objects.filter(
            Q(created_at__lt=now - timedelta(seconds=settings.FEED_CURSOR_TTL))
            | Q(user_id=user_id, id__lte=Subquery(newest[cap : cap + 1]))
        ).delete()
    return snapshot.pk


def cursor_at(*, snapshot_id: int, user_id: int, position: int) -> str:
    return signing.dumps([snapshot_id, user_id, position], salt=_SALT, compress=True)


def snapshot_page(*, cursor: str, user_id: int, limit: int) -> tuple[list[int], str | None]:
    """(ids of the page, cursor of the next page or None at the end); Invalid if the cursor is not
    usable, expired or dropped for a newer snapshot of the same user."""
    try:
        snapshot_id, owner, position = signing.loads(cursor, salt=_SALT, max_age=settings.FEED_CURSOR_TTL)
    except signing.SignatureExpired:
        raise _expired() from None
    except (signing.BadSignature, ValueError, TypeError):
        raise _invalid() from None
    if owner != user_id or not isinstance(position, int) or position < 0:
        raise _invalid()
    if not isinstance(snapshot_id, int):
        raise _expired()  # a cursor from before snapshots were rows
    cutoff = timezone.now() - timedelta(seconds=settings.FEED_CURSOR_TTL)
    with primary_reads():
        ids = (
            FeedSnapshot.objects.filter(pk=snapshot_id, user_id=user_id, created_at__gte=cutoff)
            .values_list("tweet_ids", flat=True)
            .first()
        )
    if ids is None:
        raise _expired()
    return _page(ids, snapshot_id=snapshot_id, user_id=user_id, position=position, limit=limit)


def _page(ids: list[int], *, snapshot_id: int, user_id: int, position: int, limit: int):
    end = position + limit
    if end >= len(ids):
        return ids[position:end], None
    return ids[position:end], cursor_at(snapshot_id=snapshot_id, user_id=user_id, position=end)


def feed_cursor_ids(
    *, user, cursor: str, limit: int, ranking: Callable[..., list[int]] = feed_ids
) -> tuple[list[int], str | None]:
    """(tweet ids, next cursor) of a cursor page; an empty cursor starts a new snapshot. The ids
    may include tweets hidden or deleted since the snapshot: the reader of the tweets leaves them out."""
    if cursor:
        return snapshot_page(cursor=cursor, user_id=user.pk, limit=limit)
    ranked = ranking(user=user, count=settings.FEED_MAX_ITEMS)
    snapshot_id = snapshot_create(user_id=user.pk, ids=ranked)
    return _page(ranked, snapshot_id=snapshot_id, user_id=user.pk, position=0, limit=limit)


def feed_cursor_after(
    *, user, shown: list[int], limit: int, ranking: Callable[..., list[int]] = feed_ids
) -> tuple[list[int], str | None]:
    """(tweet ids, next cursor) of the page after a first page read with feed_ids alone (no snapshot,
    which a page that is mostly not scrolled need not write): the feed ranked now, less the tweets
    `shown` on that first page, as a new snapshot. None twice, none skipped however likes changed."""
    exclude = set(shown)
    ranked = [
        tweet_id for tweet_id in ranking(user=user, count=settings.FEED_MAX_ITEMS) if tweet_id not in exclude
    ]
    snapshot_id = snapshot_create(user_id=user.pk, ids=ranked)
    return _page(ranked, snapshot_id=snapshot_id, user_id=user.pk, position=0, limit=limit)


def feed_cursor_page(*, user, cursor: str, limit: int) -> tuple[list[TweetPayload], str | None]:
    """(tweets, next cursor) of a cursor page; an empty cursor starts a new snapshot."""
    if cursor:
        ids, next_cursor = snapshot_page(cursor=cursor, user_id=user.pk, limit=limit)
    else:
        ranked = feed_ids(user=user, count=settings.FEED_MAX_ITEMS)
        snapshot_id = snapshot_create(user_id=user.pk, ids=ranked)
        ids, next_cursor = _page(ranked, snapshot_id=snapshot_id, user_id=user.pk, position=0, limit=limit)
    tweets = tweets_by_ids(ids=ids)
    if len(tweets) < len(ids) and reading_from_replica():
        # Deleted or hidden since, or not replayed yet on this replica (the order may have been
        # ranked on the primary, or on a replica further ahead): the primary tells which.
        with primary_reads():
            tweets = tweets_by_ids(ids=ids)
    return tweets, next_cursor

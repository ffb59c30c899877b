"""Keyset-style cursors over a snapshot of the feed's order (an extension of the contract).

The first cursor page ranks the user's whole feed (up to FEED_MAX_ITEMS tweets) once and keeps
that list of ids in the cache for FEED_CURSOR_TTL seconds. A cursor is a signed token naming the
snapshot, its owner and a position in it, so following pages walk the order fixed at the first
page: no tweet twice and none skipped however likes change meanwhile. Their content, likes and
likes_count are read fresh; tweets deleted or hidden since (or whose author was suspended or
deactivated) are left out, so a page can be shorter than `limit`.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from rest_framework.exceptions import ValidationError

from feed.selectors import feed_ids, tweets_by_ids

_SALT = "chirp.feed.cursor"


def _snapshot_key(name: str) -> str:
    return f"chirp:feed-snapshot:{name}"


def snapshot_create(*, user_id: int, ids: list[int]) -> str:
    """Store a ranked list of tweet ids; returns the cursor of its first position."""
    name = secrets.token_urlsafe(12)
    cache.set(_snapshot_key(name), ids, timeout=settings.FEED_CURSOR_TTL)
    return cursor_at(name=name, user_id=user_id, position=0)


def cursor_at(*, name: str, user_id: int, position: int) -> str:
    return signing.dumps([name, user_id, position], salt=_SALT, compress=True)


def snapshot_page(*, cursor: str, user_id: int, limit: int) -> tuple[list[int], str | None]:
    """(ids of the page, cursor of the next page or None at the end) for a cursor; 400 if invalid."""
    try:
        name, owner, position = signing.loads(cursor, salt=_SALT, max_age=settings.FEED_CURSOR_TTL)
    except signing.SignatureExpired:
        raise ValidationError({"cursor": ["This cursor has expired; start again without one."]}) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError({"cursor": ["Invalid cursor."]}) from None
    if owner != user_id or not isinstance(position, int) or position < 0:
        raise ValidationError({"cursor": ["Invalid cursor."]})
    ids = cache.get(_snapshot_key(name))
    if ids is None:
        raise ValidationError({"cursor": ["This cursor has expired; start again without one."]})
    end = position + limit
    next_cursor = cursor_at(name=name, user_id=user_id, position=end) if end < len(ids) else None
    return ids[position:end], next_cursor


def feed_cursor_page(*, user, cursor: str, limit: int) -> tuple[list[dict], str | None]:
    """(tweets, next cursor) of a cursor page; an empty cursor starts a new snapshot."""
    if not cursor:
        cursor = snapshot_create(user_id=user.pk, ids=feed_ids(user=user, count=settings.FEED_MAX_ITEMS))
    ids, next_cursor = snapshot_page(cursor=cursor, user_id=user.pk, limit=limit)
    return tweets_by_ids(ids=ids), next_cursor

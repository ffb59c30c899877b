"""The Trending box's list, kept in Django's cache for TRENDING_CACHE_SECONDS.

Counting the tags of the last TRENDING_HOURS hours reads every TweetTag row of that day, and Home,
Latest and every tag page show the list. So the counted list is kept in the default cache (Redis
in production, shared by the workers; the database cache without Redis) for
TRENDING_CACHE_SECONDS (a setting, 60 s by default), stored with the cache's generation it was
counted under.

A new post's tags show when the cached list's time runs out: dropping the list on every tagged
post cost each post a cache write and, on a busy site, made nearly every page after a post count
the day's tags again. Edits, deletions and moderators' hiding and unhiding take effect at once
(moderators expect a hidden post's tags gone when they look): once such a write's transaction
commits it sets a new generation, and the next page counts again. A list counted while such a
write committed carries the generation read before it, not the write's, and is never served.

What changes visibility without touching a tweet (an author suspended, deactivated or deleted; a
suspension running out; a post leaving the window) also shows within TRENDING_CACHE_SECONDS.
"""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

TRENDING_HOURS = 24
_GENERATION_KEY = "chirp:trending:generation"


def _list_key(limit: int) -> str:
    return f"chirp:trending:{limit}"


def trending_cached(*, limit: int, count: Callable[[], list[tuple[str, int]]]) -> list[tuple[str, int]]:
    """The cached list of the first `limit` tags if it was counted under the current generation,
    else count() stored under the generation read before counting. One cache read when cached."""
    found = cache.get_many([_GENERATION_KEY, _list_key(limit)])
    generation = found.get(_GENERATION_KEY, "")
    stored = found.get(_list_key(limit))
    if stored is not None and stored[0] == generation:
        return stored[1]
    counted = count()
    cache.set(_list_key(limit), (generation, counted), timeout=settings.TRENDING_CACHE_SECONDS)
    return counted


def trending_changed_on_commit(
    *, tags_before: list[str], tags_after: list[str], created_at: datetime
) -> None:
    """Call in the transaction of an edit, deletion, hiding or unhiding that changes a tweet's
    counted tags (from `tags_before` to `tags_after`; a deletion or hiding: to none): once it
    commits, cached lists are stale. Nothing for a tweet out of the window or whose tags stay the
    same. New posts do not call it (see above)."""
    if tags_before == tags_after or created_at < timezone.now() - timedelta(hours=TRENDING_HOURS):
        return
    transaction.on_commit(lambda: cache.set(_GENERATION_KEY, uuid.uuid4().hex, timeout=None))

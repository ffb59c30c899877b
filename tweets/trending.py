"""The Trending box's list, kept in Django's cache and dropped by the writes that change it.

Counting the tags of the last TRENDING_HOURS hours reads every TweetTag row of that day, and Home,
Latest and every tag page show the list. So the counted list is kept in the default cache (Redis
in production, shared by the workers; the database cache without Redis) for
TRENDING_CACHE_SECONDS, stored with the cache's generation it was counted under. A write that adds
or removes tags of the last day (a post, an edit, a deletion, hiding or unhiding a post) sets a new
generation once its transaction commits: the next page counts again, so a tag just posted shows at
once. A list counted while such a write committed carries the generation read before it, not the
write's, and is never served.

What changes visibility without touching a tweet (an author suspended, deactivated or deleted; a
suspension running out; a post leaving the window) shows within TRENDING_CACHE_SECONDS.
"""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

TRENDING_HOURS = 24
TRENDING_CACHE_SECONDS = 60
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
    cache.set(_list_key(limit), (generation, counted), timeout=TRENDING_CACHE_SECONDS)
    return counted


def trending_changed_on_commit(
    *, tags_before: list[str], tags_after: list[str], created_at: datetime
) -> None:
    """Call in the transaction of a write that changes a tweet's counted tags (from `tags_before`
    to `tags_after`; a deletion or hiding: to none): once it commits, cached lists are stale. Nothing
    for a tweet out of the window or whose tags stay the same."""
    if tags_before == tags_after or created_at < timezone.now() - timedelta(hours=TRENDING_HOURS):
        return
    transaction.on_commit(lambda: cache.set(_GENERATION_KEY, uuid.uuid4().hex, timeout=None))

"""Per-tweet likers lists kept in Redis as ready-made JSON, exact whatever Redis went through.

A popular tweet carries 10,000 likers in every feed that shows it; reading and encoding them
dominated the feed's cost. Each tweet's list is stored once as the JSON bytes of its `likes`
field and embedded in responses with orjson.Fragment.

Exactness: every change of a tweet's likers (like, unlike, a liker's rename, likes deleted by
an admin) bumps Tweet.likers_version in the same transaction. Readers read the version with the
page's rows and use a stored list only if it was stored under that same version; otherwise they
read the likers from the database and store them under the version they read. So nothing has
to reach Redis when likers change: a like made while Redis is stalled or down can never leave a
stale list behind. Without REDIS_URL (development, SQLite) nothing is cached. Redis calls go
through the breaker (ops/redis_breaker.py): while Redis is unreachable lists come from the database.
"""

from collections.abc import Callable

import redis
from django.conf import settings

from ops import redis_breaker

_clients: dict[str, redis.Redis] = {}


def _client() -> redis.Redis | None:
    url = settings.REDIS_URL
    if not url:
        return None
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, **redis_breaker.connection_options())
    return _clients[url]


def _key(tweet_id: int) -> str:
    return f"chirp:likers:{tweet_id}"


def _call(call: Callable):
    """call(), or None when Redis is unreachable now or was a moment ago."""
    return redis_breaker.guarded(settings.REDIS_URL or "", "likers", call, lambda: None)


def cached_likers(versions: dict[int, int]) -> dict[int, bytes]:
    """The JSON of the lists stored under these versions (tweet id: likers_version), in one round trip."""
    client = _client()
    if client is None or not versions:
        return {}
    ids = list(versions)
    replies = _call(lambda: client.mget([_key(tweet_id) for tweet_id in ids]))
    found = {}
    for tweet_id, reply in zip(ids, replies or (), strict=False):
        if reply is not None:
            version, _, data = reply.partition(b":")
            if version == b"%d" % versions[tweet_id]:
                found[tweet_id] = data
    return found


# SET ... EX for each key, in one command: a cold whole feed stores up to FEED_MAX_ITEMS lists,
# and a pipeline of that many SETs cost more in redis-py's packing and reply parsing than in
# the round trip it saved. ARGV[1] is the TTL, then one value per key.
_STORE_SCRIPT = """
for i, key in ipairs(KEYS) do
    redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1])
end
return #KEYS
"""


def store_likers(lists: dict[int, bytes], versions: dict[int, int]) -> None:
    """Store lists read from the database, each under the version read before them."""
    client = _client()
    if client is None or not lists:
        return
    store = client.register_script(_STORE_SCRIPT)
    keys = [_key(tweet_id) for tweet_id in lists]
    values = [b"%d:%s" % (versions[tweet_id], data) for tweet_id, data in lists.items()]
    _call(lambda: store(keys=keys, args=[settings.LIKERS_CACHE_TTL, *values]))

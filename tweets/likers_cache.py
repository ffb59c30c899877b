"""Per-tweet likers lists kept in Redis as ready-made JSON, exact whatever Redis went through.

A popular tweet carries 10,000 likers in every feed that shows it; reading and encoding them
dominated the feed's cost. Each tweet's list is stored once as the JSON bytes of its `likes`
field and embedded in responses with orjson.Fragment.

Exactness: every change of a tweet's likers (like, unlike, a liker's rename, likes deleted by
an admin) bumps Tweet.likers_version in the same transaction. Readers read the version with the
page's rows and use a stored list only if it was stored under that same version; otherwise they
read the likers from the database and store them under the version they read. So nothing has
to reach Redis when likers change: a like made while Redis is stalled or down can never leave a
stale list behind. Redis calls go through the breaker (ops/redis_breaker.py): while Redis is
unreachable lists come from the database. Without REDIS_URL (development, SQLite) only the
worker's own copies (below) are kept.

Each worker also keeps the lists it served lately in its own memory (LIKERS_LOCAL_CACHE_MB,
least recently used out first), under the same rule: a copy is used only under the version read
with the rows. The popular tweets' lists, hundreds of kilobytes each, are in most feeds; fetching
them from Redis for every page cost a round trip and a copy per request (about 2.6 ms for a 1 MB
page on this machine), which the copy in memory saves.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable

import redis
from django.conf import settings

from ops import redis_breaker

# What an entry costs beyond its bytes (the bytes object, the tuple, the OrderedDict node), roughly.
_ENTRY_OVERHEAD = 200


class _WorkerCopies:
    """A bounded, thread-safe map tweet id -> (likers_version, JSON) in least-recently-used order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[int, tuple[int, bytes]] = OrderedDict()
        self._bytes = 0

    def get(self, versions: dict[int, int]) -> dict[int, bytes]:
        found = {}
        with self._lock:
            for tweet_id, version in versions.items():
                entry = self._entries.get(tweet_id)
                if entry is not None and entry[0] == version:
                    self._entries.move_to_end(tweet_id)
                    found[tweet_id] = entry[1]
        return found

    def put(self, lists: dict[int, bytes], versions: dict[int, int]) -> None:
        budget = settings.LIKERS_LOCAL_CACHE_MB * 1024 * 1024
        with self._lock:
            for tweet_id, data in lists.items():
                old = self._entries.pop(tweet_id, None)
                if old is not None:
                    self._bytes -= len(old[1]) + _ENTRY_OVERHEAD
                size = len(data) + _ENTRY_OVERHEAD
                if size <= budget // 8:  # one giant list never pushes out everything else
                    self._entries[tweet_id] = (versions[tweet_id], data)
                    self._bytes += size
            while self._bytes > budget:
                _, (_, data) = self._entries.popitem(last=False)
                self._bytes -= len(data) + _ENTRY_OVERHEAD

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes


worker_copies = _WorkerCopies()

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
    """The JSON of the lists stored under these versions (tweet id: likers_version).

    The worker's own copies first, then at most one round trip to Redis for the rest.
    """
    found = worker_copies.get(versions)
    client = _client()
    ids = [tweet_id for tweet_id in versions if tweet_id not in found]
    if client is None or not ids:
        return found
    replies = _call(lambda: client.mget([_key(tweet_id) for tweet_id in ids]))
    from_redis = {}
    for tweet_id, reply in zip(ids, replies or (), strict=False):
        if reply is not None:
            version, _, data = reply.partition(b":")
            if version == b"%d" % versions[tweet_id]:
                from_redis[tweet_id] = data
    worker_copies.put(from_redis, versions)
    found.update(from_redis)
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
    worker_copies.put(lists, versions)
    client = _client()
    if client is None or not lists:
        return
    store = client.register_script(_STORE_SCRIPT)
    keys = [_key(tweet_id) for tweet_id in lists]
    values = [b"%d:%s" % (versions[tweet_id], data) for tweet_id, data in lists.items()]
    _call(lambda: store(keys=keys, args=[settings.LIKERS_CACHE_TTL, *values]))

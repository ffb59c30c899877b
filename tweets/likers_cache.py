"""Per-tweet likers lists kept in Redis as ready-made JSON, invalidated exactly.

A popular tweet carries 10,000 likers in every feed that shows it; reading and encoding them
dominated the feed's cost. Each tweet's list is stored once as the JSON bytes of its `likes`
field and embedded in responses with orjson.Fragment.

Exactness: every change of a tweet's likers (like, unlike, a liker's rename) bumps a version
and drops the list once its transaction has committed. A reader notes the version *before* it
reads the database and stores its list only if the version is still the same, atomically in
Redis; so a list read before a commit can never be stored after that commit's bump. Version
and list live in one hash under one TTL, so they are evicted together. Without REDIS_URL
(development, SQLite) nothing is cached and every list is read from the database.
"""

import logging

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

_clients: dict[str, redis.Redis] = {}

# KEYS[1] = hash; ARGV = version read before the database, list JSON, TTL seconds.
_STORE_IF_UNCHANGED = """
if (redis.call('HGET', KEYS[1], 'v') or '') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'j', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
"""


def _client() -> redis.Redis | None:
    url = settings.REDIS_URL
    if not url:
        return None
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return _clients[url]


def _key(tweet_id: int) -> str:
    return f"chirp:likers:{tweet_id}"


def cached_likers(tweet_ids: list[int]) -> tuple[dict[int, bytes], dict[int, str]]:
    """(JSON of the lists found, version of every tweet whose list is missing), in one round trip."""
    client = _client()
    if client is None or not tweet_ids:
        return {}, dict.fromkeys(tweet_ids, "")
    try:
        pipe = client.pipeline(transaction=False)
        for tweet_id in tweet_ids:
            pipe.hmget(_key(tweet_id), "v", "j")
        replies = pipe.execute()
    except redis.RedisError:
        logger.exception("likers cache unavailable; reading likers from the database")
        return {}, {}
    found, missing = {}, {}
    for tweet_id, (version, data) in zip(tweet_ids, replies, strict=True):
        if data is not None:
            found[tweet_id] = data
        else:
            missing[tweet_id] = (version or b"").decode()
    return found, missing


def store_likers(lists: dict[int, bytes], versions: dict[int, str]) -> None:
    """Store lists read from the database, each only if its version has not moved since."""
    client = _client()
    lists = {tweet_id: data for tweet_id, data in lists.items() if tweet_id in versions}
    if client is None or not lists:
        return
    try:
        store = client.register_script(_STORE_IF_UNCHANGED)
        pipe = client.pipeline(transaction=False)
        for tweet_id, data in lists.items():
            store(
                keys=[_key(tweet_id)], args=[versions[tweet_id], data, settings.LIKERS_CACHE_TTL], client=pipe
            )
        pipe.execute()
    except redis.RedisError:
        logger.exception("likers cache unavailable; lists not stored")


def forget_likers(tweet_ids: list[int]) -> None:
    """Invalidate these tweets' lists: call after the change has committed."""
    client = _client()
    if client is None or not tweet_ids:
        return
    try:
        # MULTI: no reader sees the new version next to the old list.
        pipe = client.pipeline(transaction=True)
        for tweet_id in tweet_ids:
            pipe.hincrby(_key(tweet_id), "v", 1)
            pipe.hdel(_key(tweet_id), "j")
            pipe.expire(_key(tweet_id), settings.LIKERS_CACHE_TTL)
        pipe.execute()
    except redis.RedisError:
        # The TTL bounds how long a list can stay stale if Redis was unreachable just now.
        logger.exception("likers cache unavailable; could not invalidate %s", tweet_ids)

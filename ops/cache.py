"""Cache backends that never turn a request into a 500 (settings.CACHES).

The cache holds login and upload throttle counters, shared by every worker. FailoverRedisCache is
Django's Redis cache behind the Redis circuit breaker (ops/redis_breaker.py): while Redis is
unreachable, every operation goes to the database cache instead, so throttles keep counting
rather than failing open. SafeDatabaseCache is Django's database cache that logs and skips an
operation that fails (a get answers its default), as the counters are not worth a failed request.
Each has `probe()` for /readyz, which does raise: "ok", "degraded" (served by the fallback) or an
exception.
"""

import functools
import logging
import random
import threading
import uuid

import redis
from django.core.cache import BaseCache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import DatabaseError
from django.utils.module_loading import import_string

from ops import metrics, redis_breaker

logger = logging.getLogger("chirp.cache")


def roundtrip(cache: "BaseCache | _Unguarded") -> None:
    """Write a value, read it back and delete it; raises if the cache cannot do that."""
    key = f"chirp:readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=30)
    if cache.get(key) != "ok":
        raise RuntimeError("a value written to the cache could not be read back")
    cache.delete(key)


def _through_breaker(name: str):
    def operation(self, *args, **kwargs):
        return redis_breaker.guarded(
            self._url,
            "cache",
            lambda: getattr(RedisCache, name)(self, *args, **kwargs),
            lambda: getattr(caches[self._fallback], name)(*args, **kwargs),
        )

    operation.__name__ = name
    return operation


# One redis.Redis (with its connection pool) per Redis server and process. Django's cache handler
# keeps a cache object per thread or asyncio context, and under the ASGI worker every request runs
# in a context of its own: each request's first cache operation made a new cache object, a new pool
# and a new TCP connection to Redis. A redis.Redis is safe to share between threads: each command
# takes a connection from the pool.
_CLIENTS: dict[str, redis.Redis] = {}
_CLIENTS_LOCK = threading.Lock()


class ReusedRedisCacheClient(RedisCacheClient):
    """Django's client, with the process's one redis.Redis per server. Django's makes a new
    redis.Redis for every operation, whose constructor costs more CPU than the round trip.

    get_client is the method Django's code names for overriding. The servers and the pool options
    are this class's own, from the constructor's documented arguments (the cache's LOCATION and
    OPTIONS), read as Django reads them: writes go to the first server, reads to one of the others
    when there are others."""

    def __init__(self, servers, serializer=None, pool_class=None, parser_class=None, **options):
        super().__init__(
            servers, serializer=serializer, pool_class=pool_class, parser_class=parser_class, **options
        )
        self.servers = list(servers)
        self.pool_class = import_string(pool_class) if isinstance(pool_class, str) else pool_class
        self.pool_class = self.pool_class or redis.ConnectionPool
        parser_class = import_string(parser_class) if isinstance(parser_class, str) else parser_class
        self.pool_options = {"parser_class": parser_class or redis.connection.DefaultParser, **options}

    def get_client(self, key=None, *, write=False):
        readers = self.servers[1:]
        server = random.choice(readers) if readers and not write else self.servers[0]
        client = _CLIENTS.get(server)
        if client is None:
            with _CLIENTS_LOCK:
                client = _CLIENTS.get(server)
                if client is None:
                    pool = self.pool_class.from_url(server, **self.pool_options)
                    client = _CLIENTS[server] = redis.Redis(connection_pool=pool)
        return client


class FailoverRedisCache(RedisCache):
    """RedisCache with the breaker; OPTIONS["FALLBACK"] names the cache alias used meanwhile."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self._fallback = options.pop("FALLBACK")
        super().__init__(server, {**params, "OPTIONS": {**redis_breaker.connection_options(), **options}})
        self._class = ReusedRedisCacheClient
        self._url = server

    add = _through_breaker("add")
    get = _through_breaker("get")
    set = _through_breaker("set")
    touch = _through_breaker("touch")
    delete = _through_breaker("delete")
    get_many = _through_breaker("get_many")
    has_key = _through_breaker("has_key")
    incr = _through_breaker("incr")
    set_many = _through_breaker("set_many")
    delete_many = _through_breaker("delete_many")
    clear = _through_breaker("clear")

    def probe(self) -> str:
        try:
            roundtrip(_Unguarded(self, RedisCache))
        except redis.RedisError as exc:
            redis_breaker.breaker_for(self._url).failed(exc)
            fallback = caches[self._fallback]
            getattr(fallback, "probe", lambda: roundtrip(fallback))()
            return "degraded"
        redis_breaker.breaker_for(self._url).succeeded()
        return "ok"


class _Unguarded:
    """A cache seen through its base class's methods: no breaker, no fallback, errors raised."""

    def __init__(self, cache: BaseCache, base: type):
        self.cache, self.base = cache, base

    def __getattr__(self, name: str):
        return functools.partial(getattr(self.base, name), self.cache)


def _tolerant(name: str, default):
    def operation(self, *args, **kwargs):
        # Throttles call the cache before any transaction starts, so a failed statement here
        # aborts nothing else; writes run in DatabaseCache's own atomic block anyway.
        try:
            return getattr(DatabaseCache, name)(self, *args, **kwargs)
        except DatabaseError as exc:
            metrics.CACHE_ERRORS.inc()
            logger.warning("Database cache %s failed, skipped: %s: %s", name, type(exc).__name__, exc)
            return default(args, kwargs)

    operation.__name__ = name
    return operation


class SafeDatabaseCache(DatabaseCache):
    """DatabaseCache whose failures are logged and skipped instead of raised."""

    get = _tolerant("get", lambda args, kwargs: kwargs.get("default", args[1] if len(args) > 1 else None))
    get_many = _tolerant("get_many", lambda args, kwargs: {})
    set = _tolerant("set", lambda args, kwargs: None)
    add = _tolerant("add", lambda args, kwargs: False)
    touch = _tolerant("touch", lambda args, kwargs: False)
    delete = _tolerant("delete", lambda args, kwargs: False)
    delete_many = _tolerant("delete_many", lambda args, kwargs: None)
    has_key = _tolerant("has_key", lambda args, kwargs: False)
    clear = _tolerant("clear", lambda args, kwargs: None)

    def probe(self) -> str:
        roundtrip(_Unguarded(self, DatabaseCache))
        return "ok"

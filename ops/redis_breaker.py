"""A circuit breaker in front of every use of Redis (the Django cache and the likers cache).

Redis only speeds Chirp up or shares counters between workers; the database can always answer
instead. A stalled Redis (a paused process, a full network buffer) makes every call wait for
its socket timeout, and sync workers queue every request behind those waits. So after one
failure a process stops calling Redis for REDIS_BREAKER_SECONDS and answers from the database;
the first call after that tries again. The change is logged once each way and counted in
/metrics (chirp_redis_outages, chirp_redis_fallbacks).
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from ops import metrics

logger = logging.getLogger("chirp.redis")
T = TypeVar("T")


def connection_options() -> dict:
    """Options for a redis-py client or pool: short timeouts, and no retry that would repeat them."""
    return {
        "socket_timeout": settings.REDIS_SOCKET_TIMEOUT_MS / 1000,
        "socket_connect_timeout": settings.REDIS_CONNECT_TIMEOUT_MS / 1000,
        "retry": Retry(NoBackoff(), 0),
    }


class Breaker:
    """Whether one Redis server may be called now, per process."""

    def __init__(self, url: str):
        self.url = url
        self.open_until = 0.0
        self.is_open = False

    def allows(self) -> bool:
        return not self.is_open or time.monotonic() >= self.open_until

    def failed(self, exc: Exception) -> None:
        self.open_until = time.monotonic() + settings.REDIS_BREAKER_SECONDS
        if not self.is_open:
            self.is_open = True
            metrics.REDIS_OUTAGES.inc()
            logger.warning(
                "Redis unavailable (%s: %s); answering without it for %s s at a time until it is back",
                type(exc).__name__,
                exc,
                settings.REDIS_BREAKER_SECONDS,
            )

    def succeeded(self) -> None:
        if self.is_open:
            self.is_open = False
            logger.warning("Redis is back; using it again")


_breakers: dict[str, Breaker] = {}


def breaker_for(url: str) -> Breaker:
    if url not in _breakers:
        _breakers[url] = Breaker(url)
    return _breakers[url]


def guarded(url: str, use: str, call: Callable[[], T], fallback: Callable[[], T]) -> T:
    """call() if this process may use Redis now and it answers; else fallback(), counted under `use`."""
    breaker = breaker_for(url)
    if breaker.allows():
        try:
            result = call()
        except redis.RedisError as exc:
            breaker.failed(exc)
        else:
            breaker.succeeded()
            return result
    metrics.REDIS_FALLBACKS.labels(use=use).inc()
    return fallback()


def reset() -> None:
    """Forget every breaker's state (tests that start and stop their own Redis)."""
    _breakers.clear()

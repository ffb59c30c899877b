"""Read replicas (DATABASE_REPLICA_URLS): the heavy reads go to a streaming replica, nothing else.

Only code inside `replica_reads()` reads from a replica: the feed, profiles and the directory.
Every write, and every read elsewhere (authentication, the admin, services, the cache table,
sessions), stays on the primary. A user who has just written is pinned to the primary for
DATABASE_REPLICA_PIN_SECONDS, so they read their own writes even while replicas lag; the pin
lives in the shared cache, so it holds on every web node.

A replica that cannot be reached costs no request: the block reads from the primary instead,
and the process leaves that replica alone for REPLICA_RETRY_SECONDS before trying it again
(logged once each way; /readyz reports it "degraded"). Only a request already reading from a
replica when it goes away answers 503 (with Retry-After), like any database outage.
"""

import functools
import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger("chirp.replicas")

# The apps whose tables the routed reads touch; Django's own (cache table, sessions) never move.
ROUTED_APPS = frozenset({"accounts", "tweets", "media", "feed"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Long enough that a replica which is down (or whose host drops packets, each try then waiting
# its connect_timeout) costs one try per process every few seconds; short enough that reads
# return to it soon after it is back.
REPLICA_RETRY_SECONDS = 5.0

_read_alias: ContextVar[str | None] = ContextVar("chirp_read_alias", default=None)
# Per process: replica alias -> monotonic time before which it is not tried again.
_down_until: dict[str, float] = {}


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICA_ALIASES", []))


def _mark_down(alias: str, exc: BaseException) -> None:
    if alias not in _down_until:
        logger.warning(
            "Replica %s unavailable (%s: %s); reading from the primary, trying it again every %s s",
            alias,
            type(exc).__name__,
            exc,
            REPLICA_RETRY_SECONDS,
        )
    _down_until[alias] = time.monotonic() + REPLICA_RETRY_SECONDS


def _mark_up(alias: str) -> None:
    if _down_until.pop(alias, None) is not None:
        logger.warning("Replica %s is back; reading from it again", alias)


def replica_probe(alias: str) -> bool:
    """Whether the replica answers now, connecting if needed; a failure marks it down.

    A kept connection is checked first (config/postgresql: a poll, and a round trip only when the
    server has sent something, such as its goodbye on shutdown), so that a replica gone since the
    last request is noticed while its reads can still go to the primary.
    """
    connection = connections[alias]
    try:
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        connection.ensure_connection()
    except (OperationalError, InterfaceError) as exc:
        connection.close()
        _mark_down(alias, exc)
        return False
    _mark_up(alias)
    return True


def _choose_replica() -> str | None:
    """A random replica that answers, or None (read from the primary) when none does now."""
    now = time.monotonic()
    candidates = [alias for alias in replica_aliases() if _down_until.get(alias, 0.0) <= now]
    random.shuffle(candidates)
    for alias in candidates:
        if replica_probe(alias):
            return alias
    return None


def _pin_key(user_id: int) -> str:
    return f"chirp:primary-pin:{user_id}"


def pin_to_primary(*, user_id: int) -> None:
    """This user's reads go to the primary for the next DATABASE_REPLICA_PIN_SECONDS."""
    cache.set(_pin_key(user_id), 1, timeout=settings.DATABASE_REPLICA_PIN_SECONDS)


def is_pinned(*, user_id: int | None) -> bool:
    return user_id is not None and cache.get(_pin_key(user_id)) is not None


@contextmanager
def replica_reads(*, user_id: int | None) -> Iterator[None]:
    """Route this block's reads of Chirp's tables to one replica, unless the user just wrote or
    no replica answers now."""
    alias = _choose_replica() if replica_aliases() and not is_pinned(user_id=user_id) else None
    token = _read_alias.set(alias)
    try:
        yield
    finally:
        _read_alias.reset(token)


def reading_from_replica() -> bool:
    return _read_alias.get() is not None


@contextmanager
def primary_reads() -> Iterator[None]:
    """Reads that must see the latest commit even inside `replica_reads` (what a cache will keep)."""
    token = _read_alias.set(None)
    try:
        yield
    finally:
        _read_alias.reset(token)


def reads_from_replica(method):
    """A view method whose reads go to a replica (see `replica_reads`), for the requesting user."""

    @functools.wraps(method)
    def wrapper(self, request, *args, **kwargs):
        with replica_reads(user_id=getattr(request.user, "pk", None)):
            return method(self, request, *args, **kwargs)

    return wrapper


def read_connection():
    """The connection raw SQL of a routed read runs on: the block's replica, else the primary."""
    return connections[_read_alias.get() or DEFAULT_DB_ALIAS]


class ReplicaRouter:
    """ORM side of `replica_reads`: Chirp's models read from the block's replica; all else primary."""

    def db_for_read(self, model, **hints):
        alias = _read_alias.get()
        if alias and model._meta.app_label in ROUTED_APPS:
            return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # A replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class PrimaryPinMiddleware:
    """After a write request, pin its user to the primary (read-your-writes on every node)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            # DRF sets the authenticated user on the underlying request too.
            user_id = getattr(getattr(request, "user", None), "pk", None)
            if user_id is not None:
                pin_to_primary(user_id=user_id)
        return response

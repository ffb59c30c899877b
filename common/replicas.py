"""Read replicas (DATABASE_REPLICA_URLS): the heavy reads go to a streaming replica, nothing else.

Only code inside `replica_reads()` reads from a replica: the feed, profiles and the directory.
Every write, and every read elsewhere (authentication, the admin, services, the cache table,
sessions), stays on the primary. A user who has just written is pinned to the primary for
DATABASE_REPLICA_PIN_SECONDS, so they read their own writes even while replicas lag; the pin
lives in the shared cache, so it holds on every web node.
"""

import functools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

# The apps whose tables the routed reads touch; Django's own (cache table, sessions) never move.
ROUTED_APPS = frozenset({"accounts", "tweets", "media", "feed"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_read_alias: ContextVar[str | None] = ContextVar("chirp_read_alias", default=None)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICA_ALIASES", []))


def _pin_key(user_id: int) -> str:
    return f"chirp:primary-pin:{user_id}"


def pin_to_primary(*, user_id: int) -> None:
    """This user's reads go to the primary for the next DATABASE_REPLICA_PIN_SECONDS."""
    cache.set(_pin_key(user_id), 1, timeout=settings.DATABASE_REPLICA_PIN_SECONDS)


def is_pinned(*, user_id: int | None) -> bool:
    return user_id is not None and cache.get(_pin_key(user_id)) is not None


@contextmanager
def replica_reads(*, user_id: int | None) -> Iterator[None]:
    """Route this block's reads of Chirp's tables to one replica, unless the user just wrote."""
    aliases = replica_aliases()
    alias = random.choice(aliases) if aliases and not is_pinned(user_id=user_id) else None
    token = _read_alias.set(alias)
    try:
        yield
    finally:
        _read_alias.reset(token)


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

"""Idempotency keys (`Idempotency-Key`, as Mastodon and Stripe use them): a client that retries a
request whose answer it never got sends the same key, and gets the first answer instead of a
second object.

A key is the user's, for one kind of request, for IDEMPOTENCY_KEY_TTL: the same key with the
same content replays the stored answer and creates nothing; with other content it is refused
(IdempotencyKeyReused, a 422). Only a success is stored: the key's row is written in the same
transaction as what the request creates, so a refusal or a failure leaves the key unused.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from common.database import database_unavailable
from common.errors import IdempotencyKeyReused, Invalid
from common.models import IdempotencyKey

logger = logging.getLogger("chirp.idempotency")

IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
KEY_MAX_LENGTH = 255
HEADER = "Idempotency-Key"

# (HTTP status, JSON-serialisable answer)
Outcome = tuple[int, dict]


def fingerprint(*parts: object) -> str:
    """SHA-256 of a request's content: JSON-serialisable values, or bytes (an uploaded file's)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else json.dumps(part, sort_keys=True).encode()
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def fingerprint_file(upload) -> str:
    """SHA-256 of an uploaded file's bytes, read in chunks; the file is rewound for its reader."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def idempotency_key_check(key: str | None) -> str | None:
    """The header's value as a key, None without one; Invalid if it is empty, too long or not
    printable ASCII (what Mastodon and Stripe accept)."""
    if key is None:
        return None
    if not key or len(key) > KEY_MAX_LENGTH or not key.isascii() or not key.isprintable():
        raise Invalid.on_field(HEADER, f"An {HEADER} is 1 to {KEY_MAX_LENGTH} printable ASCII characters.")
    return key


def _claim(*, user, scope: str, key: str, digest: str) -> IdempotencyKey | Outcome:
    """Insert the key's row (a new request: the row), or find the answer it already has."""
    for _ in range(3):
        try:
            # A savepoint, so that a duplicate leaves the request's transaction usable.
            with transaction.atomic():
                return IdempotencyKey.objects.create(user=user, scope=scope, key=key, fingerprint=digest)
        except IntegrityError:
            pass
        # On PostgreSQL the INSERT waited for the transaction that holds the key; it has committed.
        existing = IdempotencyKey.objects.filter(user=user, scope=scope, key=key).first()
        if existing is None:
            continue
        if existing.created_at <= timezone.now() - IDEMPOTENCY_KEY_TTL:
            # Expired but not pruned yet: the key is free again.
            existing.delete()
            continue
        if existing.fingerprint != digest:
            raise IdempotencyKeyReused()
        return existing.status, existing.response
    raise IdempotencyKeyReused("This Idempotency-Key is in use by another request; retry it.")


def idempotent(*, user, scope: str, key: str | None, digest: str, create: Callable[[], Outcome]) -> Outcome:
    """Run `create` (which returns the answer) once per key, in one transaction with the key's row;
    without a key, just once (in create's own transactions). Returns the answer, the first one for
    a repeated key.

    A connection lost while the transaction commits leaves its outcome unknown: the object may be
    saved. That is logged as such, with the key a retry may carry, and the error goes on to become
    the door's 503. Without a key the commit is create's own, so any connection lost during it is
    logged that way.
    """
    if key is None:
        try:
            return create()
        except DatabaseError as exc:
            if database_unavailable(exc):
                _outcome_in_doubt(scope=scope, user=user, key=None, exc=exc)
            raise
    committing = False
    try:
        with transaction.atomic():
            claimed = _claim(user=user, scope=scope, key=key, digest=digest)
            if isinstance(claimed, tuple):
                return claimed
            status, answer = create()
            claimed.status, claimed.response = status, answer
            claimed.save(update_fields=["status", "response"])
            committing = True
    except DatabaseError as exc:
        if committing:
            _outcome_in_doubt(scope=scope, user=user, key=key, exc=exc)
        raise
    return status, answer


def _outcome_in_doubt(*, scope: str, user, key: str | None, exc: DatabaseError) -> None:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    logger.error(
        "Outcome in doubt: %s by user %s: the database connection failed %s (%s: %s); what it "
        "created may be saved. Idempotency-Key: %s",
        scope,
        user.pk,
        "during COMMIT" if key is not None else "during the request's transaction",
        type(exc).__name__,
        detail,
        key if key is not None else "none (a retry may create it twice)",
    )


def idempotency_keys_prune(*, older_than: timedelta = IDEMPOTENCY_KEY_TTL) -> int:
    """Delete keys past their lifetime; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted

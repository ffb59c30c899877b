"""Chirp's domain errors: what services raise, whoever calls them.

Services never raise HTTP-framework errors. Each door maps these its own way: the REST API to the
contract's envelope and status code (api/exceptions.py), web pages to a message next to the form,
management commands to CommandError. A message is written for the person who made the request.
"""

from __future__ import annotations

from typing import Self


class ChirpError(Exception):
    """Base of every domain error. `fields` maps an input field to its messages, when one is to blame;
    `code` names the rule that refused, for a door that words it its own way (the web pages)."""

    default_message = "The request could not be carried out."

    def __init__(
        self, message: str | None = None, *, fields: dict[str, list[str]] | None = None, code: str = ""
    ):
        self.message = message or self.default_message
        self.fields = fields
        self.code = code
        super().__init__(self.message)

    @classmethod
    def on_field(cls, field: str, message: str, *, code: str = "") -> Self:
        """The error with one message blaming one input field."""
        return cls(message, fields={field: [message]}, code=code)


class Invalid(ChirpError):
    """Well-formed input with values the rules refuse (too long, unknown media, following yourself)."""

    default_message = "Invalid input."


class NotFound(ChirpError):
    """No such object, or one the caller may not see (hidden, deactivated)."""

    default_message = "Not found."


class NotAllowed(ChirpError):
    """The caller may not do this (someone else's tweet, a moderator acting on staff)."""

    default_message = "You are not allowed to do this."


class InvalidCredentials(ChirpError):
    """Wrong, expired or revoked credentials, or a deactivated account."""

    default_message = "Invalid credentials."


class Suspended(ChirpError):
    """The account is suspended by a moderator; `until` is None for an indefinite suspension."""

    default_message = "This account is suspended."

    def __init__(self, message: str | None = None, *, until=None):
        super().__init__(message)
        self.until = until


class Conflict(ChirpError):
    """The request conflicts with the current state."""

    default_message = "The request conflicts with the current state."


class TooLarge(ChirpError):
    """A body, file or image over its limit."""

    default_message = "Too large."


class UnsupportedType(ChirpError):
    """A file or body of a type Chirp does not accept."""

    default_message = "This type is not accepted."


class RateLimited(ChirpError):
    """Too many attempts; `retry_after` is in whole seconds."""

    default_message = "Too many attempts; try again later."

    def __init__(self, message: str | None = None, *, retry_after: int):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class Unavailable(ChirpError):
    """A service Chirp depends on is down for now; retrying later may work. `kind` names it."""

    default_message = "A service Chirp depends on is unavailable; try again shortly."
    kind = "service"

    def __init__(self, message: str | None = None, *, retry_after: int = 5):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class StorageUnavailable(Unavailable):
    """Media storage refused a write (disk full, object store down)."""

    default_message = "Image storage is unavailable right now; try again later."
    kind = "storage"


class IdempotencyKeyReused(ChirpError):
    """An Idempotency-Key used before for a request with other content."""

    default_message = "This Idempotency-Key was used for a different request."

"""The web door's one mapping of errors to what a person reads on the page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from common import errors as domain


@dataclass
class PageError:
    """A refusal to show: one message for the page, plus messages per form field."""

    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    status: int = 400


_STATUS = [
    (domain.NotFound, 404),
    (domain.NotAllowed, 403),
    (domain.InvalidCredentials, 400),
    (domain.Suspended, 403),
    (domain.TooLarge, 413),
    (domain.UnsupportedType, 415),
    (domain.RateLimited, 429),
    (domain.Unavailable, 503),
]

# Service fields are named for the API's wire format; the pages' forms name them for people.
_FORM_FIELDS = {"tweet_data": "text", "tweet_media_ids": "images", "file": "images"}


def page_error(exc: domain.ChirpError) -> PageError:
    """The message a page shows for a domain error a service (or selector) raised. Views catch those
    by name; anything else is a bug, which reaches error tracking as a 500."""
    status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 400)
    fields = {_FORM_FIELDS.get(name, name): list(messages) for name, messages in (exc.fields or {}).items()}
    message = exc.message
    if isinstance(exc, domain.NotFound):
        # The services word it for the API ("No Tweet matches the given query."); a person reads this.
        message = _("Not found: it may have been deleted.")
    elif isinstance(exc, domain.RateLimited):
        message = _("Too many attempts; try again in %(seconds)s seconds.") % {"seconds": exc.retry_after}
    elif fields:
        message = " ".join(text for messages in fields.values() for text in messages)
    return PageError(str(message), fields, status)

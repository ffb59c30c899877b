"""The web door's one mapping of errors to what a person reads on the page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from common import errors as domain
from tweets.models import ALT_MAX_LENGTH


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
    (domain.IdempotencyKeyReused, 422),
    (domain.Unavailable, 503),
]

# Service fields are named for the API's wire format; the pages' forms name them for people.
_FORM_FIELDS = {
    "tweet_data": "text",
    "tweet_media_ids": "images",
    "tweet_media_alts": "images",
    "file": "images",
}


def _page_wording(exc: domain.ChirpError) -> str | None:
    """The services word their refusals for the API's clients ("tweet", "media", "this field"); the
    pages say "post" and "image" in plain words. The one place that rewords them; None keeps the
    service's message."""
    if isinstance(exc, domain.TooLarge):
        return _("This image is too big: the limit is %(size)s.") % {
            "size": filesizeformat(settings.MEDIA_MAX_UPLOAD_BYTES)
        }
    wording = {
        "sign_in_refused": _("The username or password is wrong."),
        "tweet_too_long": _("A post can have at most %(n)s characters.") % {"n": settings.TWEET_MAX_LENGTH},
        "tweet_too_many_images": _("A post can have at most %(n)s images.") % {"n": settings.TWEET_MAX_MEDIA},
        "tweet_same_image": _("The same image is attached twice."),
        "tweet_empty": _("Write something or add an image."),
        "tweet_alts_too_many": _("There are more image descriptions than images."),
        "tweet_alt_too_long": _("An image description can have at most %(n)s characters.")
        % {"n": ALT_MAX_LENGTH},
        "blank_name": _("Enter a name."),
        "wrong_current_password": _("This is not your current password."),
        "search_too_long": _("A search can have at most %(n)s characters.")
        % {"n": settings.SEARCH_MAX_LENGTH},
        "search_too_many_terms": _("A search can have at most %(n)s words, phrases and filters.")
        % {"n": settings.SEARCH_MAX_TERMS},
        "search_cursor": _("This link is broken; start the search again."),
        "search_slow": _("This search took too long; try more or rarer words."),
    }
    return wording.get(exc.code)


def page_error(exc: domain.ChirpError) -> PageError:
    """The message a page shows for a domain error a service (or selector) raised. Views catch those
    by name; anything else is a bug, which reaches error tracking as a 500."""
    status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 400)
    wording = _page_wording(exc)
    fields = {
        _FORM_FIELDS.get(name, name): [wording] if wording else list(messages)
        for name, messages in (exc.fields or {}).items()
    }
    message = wording or exc.message
    if isinstance(exc, domain.NotFound):
        # The services word it for the API ("No Tweet matches the given query."); a person reads this.
        message = _("Not found: it may have been deleted.")
    elif isinstance(exc, domain.RateLimited):
        message = _("Too many attempts; try again in %(seconds)s seconds.") % {"seconds": exc.retry_after}
    elif fields:
        message = " ".join(text for messages in fields.values() for text in messages)
    return PageError(str(message), fields, status)


def form_error_add(
    form: forms.Form, exc: domain.ChirpError, *, field: str | None = None, renamed: Mapping[str, str] = {}
) -> PageError:
    """Show a domain error on a submitted form, as every page does; returns the PageError (its status).

    Each field message goes on the form's field of that name (`renamed` maps a service's name to the
    form's); a message for a field the form lacks, or an error naming no field, goes on `field`
    (None: above the form). A message the form already shows there is not added again.
    """
    error = page_error(exc)
    placed: list[tuple[str | None, str]] = []
    for service_name, messages in error.fields.items():
        name = renamed.get(service_name, service_name)
        target = name if name in form.fields else field
        placed += [(target, message) for message in messages]
    for on, message in placed or [(field, error.message)]:
        if message not in form.errors.get(on or NON_FIELD_ERRORS, []):
            form.add_error(on, message)
    return error

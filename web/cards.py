"""Post cards as HTML: web/jinja2/web/_tweet.html rendered by the Jinja2 engine (web/jinja_env.py),
for the Django pages (the `cards` tag) and the in-place actions alike."""

from collections.abc import Iterable
from functools import cache
from types import SimpleNamespace

from django.middleware.csrf import get_token
from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

# The cards' fixed words, translated once per language and process rather than once per word and
# card (each gettext call goes through the active translation's thread-local lookup). Those with a
# placeholder are filled in by the template (`format`, which escapes what it puts in).
_WORDS = {
    "edited_title": gettext_noop("Edited %(when)s: see the earlier versions"),
    "edited": gettext_noop("edited"),
    "replying_to": gettext_noop('Replying to <a href="%(url)s"><bdi>%(name)s</bdi></a>'),
    "deleted_answered": gettext_noop("In reply to a deleted post"),
    "unlike": gettext_noop("Unlike"),
    "like": gettext_noop("Like"),
    "reply": gettext_noop("Reply"),
    "edit": gettext_noop("Edit"),
    "delete": gettext_noop("Delete"),
    "your_post": gettext_noop("your post"),
    "you_reported_this_post": gettext_noop("You reported this post"),
    "report": gettext_noop("Report"),
    "liked_by": gettext_noop("Liked by"),
}


@cache
def _words(language: str | None) -> SimpleNamespace:
    # Attributes, not dict keys: Jinja2 tries an attribute first.
    return SimpleNamespace(**{key: gettext(message) for key, message in _WORDS.items()})


def cards_html(
    request, tweets: Iterable[dict], *, next_url: str = "", csrf_token: object = None
) -> SafeString:
    """The cards (web.selectors.tweet_cards) as HTML, in the active language. Their actions come
    back to `next_url`, else to this page; `csrf_token`: the page's, so that its forms all carry
    the same one."""
    return mark_safe(
        engines["jinja2"]
        .env.get_template("web/_tweets.html")  # type: ignore[attr-defined]
        .render(
            tweets=tweets,
            words=_words(get_language()),
            next=next_url or request.get_full_path(),
            csrf_token=csrf_token or get_token(request),
        )
    )

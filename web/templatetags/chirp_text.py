"""A tweet's text as HTML: escaped first, then its stored mentions, its tags and http(s) URLs linked,
then a search's words marked."""

import re
from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tweets.entities import MENTION_RE, TAG_RE, URL_RE
from web.selectors import url_pattern

register = template.Library()

_TOKEN_RE = re.compile(
    f"(?P<url>{URL_RE.pattern})|(?P<mention>{MENTION_RE.pattern})|(?P<tag>{TAG_RE.pattern})", re.IGNORECASE
)
# What the entities patterns capture, found again in the escaped text: group names of their captures.
_MENTION_GROUP = 3
_TAG_GROUP = 5


@register.filter
def tweet_html(tweet: dict) -> SafeString:
    """The content with line breaks; only what the tweet stored becomes a mention or tag link.

    The text is escaped before any pattern runs, so a link's href and text are escaped text and
    nothing but http(s) URLs can become a link (no javascript:, no data:).
    """
    mentions = tuple((mention["username"].lower(), mention["id"]) for mention in tweet.get("mentions", []))
    html = _linked(tweet["content"], mentions, tuple(tweet.get("tags", [])))
    if tweet.get("highlight"):
        html = _marked(html, tweet["highlight"])
    return mark_safe(html)


# The same HTML for every viewer and language, and a feed page shows each of the newest posts to
# everyone: linking a text was a large part of its card's rendering (a regular expression's pass
# and a link built per entity). Bounded: some 4,000 texts of up to a few kilobytes per process.
@lru_cache(maxsize=4096)
def _linked(content: str, mentions: tuple[tuple[str, int], ...], tags: tuple[str, ...]) -> str:
    """tweet_html's escaped and linked text: `mentions` as (lower-case username, user id)."""
    users = dict(mentions)
    profile = url_pattern("web:profile")

    def link(match: re.Match) -> str:
        text = match.group()
        if match.group("url"):
            return f'<a href="{text}" rel="nofollow noopener ugc">{text}</a>'
        if match.group("mention"):
            user_id = users.get(match.group(_MENTION_GROUP).lower())
            return f'<a href="{profile.format(user_id)}" class="mention">{text}</a>' if user_id else text
        tag = match.group(_TAG_GROUP).lower()
        if tag in tags:
            return f'<a href="{escape(reverse("web:tag", args=[tag]))}" class="tag">{text}</a>'
        return text

    return _TOKEN_RE.sub(link, escape(content)).replace("\n", "<br>")


# Tags and character references of the escaped, linked text: never marked inside.
_MARKUP_RE = re.compile(r"(<[^>]*>|&[#\w]+;)")


def _marked(html: str, terms: list[str]) -> str:
    """Each whole word of the text that is one of the search's terms (letters and digits only, see
    tweets.search.TERM_RE), any letter case, inside <mark>; only in text, never in a tag or entity."""
    words = "|".join(re.escape(escape(term)) for term in sorted(terms, key=len, reverse=True))
    pattern = re.compile(rf"(?<![^\W_])(?:{words})(?![^\W_])", re.IGNORECASE)
    parts = _MARKUP_RE.split(html)
    return "".join(
        part if index % 2 else pattern.sub(lambda match: f"<mark>{match.group()}</mark>", part)
        for index, part in enumerate(parts)
    )

"""What a tweet's text says beyond its words: @mentions, #tags and links, found by one parser.

The services parse a text once, when it is written or edited, and store the result; the pages
split the same text with the same patterns to link what was stored (web/templatetags/chirp_text.py).
"""

import re
from dataclasses import dataclass

from common.errors import Invalid

# Caps per tweet (documented in docs/conversations.md): a post naming more people or tags than
# this is refused rather than silently cut, so that what the author sees is what was stored.
MENTIONS_MAX = 10
TAGS_MAX = 10
TAG_MAX_LENGTH = 100

# `@` + a username (Django's characters: letters, digits and @.+-_), not inside a word or an email
# address; a trailing dot, plus or hyphen is punctuation ("thanks @ada.").
MENTION_RE = re.compile(r"(?<![\w@.+-])@([\w.+-]*\w)")
# `#` + letters, digits or underscores of any script, not inside a word or an HTML entity.
TAG_RE = re.compile(r"(?<![\w&#])#(\w+)")
# Only http and https become links; `<` cannot occur in escaped text, and trailing punctuation
# belongs to the sentence.
URL_RE = re.compile(r"\bhttps?://[^\s<]+[^\s<.,;:!?'\")\]]", re.IGNORECASE)

# Zero-width characters that are not part of a script: they make a mention or a word look like
# another. ZWJ/ZWNJ stay (emoji sequences and Persian need them). Bidirectional controls are
# common.text's (balanced, not refused) and NUL too (refused).
_INVISIBLE = {"\u200b": "U+200B", "\u2060": "U+2060", "\ufeff": "U+FEFF"}
_INVISIBLE_RE = re.compile("[" + "".join(_INVISIBLE) + "]")


@dataclass(frozen=True)
class Entities:
    usernames: list[str]  # lower-case, distinct, in order of appearance
    tags: list[str]  # lower-case, distinct, in order of appearance


def invisible_check(content: str) -> None:
    """Refuse zero-width characters that make a text read differently from what it says."""
    found = _INVISIBLE_RE.search(content)
    if found:
        raise Invalid.on_field(
            "tweet_data",
            f"The text contains an invisible control character ({_INVISIBLE[found.group()]}); remove it.",
        )


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def entities_parse(content: str) -> Entities:
    """The mentioned usernames and the tags of a text; Invalid over the caps or for too long a tag."""
    # The patterns cost microseconds per character; most texts have neither sign (import_csv
    # parses millions).
    usernames = _distinct([name.lower() for name in MENTION_RE.findall(content)]) if "@" in content else []
    tags = _distinct([tag.lower() for tag in TAG_RE.findall(content)]) if "#" in content else []
    if len(usernames) > MENTIONS_MAX:
        raise Invalid.on_field("tweet_data", f"A post can mention at most {MENTIONS_MAX} people.")
    if len(tags) > TAGS_MAX:
        raise Invalid.on_field("tweet_data", f"A post can have at most {TAGS_MAX} tags.")
    for tag in tags:
        if len(tag) > TAG_MAX_LENGTH:
            raise Invalid.on_field("tweet_data", f"A tag can have at most {TAG_MAX_LENGTH} characters.")
    return Entities(usernames=usernames, tags=tags)

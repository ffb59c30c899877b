"""Generated avatars: a person's initials on a coloured square, for everyone without a photo.

The URL carries everything the image shows (the initials and a colour number), so serving it reads
no database and reveals nothing about who exists; it never changes, so browsers keep it for a year.
"""

import functools
import re

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.http import require_GET

# Colours with white text at WCAG AA contrast or better.
COLOURS = ("#1f5f8b", "#7a3e9d", "#2e7d32", "#b23c17", "#00695c", "#8d4004", "#37474f", "#ad1457")
_WORD = re.compile(r"\w", re.UNICODE)
MAX_INITIALS = 2


def initials(name: str) -> str:
    """ "Ada Lovelace" -> "AL"; one word: its first letter; no letters at all: "?"."""
    words = [word for word in name.split() if _WORD.search(word)]
    letters = [_WORD.search(word).group(0) for word in (words[:1] + words[1:][-1:])]  # type: ignore[union-attr]
    return "".join(letters).upper()[:MAX_INITIALS] or "?"


def avatar_file_name(avatar: str, side: int) -> str:
    """The stored file of an uploaded avatar in one size: "ab/abc.jpg" -> "ab/abc-96.jpg"."""
    stem, _, extension = avatar.rpartition(".")
    return f"{stem}-{side}.{extension}"


def avatar_url(*, user_id: int, name: str, avatar: str, side: int) -> str:
    """The uploaded avatar's URL in that size, else the generated initials image's."""
    if avatar:
        return default_storage.url(avatar_file_name(avatar, side))
    return initials_avatar_url(user_id=user_id, name=name)


def initials_avatar_url(*, user_id: int, name: str) -> str:
    return _initials_url(initials(name), user_id % len(COLOURS))


@functools.lru_cache(maxsize=4096)
def _initials_url(text: str, colour: int) -> str:
    """Reversed once per pair: a page of posts shows an avatar on every post, and pairs of initials
    and a colour repeat across people."""
    return reverse("avatar-initials", kwargs={"text": text, "colour": colour})


_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">'
    '<rect width="64" height="64" fill="{fill}"/>'
    '<text x="32" y="32" dy=".35em" text-anchor="middle" fill="#fff" '
    'font-family="system-ui, sans-serif" font-size="26" font-weight="600">{text}</text></svg>'
)


@require_GET
def initials_svg(request, text: str, colour: int):
    if not 0 < len(text) <= MAX_INITIALS or "\x00" in text or colour >= len(COLOURS):
        raise Http404("No such avatar.")
    response = HttpResponse(
        _SVG.format(fill=COLOURS[colour], text=escape(text)), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    # An SVG opened on its own is a document: it may show its text, never run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response

"""Reads the web pages need beyond the API's selectors, built on them (no rule written twice)."""

from datetime import UTC, datetime
from functools import cache, lru_cache

from django.db import connection
from django.db.models import F, QuerySet
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext as django_ngettext

from accounts.avatars import avatar_url
from accounts.models import AVATAR_SIDES
from common.errors import NotFound
from common.queries import Compiled, Ids, InArray, compiled_once
from moderation.selectors import reported_by
from tweets.selectors import (
    PREVIEW_COLUMNS_SQL,
    TWEET_NOT_FOUND,
    TWEET_ROW_FIELDS,
    liked_by,
    likers_preview,
    mentioned_users,
    preview_columns_read,
    tweet_images,
    tweets_seen_by,
    visible_tweets,
    with_replies_count,
)

# Likers named under a post; the others are counted.
LIKERS_SHOWN = 5
_ID = 987654321
# The feed's row fields, with the author's avatar and without the likers version (a card reads
# only the first likers, never the cached list).
_CARD_FIELDS = (*(field for field in TWEET_ROW_FIELDS if field != "likers_version"), "author__avatar")
# With the viewer's like and open report.
_CARD_ROW_FIELDS = (*_CARD_FIELDS, "liked_by_me", "reported_by_me")


def ngettext(singular: str, plural: str, number: int) -> str:
    """Django's ngettext, remembered per language (named so that makemessages finds the phrases):
    a card's three counts went through the translation machinery anew each time, a third of
    reading a page's cards."""
    return _ngettext(get_language(), singular, plural, number)


@lru_cache(maxsize=4096)
def _ngettext(language: str | None, singular: str, plural: str, number: int) -> str:
    # Bounded: a few phrases by the counts seen, per language.
    return django_ngettext(singular, plural, number)


@cache
def url_pattern(name: str) -> str:
    """A URL with one id as a format string: a page links each of its posts several times, and
    reverse() resolves the pattern anew each time, a large share of rendering a page of posts."""
    return reverse(name, args=[_ID]).replace(str(_ID), "{}")


def _answered(rows) -> dict[int, dict]:
    """The tweets these replies answer: their authors' names, by id; a tweet deleted or hidden since
    is not among them. Those on the page are known already (a thread); one query for the others,
    none when no tweet answers one off the page."""
    profile = url_pattern("web:profile")
    shown = {row["id"]: row for row in rows}
    answered = {
        pk: {"name": shown[pk]["author__name"], "author_url": profile.format(shown[pk]["author_id"])}
        for pk in {row["in_reply_to_id"] for row in rows} & shown.keys()
    }
    ids = {row["in_reply_to_id"] for row in rows if row["in_reply_to_id"]} - shown.keys()
    if ids:
        found = visible_tweets().filter(id__in=ids).values_list("id", "author_id", "author__name")
        answered.update(
            (pk, {"name": name, "author_url": profile.format(author_id)}) for pk, author_id, name in found
        )
    return answered


def tweet_cards(*, ids: list[int], viewer, seen_by_viewer: bool = False) -> list[dict]:
    """The visible ones of these tweets, in this order, with what a page shows of each: author,
    text, images, the like count, the first likers' names, whether the viewer likes, wrote or
    reported it, the links of its actions.

    Not the API's Tweet objects, whose `likes` lists every liker: a page shows five names.
    Queries: the tweets (with the viewer's like and open report), the first likers, the images;
    the mentioned users and whom replies answer, when there are any. `seen_by_viewer`: also the
    tweets only the viewer may see (their own hidden ones; all for staff), as on a thread page.
    """
    if not ids:
        return []
    if seen_by_viewer:
        return _cards(tweets_seen_by(viewer=viewer).filter(id__in=ids), viewer=viewer, order=ids)
    values = {_IDS: Ids(ids), _NOW: timezone.now(), _VIEWER: viewer.pk}
    previews = None
    # Kept branch, a measured need: on PostgreSQL the first likers and the images are arrays in the
    # rows' statement (three round trips and statements before); elsewhere their own queries.
    if connection.vendor == "postgresql":
        rows, *previews = preview_columns_read(
            _visible_card_rows().rows(values, more_columns=PREVIEW_COLUMNS_SQL, more_params=(LIKERS_SHOWN,))
        )
    else:
        rows = _visible_card_rows().rows(values)
    cards = [dict(zip(_CARD_ROW_FIELDS, row, strict=True)) for row in rows]
    return _cards(cards, viewer=viewer, order=ids, previews=previews)


def tweet_card(*, tweet_id: int, viewer) -> dict:
    """The card of one tweet `viewer` may see (their own hidden ones too; all for staff), else
    NotFound: what a page about one post (edit, history) reads of it, once. tweet_cards' queries."""
    cards = tweet_cards(ids=[tweet_id], viewer=viewer, seen_by_viewer=True)
    if not cards:
        raise NotFound(TWEET_NOT_FOUND)
    return cards[0]


def author_tweet_cards(*, author_id: int, viewer, limit: int) -> list[dict]:
    """A user's latest visible tweets, newest first, as tweet_cards; the same three queries."""
    tweets = visible_tweets().filter(author_id=author_id).order_by("-created_at", "-id")[:limit]
    return _cards(tweets, viewer=viewer)


def queryset_tweet_cards(*, tweets: QuerySet, viewer) -> list[dict]:
    """tweet_cards of the tweets a selector chose (filtered, ordered, sliced), in its order: the
    page's tweets read once, with what their cards show, where ids first would read them twice."""
    return _cards(tweets, viewer=viewer)


def _card_rows(tweets: QuerySet, *, viewer_id: int, now: datetime | None = None) -> QuerySet:
    """The tweets' rows with what a card shows of them: the viewer's like and open report, the
    visible replies counted (at `now`)."""
    return (
        with_replies_count(tweets, now=now)
        .annotate(liked_by_me=liked_by(user_id=viewer_id), reported_by_me=reported_by(reporter_id=viewer_id))
        .values(*_CARD_ROW_FIELDS)
    )


# Stand in for the ids, the time and the viewer in the compiled card rows (_visible_card_rows).
_IDS = -987654322
_NOW = datetime(2000, 1, 1, tzinfo=UTC)
_VIEWER = -987654323


@compiled_once
def _visible_card_rows() -> Compiled:
    """_card_rows of visible tweets by id: what every feed page reads, where building and compiling
    the ORM query cost more than running it."""
    tweets = visible_tweets(now=_NOW).filter(InArray(F("id"), [_IDS]))
    rows = _card_rows(tweets, viewer_id=_VIEWER, now=_NOW).values_list(*_CARD_ROW_FIELDS)
    return Compiled(rows, (_IDS, _NOW, _VIEWER))


def _cards(
    tweets: QuerySet | list[dict], *, viewer, order: list[int] | None = None, previews: list | None = None
) -> list[dict]:
    """The cards of these rows (a queryset, read here, or _card_rows read already), in `order`
    (else theirs); `previews`: their first likers and images, if read with them (by id)."""
    if isinstance(tweets, QuerySet):
        tweets = list(_card_rows(tweets, viewer_id=viewer.pk))
    rows = {row["id"]: row for row in tweets}
    ids = rows if order is None else order
    found = [tweet_id for tweet_id in ids if tweet_id in rows]
    if not found:
        return []
    if previews is None:
        likers = likers_preview(tweet_ids=found, count=LIKERS_SHOWN)
        images_of = tweet_images(tweet_ids=found)
    else:
        likers, images_of = previews
    profile = url_pattern("web:profile")
    like, unlike = url_pattern("web:like"), url_pattern("web:unlike")
    delete, report = url_pattern("web:delete"), url_pattern("web:report")
    thread, edit, history = url_pattern("web:thread"), url_pattern("web:edit"), url_pattern("web:history")
    shown_rows = [rows[tweet_id] for tweet_id in found]
    mentioned = mentioned_users(shown_rows)
    answered = _answered(shown_rows)
    cards = []
    for tweet_id in found:
        row = rows[tweet_id]
        author_id = row["author_id"]
        created: datetime = row["created_at"]
        name = row["author__name"]
        shown = likers[tweet_id]
        others = max(0, row["likes_count"] - len(shown))
        # The card's words, translated here: as {% blocktranslate %} tags they were a fifth of the
        # feed page's rendering time.
        cards.append(
            {
                "id": tweet_id,
                "content": row["content"],
                "author": {"id": author_id, "name": name},
                "likes_count": row["likes_count"],
                "likes_label": ngettext("%(n)s like", "%(n)s likes", row["likes_count"])
                % {"n": row["likes_count"]},
                "likers": shown,
                "other_likers": others,
                "others_label": ngettext("and %(n)s other", "and %(n)s others", others) % {"n": others},
                "post_label": _("the post by %(author)s") % {"author": name},
                "liked_by_me": row["liked_by_me"],
                "reported_by_me": row["reported_by_me"],
                "mine": author_id == viewer.pk,
                "created": created,
                "created_at": created.isoformat(),
                # Without JavaScript; chirp.js shows it in the viewer's zone and language.
                "created_utc": created.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                # The author's alt text, else which image of whose post it is.
                "images": [
                    (
                        image.url,
                        image.thumbnail,
                        image.alt
                        or _("Image %(n)s of the post by %(author)s (opens the full image)")
                        % {"n": n, "author": name},
                    )
                    for n, image in enumerate(images_of.get(tweet_id, []), start=1)
                ],
                "author_url": profile.format(author_id),
                "author_avatar": avatar_url(
                    user_id=author_id, name=name, avatar=row["author__avatar"], side=AVATAR_SIDES[0]
                ),
                "like_url": like.format(tweet_id),
                "unlike_url": unlike.format(tweet_id),
                "delete_url": delete.format(tweet_id),
                "report_url": report.format(tweet_id),
                "in_reply_to": row["in_reply_to_id"],
                "replies_count": row["replies_count"],
                "replies_label": ngettext("%(n)s reply", "%(n)s replies", row["replies_count"])
                % {"n": row["replies_count"]},
                "edited": row["edited_at"],
                # As the `date` filter shows it: in the viewer's zone, the month in their language.
                "edited_when": row["edited_at"] and date(timezone.localtime(row["edited_at"]), "j M Y, H:i"),
                "mentions": [mentioned[user_id] for user_id in row["mentioned_ids"] if user_id in mentioned],
                "tags": row["tags"],
                "thread_url": thread.format(tweet_id),
                "edit_url": edit.format(tweet_id),
                "history_url": history.format(tweet_id),
                "answers": row["in_reply_to_id"] and answered.get(row["in_reply_to_id"], {}),
                "answers_url": row["in_reply_to_id"] and thread.format(row["in_reply_to_id"]),
            }
        )
    return cards

"""Reads the web pages need beyond the API's selectors, built on them (no rule written twice)."""

from datetime import datetime
from functools import cache

import orjson
from django.urls import reverse

from accounts.avatars import avatar_url
from accounts.models import AVATAR_SIDES
from accounts.selectors import author_avatars
from tweets.selectors import TWEET_ROW_FIELDS, TweetPayload, tweets_payload, visible_tweets

# Likers named under a post; the others are counted.
LIKERS_SHOWN = 5
_ID = 987654321


@cache
def _url_pattern(name: str) -> str:
    """A URL with one id as a format string: a page links each of its posts several times, and
    reversing every link took a third of the feed page's rendering time."""
    return reverse(name, args=[_ID]).replace(str(_ID), "{}")


def tweet_cards(*, tweets: list[TweetPayload], viewer) -> list[dict]:
    """The API's Tweet objects with what a page shows besides: whether the viewer likes it or wrote
    it, the first likers with their profile links, the time as a datetime, each image with its
    thumbnail, the links of its actions, the author's avatar. One query (the authors' avatars)."""
    profile = _url_pattern("web:profile")
    photos = author_avatars(author_ids={tweet["author"]["id"] for tweet in tweets})
    cards = []
    for tweet in tweets:
        # `likes` is the cached JSON of the likers list, as the API sends it.
        likes = orjson.loads(orjson.dumps(tweet["likes"]))
        tweet_id = tweet["id"]
        cards.append(
            {
                **tweet,
                "likes": likes,
                "likers": [(like["name"], profile.format(like["user_id"])) for like in likes[:LIKERS_SHOWN]],
                "other_likers": max(0, len(likes) - LIKERS_SHOWN),
                "liked_by_me": any(like["user_id"] == viewer.pk for like in likes),
                "mine": tweet["author"]["id"] == viewer.pk,
                "created": datetime.fromisoformat(tweet["created_at"]),
                "images": list(zip(tweet["attachments"], tweet["thumbnails"], strict=True)),
                "author_url": profile.format(tweet["author"]["id"]),
                "author_avatar": avatar_url(
                    user_id=tweet["author"]["id"],
                    name=tweet["author"]["name"],
                    avatar=photos.get(tweet["author"]["id"], ""),
                    side=AVATAR_SIDES[0],
                ),
                "like_url": _url_pattern("web:like").format(tweet_id),
                "unlike_url": _url_pattern("web:unlike").format(tweet_id),
                "delete_url": _url_pattern("web:delete").format(tweet_id),
                "report_url": _url_pattern("web:report").format(tweet_id),
            }
        )
    return cards


def author_tweets(*, author_id: int, limit: int) -> list[TweetPayload]:
    """A user's latest visible tweets, newest first, as the API's Tweet objects.

    Queries: the tweets, the likers missing from the likers cache, the attachments.
    """
    rows = list(
        visible_tweets()
        .filter(author_id=author_id)
        .order_by("-created_at", "-id")
        .values(*TWEET_ROW_FIELDS)[:limit]
    )
    return tweets_payload(rows)

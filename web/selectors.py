"""Reads the web pages need beyond the API's selectors, built on them (no rule written twice)."""

from datetime import datetime

import orjson

from tweets.selectors import TWEET_ROW_FIELDS, tweets_payload, visible_tweets


def tweet_cards(*, tweets: list[dict], viewer) -> list[dict]:
    """The API's Tweet objects with what a page shows besides: likers as a list, whether the viewer
    likes it or wrote it, the time as a datetime, each image with its thumbnail. No queries."""
    cards = []
    for tweet in tweets:
        # `likes` is the cached JSON of the likers list, as the API sends it.
        likes = orjson.loads(orjson.dumps(tweet["likes"]))
        cards.append(
            {
                **tweet,
                "likes": likes,
                "liked_by_me": any(like["user_id"] == viewer.pk for like in likes),
                "mine": tweet["author"]["id"] == viewer.pk,
                "created": datetime.fromisoformat(tweet["created_at"]),
                "images": list(zip(tweet["attachments"], tweet["thumbnails"], strict=True)),
            }
        )
    return cards


def author_tweets(*, author_id: int, limit: int) -> list[dict]:
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

"""Cursor pages (extension): the order fixed at the first page, walked without duplicates or gaps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feed.models import FeedSnapshot
from tweets.models import Like, Tweet
from tweets.services import like_add, like_remove, tweet_create


@pytest.fixture
def ranked_feed(author, follower, make_user):
    """25 tweets by the author with distinct like counts; returns their ids in feed order."""
    fans = [make_user(f"Fan {n}").user for n in range(5)]
    for n in range(25):
        tweet = tweet_create(author=author.user, content=f"tweet {n}", media_ids=[])
        for fan in fans[: n % 6]:
            like_add(user=fan, tweet_id=tweet.id)
    return list(
        Tweet.objects.filter(author=author.user)
        .order_by("-likes_count", "-created_at", "-id")
        .values_list("id", flat=True)
    )


def walk(client, first_url: str, between_pages=lambda: None) -> list[dict]:
    pages, url = [], first_url
    while url:
        body = client.get(url).json()
        assert body["result"] is True
        pages.append(body)
        url = body["next"]
        between_pages()
    return pages


def test_cursor_pages_have_no_duplicates_or_gaps_while_likes_change(
    ranked_feed, follower, outsider, make_user
):
    """Likes moving tweets up and down between pages change neither the set nor the order walked."""
    likers = [make_user(f"Late fan {n}").user for n in range(3)]
    first_tweet_likes = list(Like.objects.filter(tweet_id=ranked_feed[0]).select_related("user"))
    changes = iter(
        [
            # Push the current last tweet to the top and drop the first one to the bottom.
            lambda: [like_add(user=u, tweet_id=ranked_feed[-1]) for u in likers],
            lambda: [like_remove(user=like.user, tweet_id=like.tweet_id) for like in first_tweet_likes],
            lambda: like_remove(user=likers[0], tweet_id=ranked_feed[-1]),
        ]
    )

    pages = walk(follower.client(), "/api/tweets?cursor=&limit=10", lambda: next(changes, lambda: None)())

    walked = [tweet["id"] for page in pages for tweet in page["tweets"]]
    assert walked == ranked_feed
    assert [len(page["tweets"]) for page in pages] == [10, 10, 5]
    assert pages[-1]["next"] is None


def test_cursor_pages_show_current_likes(ranked_feed, follower, outsider):
    """The order is the first page's, but each tweet's likes are read when its page is."""
    first = follower.client().get("/api/tweets?cursor=&limit=10").json()
    last_id = ranked_feed[-1]
    like_add(user=outsider.user, tweet_id=last_id)

    second = follower.client().get(first["next"]).json()
    third = follower.client().get(second["next"]).json()

    shown = {tweet["id"]: tweet for tweet in third["tweets"]}[last_id]
    assert {"user_id": outsider.id, "name": "Olga Outsider"} in shown["likes"]
    assert shown["likes_count"] == len(shown["likes"])


def test_deleted_tweets_are_left_out_of_later_pages(ranked_feed, author, follower):
    """A tweet deleted after the first page is not served on a later page; the rest still are."""
    client = follower.client()
    first = client.get("/api/tweets?cursor=&limit=20").json()
    author.client().delete(f"/api/tweets/{ranked_feed[22]}")

    second = client.get(first["next"]).json()

    assert [tweet["id"] for tweet in second["tweets"]] == ranked_feed[20:22] + ranked_feed[23:]
    assert second["next"] is None


def test_a_short_feed_fits_one_cursor_page_with_null_next(author, follower):
    """The whole feed on the first page: `next` is null."""
    tweet = tweet_create(author=author.user, content="only one", media_ids=[])

    body = follower.client().get("/api/tweets?cursor=").json()

    assert [t["id"] for t in body["tweets"]] == [tweet.id]
    assert body["next"] is None


@pytest.mark.parametrize("cursor", ["garbage", "a" * 40, "W10:1abc:def"])
def test_a_forged_cursor_is_a_400_envelope(cursor, follower):
    """Cursors are signed: anything else is a validation error in the contract's envelope."""
    response = follower.client().get(f"/api/tweets?cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["error_type"] == "validation_error"
    assert response.json()["result"] is False


def test_another_users_cursor_is_refused(ranked_feed, follower, outsider):
    """A cursor belongs to the user whose feed it pages."""
    first = follower.client().get("/api/tweets?cursor=&limit=10").json()

    response = outsider.client().get(first["next"])

    assert response.status_code == 400
    assert response.json()["error_type"] == "validation_error"


def test_cursor_with_offset_is_a_400(follower):
    """Either the contract's page number or a cursor, not both."""
    response = follower.client().get("/api/tweets?cursor=&offset=2")

    assert response.status_code == 400
    assert response.json()["error_type"] == "validation_error"


def test_offset_pages_are_unchanged_by_the_extension(ranked_feed, follower):
    """The contract's responses carry no `next`: offset pages are exactly as before."""
    body = follower.client().get("/api/tweets?offset=2&limit=5").json()

    assert set(body) == {"result", "tweets"}
    assert [tweet["id"] for tweet in body["tweets"]] == ranked_feed[5:10]


def test_a_user_keeps_at_most_the_configured_number_of_snapshots(ranked_feed, follower, outsider, settings):
    """Starting cursors in a loop cannot grow storage: the oldest snapshot goes, its cursor is a 400."""
    settings.FEED_CURSOR_SNAPSHOTS_PER_USER = 2
    client = follower.client()
    outsider.client().get("/api/tweets?cursor=&limit=10")
    firsts = [client.get("/api/tweets?cursor=&limit=10").json() for _ in range(3)]

    dropped = client.get(firsts[0]["next"])
    kept = [client.get(first["next"]) for first in firsts[1:]]

    assert dropped.status_code == 400
    assert dropped.json()["error_type"] == "validation_error"
    assert dropped.json()["error_message"] == "cursor: This cursor has expired; start again without one."
    assert [response.status_code for response in kept] == [200, 200]
    assert FeedSnapshot.objects.filter(user_id=follower.id).count() == 2
    assert FeedSnapshot.objects.filter(user_id=outsider.id).count() == 1


def test_an_expired_snapshot_is_deleted_and_its_cursor_is_a_400(ranked_feed, follower, outsider, settings):
    """Snapshots older than FEED_CURSOR_TTL are gone with the next snapshot anyone starts."""
    client = follower.client()
    first = client.get("/api/tweets?cursor=&limit=10").json()
    FeedSnapshot.objects.update(created_at=timezone.now() - timedelta(seconds=settings.FEED_CURSOR_TTL + 1))

    expired = client.get(first["next"])
    outsider.client().get("/api/tweets?cursor=&limit=10")

    assert expired.status_code == 400
    assert expired.json()["error_type"] == "validation_error"
    assert list(FeedSnapshot.objects.values_list("user_id", flat=True)) == [outsider.id]

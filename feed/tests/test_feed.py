from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import SUSPENDED_INDEFINITELY
from accounts.services import follow_add, follow_remove
from api.testing import assert_error
from feed.serializers import FEED_MAX_PAGE
from tweets.models import Tweet


def feed_ids(person, query: str = "") -> list[int]:
    response = person.client().get(f"/api/tweets{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body.keys() == {"result", "tweets"} and body["result"] is True
    return [tweet["id"] for tweet in body["tweets"]]


@pytest.fixture
def timeline(author, make_tweet):
    """Twelve tweets by the author, one minute apart; returns their ids newest first."""
    start = timezone.now() - timedelta(hours=1)
    ids = []
    for minute in range(12):
        tweet = make_tweet(author, f"tweet {minute}")
        Tweet.objects.filter(pk=tweet.pk).update(created_at=start + timedelta(minutes=minute))
        ids.append(tweet.id)
    return ids[::-1]


def test_feed_tweet_has_the_contract_shape(author, follower, outsider, make_media, make_tweet):
    """Each tweet has the contract's id, content, attachments, author and likes, plus extensions."""
    media = make_media(author)
    tweet = make_tweet(author, "Look", media=[media], likers=[outsider, follower])

    (item,) = follower.client().get("/api/tweets").json()["tweets"]

    assert item == {
        "id": tweet.id,
        "content": "Look",
        "attachments": [media.file.url],
        "thumbnails": [media.thumbnail.url],
        "attachments_alt": [None],
        "author": {"id": author.id, "name": "Ada Author"},
        "likes": [
            {"user_id": outsider.id, "name": "Olga Outsider"},
            {"user_id": follower.id, "name": "Fred Follower"},
        ],
        "likes_count": 2,
        "created_at": tweet.created_at.isoformat(),
        "in_reply_to": None,
        "replies_count": 0,
        "edited_at": None,
        "mentions": [],
        "tags": [],
    }


def test_feed_is_most_liked_first_then_newest_first(make_user, author, follower, make_tweet):
    """Likes descending; among equally liked tweets the newer one comes first."""
    fans = [make_user(f"Fan {n}") for n in range(3)]
    old_popular = make_tweet(author, "old, 3 likes", likers=fans)
    old_plain = make_tweet(author, "old, 0 likes")
    liked_once = make_tweet(follower, "mine, 1 like", likers=fans[:1])
    new_plain = make_tweet(author, "new, 0 likes")
    new_popular = make_tweet(author, "new, 3 likes", likers=fans)
    now = timezone.now()
    for age, tweet in enumerate([new_popular, new_plain, liked_once, old_plain, old_popular]):
        Tweet.objects.filter(pk=tweet.pk).update(created_at=now - timedelta(minutes=age))

    assert feed_ids(follower) == [new_popular.id, old_popular.id, liked_once.id, new_plain.id, old_plain.id]


def test_feed_orders_same_instant_tweets_by_id(author, follower, make_tweet):
    """Equal likes and equal timestamps: the later tweet (higher id) first, so pages never overlap."""
    first, second = make_tweet(author), make_tweet(author)
    Tweet.objects.update(created_at=timezone.now())

    assert feed_ids(follower) == [second.id, first.id]


def test_feed_includes_my_own_tweets(author, make_tweet):
    """Your own tweets are in your feed even if you follow nobody."""
    tweet = make_tweet(author)

    assert feed_ids(author) == [tweet.id]


def test_feed_excludes_users_i_do_not_follow(author, follower, outsider, make_tweet):
    """Tweets of people you do not follow stay out, however popular."""
    followed = make_tweet(author)
    make_tweet(outsider, likers=[author, follower])

    assert feed_ids(follower) == [followed.id]


def test_feed_drops_a_users_tweets_after_unfollowing(author, follower, make_tweet):
    """Unfollowing removes that user's tweets from the feed at once."""
    make_tweet(author)
    follow_remove(follower=follower.user, followee_id=author.id)

    assert feed_ids(follower) == []


def test_feed_excludes_hidden_tweets(author, follower, make_tweet):
    """Tweets a moderator hid are out of every feed, the author's own included."""
    hidden, shown = make_tweet(author, "hidden"), make_tweet(author, "shown")
    Tweet.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())

    assert feed_ids(follower) == [shown.id]
    assert feed_ids(author) == [shown.id]


@pytest.mark.parametrize("state", ["suspended", "suspended-indefinitely", "deactivated"])
def test_feed_excludes_suspended_and_deactivated_authors(author, follower, make_tweet, state):
    """A suspended or deactivated author's tweets vanish from their followers' feeds."""
    make_tweet(author)
    if state == "deactivated":
        author.user.is_active = False
    elif state == "suspended":
        author.user.suspended_until = timezone.now() + timedelta(days=1)
    else:
        author.user.suspended_until = SUSPENDED_INDEFINITELY
    author.user.save()

    assert feed_ids(follower) == []


def test_feed_shows_an_author_again_once_the_suspension_ended(author, follower, make_tweet):
    """A suspension in the past no longer hides anything."""
    tweet = make_tweet(author)
    author.user.suspended_until = timezone.now() - timedelta(minutes=1)
    author.user.save()

    assert feed_ids(follower) == [tweet.id]


def test_offset_is_a_one_based_page_number(follower, timeline):
    """offset=2&limit=5 is items 6..10 of the feed, as the reference client pages."""
    assert feed_ids(follower, "?offset=1&limit=5") == timeline[0:5]
    assert feed_ids(follower, "?offset=2&limit=5") == timeline[5:10]
    assert feed_ids(follower, "?offset=3&limit=5") == timeline[10:12]
    assert feed_ids(follower, "?offset=4&limit=5") == []


def test_offset_alone_uses_the_default_page_size(follower, timeline, settings):
    """Without limit a page has FEED_DEFAULT_LIMIT items."""
    settings.FEED_DEFAULT_LIMIT = 4

    assert feed_ids(follower, "?offset=2") == timeline[4:8]


def test_limit_alone_is_the_first_page(follower, timeline):
    """Without offset the first page is served."""
    assert feed_ids(follower, "?limit=3") == timeline[0:3]


def test_feed_without_parameters_is_the_whole_feed(follower, timeline):
    """No parameters: every tweet, not one page (the client counts it to size its pager)."""
    assert feed_ids(follower) == timeline


def test_feed_without_parameters_is_capped(follower, timeline, settings):
    """The whole-feed call stops at FEED_MAX_ITEMS, keeping the top of the feed."""
    settings.FEED_MAX_ITEMS = 5

    assert feed_ids(follower) == timeline[0:5]


def test_limit_may_be_the_maximum(follower, timeline, settings):
    """limit=FEED_MAX_LIMIT is accepted."""
    settings.FEED_MAX_LIMIT = 12

    assert feed_ids(follower, "?offset=1&limit=12") == timeline


@pytest.mark.parametrize(
    "query",
    [
        "offset=0",
        "offset=-1",
        "offset=abc",
        "offset=1.5",
        "limit=0",
        "limit=-5",
        "limit=abc",
        "offset=1&limit=101",
        "offset=99999999999999999999&limit=100",
    ],
)
def test_bad_pagination_values_are_refused(follower, query):
    """Zero, negative, non-numeric or too large page values are a 400 envelope."""
    assert_error(follower.client().get(f"/api/tweets?{query}"), 400, "validation_error")


def test_last_allowed_page_is_empty_not_an_error(follower, timeline, settings):
    """The largest page number with the largest page size is an empty page, not a server error."""
    query = f"?offset={FEED_MAX_PAGE}&limit={settings.FEED_MAX_LIMIT}"

    assert feed_ids(follower, query) == []
    assert_error(follower.client().get(f"/api/tweets?offset={FEED_MAX_PAGE + 1}"), 400, "validation_error")


@pytest.mark.parametrize("size", ["one", "many"])
@pytest.mark.parametrize("query", ["", "?offset=1&limit=20"], ids=["whole", "page"])
def test_feed_query_count_is_constant(
    make_user, author, follower, make_media, make_tweet, size, query, django_assert_num_queries
):
    """The same number of queries for one tweet with one like and image as for many of each."""
    tweets, likers, images = (1, 1, 1) if size == "one" else (8, 5, 3)
    fans = [make_user(f"Fan {n}") for n in range(likers)]
    for index in range(tweets):
        make_tweet(author, f"tweet {index}", media=[make_media(author) for _ in range(images)], likers=fans)
    other = make_user("Other Author")
    follow_add(follower=follower.user, followee_id=other.id)
    make_tweet(other, likers=fans)
    client = follower.client()

    # 1. api key + user (authentication), then on PostgreSQL 2. the page of tweets with their
    # authors, the followees and the attachments folded in, 3. the likers with their names;
    # elsewhere 2. the page (followees as a subquery), 3. the likers, 4. the attachments.
    with django_assert_num_queries({"postgresql": 3, "sqlite": 4}[connection.vendor]):
        response = client.get(f"/api/tweets{query}")

    body = response.json()
    assert len(body["tweets"]) == tweets + 1
    assert all(len(t["likes"]) == likers for t in body["tweets"])
    assert sum(len(t["attachments"]) for t in body["tweets"]) == tweets * images

"""Query counts of every benchmarked request, pinned whatever the amount of data behind it."""

import pytest
from django.db import connection

from accounts.models import SUSPENDED_INDEFINITELY, User
from accounts.services import follow_add
from media.services import media_create
from tweets.services import like_add, tweet_create


@pytest.fixture
def busy_feed(author, follower, make_user, png_upload):
    """The follower follows two authors whose tweets have many likers and attachments."""
    other = make_user("Oscar Other")
    follow_add(follower=follower.user, followee_id=other.id)
    fans = [make_user(f"Fan {n}").user for n in range(12)]
    tweets = []
    for n in range(45):
        writer = author if n % 2 else other
        media = media_create(uploader=writer.user, upload=png_upload())
        tweet = tweet_create(author=writer.user, content=f"tweet {n}", media_ids=[media.id])
        for fan in fans[: n % 12]:
            like_add(user=fan, tweet_id=tweet.id)
        tweets.append(tweet)
    return tweets


# Queries of a feed page: the api key with its user, then on PostgreSQL the page (followees and
# attachments folded in) and the likers (no likers cache in these tests); elsewhere the page
# (followees as a subquery), the likers, the attachments.
FEED_PAGE_QUERIES = {"postgresql": 3, "sqlite": 4}


@pytest.mark.parametrize("query", ["?offset=1&limit=20", "?offset=3&limit=20", ""])
def test_feed_runs_a_fixed_number_of_queries_whatever_the_page_likes_or_attachments(
    query, busy_feed, follower, django_assert_num_queries
):
    """First page, third page and the whole feed each run the same queries."""
    with django_assert_num_queries(FEED_PAGE_QUERIES[connection.vendor]):
        response = follower.client().get(f"/api/tweets{query}")
    assert response.status_code == 200
    assert len(response.json()["tweets"]) == (5 if query.startswith("?offset=3") else 20 if query else 45)


def test_empty_feed_reads_no_likers_or_attachments(outsider, django_assert_num_queries):
    """No tweets: the api key, the empty page; no likers or attachments to read."""
    with django_assert_num_queries(2):
        response = outsider.client().get("/api/tweets?offset=1&limit=20")
    assert response.json() == {"result": True, "tweets": []}


def test_cursor_pages_run_a_fixed_number_of_queries(busy_feed, follower, django_assert_num_queries):
    """First cursor page: key, ranked ids, in one transaction (PostgreSQL: its commit made
    asynchronous) the snapshot's insert and one delete of expired and over-the-cap snapshots,
    then tweets, likers, attachments; later pages need no ranking: key, snapshot, tweets, likers,
    attachments."""
    client = follower.client()
    with django_assert_num_queries(ATOMIC + {"postgresql": 8, "sqlite": 7}[connection.vendor]):
        first = client.get("/api/tweets?cursor=&limit=20").json()
    with django_assert_num_queries(5):
        second = client.get(first["next"]).json()
    assert len(first["tweets"]) == len(second["tweets"]) == 20


# Inside the test's transaction a service's atomic() is SAVEPOINT + RELEASE (in production it is
# BEGIN/COMMIT, which the benchmark's count leaves out).
ATOMIC = 2
# Like/unlike: the api key, then on PostgreSQL one statement (visible tweet, INSERT/DELETE,
# counter UPDATE, notification) in autocommit whatever the outcome; SQLite's fallback runs in
# atomic(): the visible tweet, a savepoint around the insert, the insert or delete, the counter,
# the author's notification.
LIKE_QUERIES = {"postgresql": {"POST": 2, "DELETE": 2}, "sqlite": {"POST": ATOMIC + 7, "DELETE": ATOMIC + 5}}


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_like_and_unlike_run_a_fixed_number_of_queries(method, author, follower, django_assert_num_queries):
    """Liking and unliking a tweet runs the same queries whatever its number of likes."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    if method == "DELETE":
        like_add(user=follower.user, tweet_id=tweet.id)
    client = follower.client()
    with django_assert_num_queries(LIKE_QUERIES[connection.vendor][method]):
        response = client.generic(method, f"/api/tweets/{tweet.id}/likes")
    assert response.json() == {"result": True}
    tweet.refresh_from_db()
    assert tweet.likes_count == (1 if method == "POST" else 0)


def test_posting_a_tweet_runs_two_queries(author, django_assert_num_queries):
    """Posting text: the api key, the insert."""
    with django_assert_num_queries(ATOMIC + 2):
        response = author.client().post("/api/tweets", {"tweet_data": "hello"}, format="json")
    assert response.status_code == 201


def test_users_me_runs_two_queries(author, follower, django_assert_num_queries):
    """The api key with its user, then the followers and following in one query."""
    with django_assert_num_queries(2):
        response = author.client().get("/api/users/me")
    assert response.json()["user"]["followers"] == [{"id": follower.id, "name": "Fred Follower"}]


def test_a_suspended_or_deactivated_followee_is_left_out_of_every_kind_of_page(author, follower, make_user):
    """The feed's single PostgreSQL query applies the same visibility rule as the ORM path."""
    suspended = make_user("Sue Suspended")
    gone = make_user("Gus Gone")
    for person in (suspended, gone):
        follow_add(follower=follower.user, followee_id=person.id)
        tweet_create(author=person.user, content="hidden from the feed", media_ids=[])
    visible = tweet_create(author=author.user, content="shown", media_ids=[])
    User.objects.filter(id=suspended.id).update(suspended_until=SUSPENDED_INDEFINITELY)
    User.objects.filter(id=gone.id).update(is_active=False)
    client = follower.client()

    for url in ("/api/tweets", "/api/tweets?offset=1&limit=5", "/api/tweets?cursor="):
        assert [tweet["id"] for tweet in client.get(url).json()["tweets"]] == [visible.id], url

"""The likers cache in Redis: lists served from it, and never stale after a like commits."""

import os
import time

import pytest
import redis
from django.db import connection
from django.test import Client

from tweets import likers_cache
from tweets.models import Like, Tweet
from tweets.services import like_add, likers_forget_user, likes_delete, tweet_create

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")


@pytest.fixture
def cache_on(settings):
    """A real, empty Redis database for the cache."""
    settings.REDIS_URL = TEST_REDIS_URL
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    yield
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()


def feed_likes(client) -> dict[int, list[dict]]:
    return {tweet["id"]: tweet["likes"] for tweet in client.get("/api/tweets").json()["tweets"]}


def test_a_second_feed_read_skips_the_likers_query(
    cache_on, author, follower, outsider, django_assert_num_queries
):
    """Cold: the feed's queries with the likers. Warm: the same minus the likers query."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    like_add(user=outsider.user, tweet_id=tweet.id)
    client = follower.client()
    cold_queries = {"postgresql": 3, "sqlite": 4}[connection.vendor]
    with django_assert_num_queries(cold_queries):
        cold = feed_likes(client)
    with django_assert_num_queries(cold_queries - 1):
        warm = feed_likes(client)
    assert cold == warm == {tweet.id: [{"user_id": outsider.id, "name": "Olga Outsider"}]}


def test_a_like_shows_in_the_next_feed_read(
    cache_on, author, follower, outsider, django_capture_on_commit_callbacks
):
    """Liking drops the tweet's cached list once the like has committed."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    client = follower.client()
    assert feed_likes(client) == {tweet.id: []}

    with django_capture_on_commit_callbacks(execute=True):
        outsider.client().post(f"/api/tweets/{tweet.id}/likes")
    assert feed_likes(client) == {tweet.id: [{"user_id": outsider.id, "name": "Olga Outsider"}]}

    with django_capture_on_commit_callbacks(execute=True):
        outsider.client().delete(f"/api/tweets/{tweet.id}/likes")
    assert feed_likes(client) == {tweet.id: []}


def test_a_list_stored_under_an_older_version_is_never_served(cache_on, author, follower, outsider):
    """The race versions exist for: a reader's old list arrives after a like committed."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    old_version = Tweet.objects.get(pk=tweet.id).likers_version

    like_add(user=outsider.user, tweet_id=tweet.id)  # committed while a reader was in the database
    likers_cache.store_likers({tweet.id: b"[]"}, {tweet.id: old_version})

    assert feed_likes(follower.client()) == {tweet.id: [{"user_id": outsider.id, "name": "Olga Outsider"}]}
    assert Tweet.objects.get(pk=tweet.id).likers_version == old_version + 1


def test_renaming_a_liker_refreshes_the_lists_that_show_them(
    cache_on, author, follower, outsider, django_capture_on_commit_callbacks
):
    """likers_forget_user (called by whoever renames a user) drops every list they appear in."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    like_add(user=outsider.user, tweet_id=tweet.id)
    client = follower.client()
    feed_likes(client)

    with django_capture_on_commit_callbacks(execute=True):
        outsider.user.name = 'Zoë "Z" O\\Brien'
        outsider.user.save(update_fields=["name"])
        likers_forget_user(user_id=outsider.id)

    assert feed_likes(client) == {tweet.id: [{"user_id": outsider.id, "name": 'Zoë "Z" O\\Brien'}]}


def test_the_feed_works_without_redis(settings, author, follower, outsider):
    """Redis unreachable: the likers are read from the database and the feed is still right."""
    settings.REDIS_URL = "redis://127.0.0.1:8499/0"  # nothing listens there
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    like_add(user=outsider.user, tweet_id=tweet.id)

    assert feed_likes(follower.client()) == {tweet.id: [{"user_id": outsider.id, "name": "Olga Outsider"}]}


def test_renaming_yourself_shows_the_new_name_in_cached_likers(
    cache_on, author, follower, outsider, django_capture_on_commit_callbacks
):
    """PATCH /api/users/me with a new name: the next feed read shows it on the user's likes."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    like_add(user=outsider.user, tweet_id=tweet.id)
    client = follower.client()
    feed_likes(client)  # warms the cache with the old name

    with django_capture_on_commit_callbacks(execute=True):
        response = outsider.client().patch("/api/users/me", {"name": "Olga New"}, format="json")

    assert response.status_code == 200
    assert feed_likes(client) == {tweet.id: [{"user_id": outsider.id, "name": "Olga New"}]}


def test_renaming_a_user_in_the_admin_shows_the_new_name_in_cached_likers(
    cache_on, author, follower, outsider, make_user, django_capture_on_commit_callbacks
):
    """A superuser renaming someone in the admin: the next feed read shows the new name."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    like_add(user=outsider.user, tweet_id=tweet.id)
    client = follower.client()
    feed_likes(client)
    root = make_user("Root", username="root", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(root.user)
    form = {"username": "outsider", "name": "Olga Renamed", "email": "", "date_joined_0": "2026-01-01"}
    form["date_joined_1"] = "00:00:00"

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/accounts/user/{outsider.id}/change/", form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert feed_likes(client) == {tweet.id: [{"user_id": outsider.id, "name": "Olga Renamed"}]}


def test_likes_made_while_redis_is_stalled_show_exactly_afterwards(
    private_redis, settings, author, follower, make_user, make_tweet
):
    """Nothing has to reach Redis when likers change: lists cached before a stall are never served stale."""
    settings.REDIS_BREAKER_SECONDS = 1
    fans = [make_user(f"Fan {n}") for n in range(3)]
    tweets = [make_tweet(author, f"tweet {n}") for n in range(10)]
    client = follower.client()
    assert all(likes == [] for likes in feed_likes(client).values())  # every list cached empty
    private_redis.pause()

    for tweet in tweets:
        for fan in fans[: tweet.id % 3 + 1]:
            assert fan.client().post(f"/api/tweets/{tweet.id}/likes").status_code == 200
    during = feed_likes(client)
    private_redis.resume()
    time.sleep(1.05)  # the breaker lets the worker call Redis again
    after, again = feed_likes(client), feed_likes(client)

    expected = {
        tweet.id: [{"user_id": fan.id, "name": fan.user.name} for fan in fans[: tweet.id % 3 + 1]]
        for tweet in tweets
    }
    assert during == after == again == expected
    stored = redis.Redis.from_url(private_redis.url).mget([f"chirp:likers:{tweet.id}" for tweet in tweets])
    versions = dict(Tweet.objects.values_list("id", "likers_version"))
    assert [value.split(b":")[0] if isinstance(value, bytes) else value for value in stored] == [
        b"%d" % versions[tweet.id] for tweet in tweets
    ]


def test_likes_deleted_by_an_admin_or_an_account_deletion_leave_the_cached_lists(
    cache_on, author, follower, outsider
):
    """likes_delete bumps the versions with the counters: the next feed read no longer shows them."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    like_add(user=outsider.user, tweet_id=tweet.id)
    client = follower.client()
    assert feed_likes(client) == {tweet.id: [{"user_id": outsider.id, "name": "Olga Outsider"}]}

    likes_delete(likes=Like.objects.filter(user=outsider.user))

    assert feed_likes(client) == {tweet.id: []}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_likers_query_is_prepared_whatever_the_number_of_tweets(author, follower, outsider):
    """Feeds of 1 to 6 tweets read their likers with one statement, which PostgreSQL prepares
    (an IN list was a new statement for each number of tweets, 1,000 placeholders for the whole
    feed, never prepared), and the lists are the same as ever."""
    client = follower.client()
    for count in range(1, 7):
        tweet = tweet_create(author=author.user, content="hi", media_ids=[])
        like_add(user=outsider.user, tweet_id=tweet.id)
        tweets = client.get("/api/tweets").json()["tweets"]
        assert len(tweets) == count
        assert all(t["likes"] == [{"user_id": outsider.id, "name": "Olga Outsider"}] for t in tweets)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%tweets_like%%' "
            "AND statement LIKE '%%accounts_user%%' AND statement NOT LIKE '%%INSERT%%'"
        )
        assert cursor.fetchone() == (1,)

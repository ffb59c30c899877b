import pytest
from django.db import IntegrityError, transaction

from api.testing import assert_error, db_snapshot
from tweets.models import Like, Tweet


def likes_of(tweet) -> tuple[int, set[int]]:
    """The stored counter and the set of likers, which must always agree."""
    tweet.refresh_from_db()
    return tweet.likes_count, set(Like.objects.filter(tweet=tweet).values_list("user_id", flat=True))


def test_follower_can_like_a_tweet(author, follower, make_tweet):
    """POST likes answers result true; the liker shows in the feed's likes."""
    tweet = make_tweet(author)

    response = follower.client().post(f"/api/tweets/{tweet.id}/likes")

    assert response.status_code == 200
    assert response.json() == {"result": True}
    assert likes_of(tweet) == (1, {follower.id})
    feed = follower.client().get("/api/tweets").json()["tweets"]
    assert feed[0]["likes"] == [{"user_id": follower.id, "name": "Fred Follower"}]


def test_liking_twice_counts_once(author, follower, make_tweet):
    """Liking an already liked tweet succeeds and counts nothing twice."""
    tweet = make_tweet(author, likers=[follower])

    response = follower.client().post(f"/api/tweets/{tweet.id}/likes")

    assert response.status_code == 200
    assert response.json() == {"result": True}
    assert likes_of(tweet) == (1, {follower.id})


def test_user_can_unlike(author, follower, outsider, make_tweet):
    """DELETE likes removes only the caller's like and decrements the counter."""
    tweet = make_tweet(author, likers=[follower, outsider])

    response = follower.client().delete(f"/api/tweets/{tweet.id}/likes")

    assert response.status_code == 200
    assert response.json() == {"result": True}
    assert likes_of(tweet) == (1, {outsider.id})


def test_unliking_a_tweet_not_liked_changes_nothing(author, follower, outsider, make_tweet):
    """Unliking a tweet you never liked is a no-op with result true; the counter never drifts."""
    tweet = make_tweet(author, likers=[outsider])

    for _ in range(2):
        response = follower.client().delete(f"/api/tweets/{tweet.id}/likes")
        assert response.status_code == 200
        assert response.json() == {"result": True}

    assert likes_of(tweet) == (1, {outsider.id})


def test_like_unlike_sequence_keeps_the_counter_equal_to_the_rows(author, follower, outsider, make_tweet):
    """Any sequence of likes and unlikes leaves likes_count equal to the number of Like rows."""
    tweet = make_tweet(author)
    steps = [(follower, "post"), (follower, "post"), (outsider, "post"), (follower, "delete")]
    steps += [(follower, "delete"), (outsider, "post"), (author, "post")]

    for person, method in steps:
        assert getattr(person.client(), method)(f"/api/tweets/{tweet.id}/likes").status_code == 200

    assert likes_of(tweet) == (2, {outsider.id, author.id})


@pytest.mark.parametrize("method", ["post", "delete"])
def test_liking_an_unknown_tweet_is_not_found(author, method):
    """Acting on a tweet id that does not exist is a 404 and changes nothing."""
    before = db_snapshot()

    assert_error(getattr(author.client(), method)("/api/tweets/999999/likes"), 404, "not_found")

    assert db_snapshot() == before


def test_liking_a_hidden_tweet_is_not_found(author, follower, make_tweet):
    """A tweet a moderator hid cannot be liked."""
    tweet = make_tweet(author)
    Tweet.objects.filter(pk=tweet.pk).update(hidden_at=tweet.created_at)

    assert_error(follower.client().post(f"/api/tweets/{tweet.id}/likes"), 404, "not_found")
    assert likes_of(tweet) == (0, set())


def test_database_refuses_a_second_like_and_a_negative_counter(author, follower, make_tweet):
    """The unique and check constraints hold even for code that bypasses the services."""
    tweet = make_tweet(author, likers=[follower])

    with pytest.raises(IntegrityError), transaction.atomic():
        Like.objects.create(user=follower.user, tweet=tweet)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tweet.objects.filter(pk=tweet.pk).update(likes_count=-1)

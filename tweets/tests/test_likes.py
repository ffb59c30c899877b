"""Like and unlike over HTTP: idempotent, and the counter always equals the likes."""

from django.utils import timezone

from tweets.models import Like, Tweet
from tweets.services import tweet_create


def assert_counter_exact(tweet_id: int, expected: int) -> None:
    assert (
        Tweet.objects.get(pk=tweet_id).likes_count
        == Like.objects.filter(tweet_id=tweet_id).count()
        == expected
    )


def test_liking_twice_counts_once(author, follower):
    """A repeated like answers result: true and changes nothing."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    client = follower.client()

    responses = [client.post(f"/api/tweets/{tweet.id}/likes") for _ in range(2)]

    assert [r.json() for r in responses] == [{"result": True}] * 2
    assert_counter_exact(tweet.id, 1)


def test_unliking_twice_uncounts_once(author, follower, outsider):
    """A repeated unlike answers result: true and leaves the other likes alone."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    follower.client().post(f"/api/tweets/{tweet.id}/likes")
    outsider.client().post(f"/api/tweets/{tweet.id}/likes")

    responses = [follower.client().delete(f"/api/tweets/{tweet.id}/likes") for _ in range(2)]

    assert [r.json() for r in responses] == [{"result": True}] * 2
    assert_counter_exact(tweet.id, 1)
    assert list(Like.objects.filter(tweet_id=tweet.id).values_list("user_id", flat=True)) == [outsider.id]


def test_liking_a_hidden_or_missing_tweet_is_a_404(author, follower):
    """Nothing to like: 404 envelope, no row written."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    Tweet.objects.filter(pk=tweet.id).update(hidden_at=timezone.now())

    for tweet_id in (tweet.id, tweet.id + 1000):
        response = follower.client().post(f"/api/tweets/{tweet_id}/likes")
        assert response.status_code == 404
        assert response.json()["error_type"] == "not_found"
    assert not Like.objects.exists()

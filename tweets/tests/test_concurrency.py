"""Races between real concurrent requests, each thread on its own PostgreSQL connection."""

import threading
import time

from django.db import transaction

from api.testing import concurrent_db, request_status, run_together
from tweets.models import Attachment, Like, Tweet
from tweets.services import tweet_delete

pytestmark = concurrent_db


def test_simultaneous_likes_by_many_users_are_all_counted(make_user, author, make_tweet):
    """Eight users liking at the same instant: eight Like rows and likes_count 8."""
    tweet = make_tweet(author)
    fans = [make_user(f"Fan {n}") for n in range(8)]
    path = f"/api/tweets/{tweet.id}/likes"

    statuses = run_together([request_status(fan, "post", path) for fan in fans])

    assert statuses == [200] * 8
    tweet.refresh_from_db()
    assert tweet.likes_count == Like.objects.filter(tweet=tweet).count() == 8


def test_simultaneous_likes_by_one_user_count_once(author, follower, make_tweet):
    """The same user liking from six connections at once is one like, and every request succeeds."""
    tweet = make_tweet(author)

    statuses = run_together([request_status(follower, "post", f"/api/tweets/{tweet.id}/likes")] * 6)

    assert statuses == [200] * 6
    tweet.refresh_from_db()
    assert tweet.likes_count == Like.objects.filter(tweet=tweet).count() == 1


def test_simultaneous_likes_and_unlikes_keep_the_counter_exact(make_user, author, make_tweet):
    """Half the fans unlike while the other half like: the counter equals the rows afterwards."""
    fans = [make_user(f"Fan {n}") for n in range(8)]
    tweet = make_tweet(author, likers=fans[:4])
    path = f"/api/tweets/{tweet.id}/likes"
    calls = [request_status(fan, "delete", path) for fan in fans[:4]]
    calls += [request_status(fan, "post", path) for fan in fans[4:]]
    calls += [request_status(fans[0], "delete", path)]

    assert run_together(calls) == [200] * 9

    tweet.refresh_from_db()
    likers = set(Like.objects.filter(tweet=tweet).values_list("user_id", flat=True))
    assert likers == {fan.id for fan in fans[4:]}
    assert tweet.likes_count == 4


def test_two_tweets_racing_for_one_image_cannot_both_get_it(author, make_media):
    """Of two simultaneous tweets claiming the same image, one wins and the other creates nothing."""
    media = make_media(author)
    payload = {"tweet_data": "mine!", "tweet_media_ids": [media.id]}

    post = request_status(author, "post", "/api/tweets", data=payload, format="json")

    statuses = run_together([post, post])

    assert sorted(statuses) == [201, 400]
    winner = Tweet.objects.get()
    assert Attachment.objects.get(media=media).tweet_id == winner.id


def test_a_like_racing_the_tweets_deletion_is_a_404_and_leaves_nothing(author, follower, make_tweet):
    """The author deletes while a like is in flight: the like answers 404 and no orphan row stays."""
    tweet = make_tweet(author)
    deleted = threading.Event()

    def delete_then_commit_slowly():
        with transaction.atomic():
            tweet_delete(user=author.user, tweet_id=tweet.id)
            deleted.set()
            # The like starts while the deletion is uncommitted and waits on the tweet's row lock.
            time.sleep(0.5)
        return "deleted"

    def like_after_the_delete_started():
        deleted.wait(timeout=10)
        return request_status(follower, "post", f"/api/tweets/{tweet.id}/likes")()

    results = run_together([delete_then_commit_slowly, like_after_the_delete_started])

    assert results == ["deleted", 404]
    assert not Tweet.objects.filter(pk=tweet.pk).exists()
    assert not Like.objects.filter(tweet_id=tweet.pk).exists()

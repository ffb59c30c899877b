"""Notifications under real concurrent requests, each thread on its own PostgreSQL connection."""

from accounts.models import Follow
from api.testing import concurrent_db, request_status, run_together
from notifications.models import Notification
from tweets.models import Like

pytestmark = concurrent_db

# The shared test server allows 100 connections in all: 25 at once, each liking eight times.
THREADS, LIKES = 25, 200


def test_two_hundred_concurrent_likes_make_one_group_of_two_hundred(make_user, author, make_tweet):
    """Every committed like is in the author's one like notification; the unread count is one."""
    tweet = make_tweet(author)
    fans = [make_user(f"Fan {n}") for n in range(LIKES)]
    path = f"/api/tweets/{tweet.id}/likes"
    likes = [request_status(fan, "post", path) for fan in fans]

    def batch(calls):
        return lambda: [call() for call in calls]

    results = run_together([batch(likes[n::THREADS]) for n in range(THREADS)])

    assert sorted(status for statuses in results for status in statuses) == [200] * LIKES
    page = author.client().get("/api/notifications").json()
    assert page["unread"] == 1
    [group] = page["notifications"]
    assert group["actors_count"] == LIKES
    notified = set(Notification.objects.filter(recipient=author.user).values_list("actor_id", flat=True))
    assert notified == set(Like.objects.filter(tweet=tweet).values_list("user_id", flat=True))
    assert len(notified) == LIKES


def test_concurrent_likes_and_unlikes_leave_exactly_the_likers(make_user, author, make_tweet):
    """Half unlike while the other half like: the unread group holds exactly the remaining likers."""
    fans = [make_user(f"Fan {n}") for n in range(16)]
    tweet = make_tweet(author)
    path = f"/api/tweets/{tweet.id}/likes"
    run_together([request_status(fan, "post", path) for fan in fans[:8]])
    calls = [request_status(fan, "delete", path) for fan in fans[:8]]
    calls += [request_status(fan, "post", path) for fan in fans[8:]]

    assert run_together(calls) == [200] * 16

    [group] = author.client().get("/api/notifications").json()["notifications"]
    assert group["actors_count"] == 8
    assert set(Notification.objects.values_list("actor_id", flat=True)) == {fan.id for fan in fans[8:]}


def test_fifty_concurrent_follows_make_one_group_of_fifty(make_user, author):
    """Every committed follow is in the author's one follow notification; the unread count is one."""
    fans = [make_user(f"Fan {n}") for n in range(50)]
    follows = [request_status(fan, "post", f"/api/users/{author.id}/follow") for fan in fans]

    def batch(calls):
        return lambda: [call() for call in calls]

    results = run_together([batch(follows[n::THREADS]) for n in range(THREADS)])

    assert sorted(status for statuses in results for status in statuses) == [200] * len(fans)
    page = author.client().get("/api/notifications").json()
    assert page["unread"] == 1
    [group] = page["notifications"]
    assert (group["type"], group["actors_count"]) == ("follow", len(fans))
    notified = set(Notification.objects.filter(recipient=author.user).values_list("actor_id", flat=True))
    assert notified == {fan.id for fan in fans}


def test_racing_follows_and_unfollows_leave_a_notification_exactly_for_each_follow(make_user, author):
    """Each person follows and unfollows from several connections at once: whoever ends up
    following has one unread follow notification, whoever does not has none."""
    fans = [make_user(f"Fan {n}") for n in range(8)]
    path = f"/api/users/{author.id}/follow"
    calls = [request_status(fan, method, path) for fan in fans for method in ("post", "delete", "post")]

    assert run_together(calls) == [200] * len(calls)

    following = set(Follow.objects.filter(followee=author.user).values_list("follower_id", flat=True))
    notified = list(
        Notification.objects.filter(recipient=author.user, kind="follow").values_list("actor_id", flat=True)
    )
    assert sorted(notified) == sorted(following)

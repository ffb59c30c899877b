"""Notifications through the API: each event, grouping, idempotency, reading, bad input."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts.services import suspension_store
from moderation.services import report_create, tweet_hide, user_delete
from notifications.models import Notification
from notifications.services import mutes_set
from tweets.services import like_add, tweet_delete


def _page(person, query: str = "") -> dict:
    response = person.client().get(f"/api/notifications{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _unread(person) -> int:
    response = person.client().get("/api/notifications/unread")
    assert response.status_code == 200
    return response.json()["unread"]


def _like(person, tweet, verb: str = "post") -> None:
    assert getattr(person.client(), verb)(f"/api/tweets/{tweet.id}/likes").status_code == 200


def test_likes_of_one_post_group_newest_first(make_user, author, make_tweet):
    """Three likes of one post are one notification naming the latest likers."""
    tweet = make_tweet(author)
    fans = [make_user(f"Fan {n}") for n in range(3)]
    for fan in fans:
        _like(fan, tweet)

    page = _page(author)

    assert page["unread"] == 1
    assert page["next_cursor"] is None
    [note] = page["notifications"]
    assert note["type"] == "like"
    assert note["tweet_id"] == tweet.id
    assert note["actors_count"] == 3
    assert [actor["name"] for actor in note["actors"]] == ["Fan 2", "Fan 1", "Fan 0"]
    assert note["read"] is False
    assert note["reason"] is None


def test_like_unlike_like_is_one_notification(author, outsider, make_tweet):
    """Liking again after an unlike does not notify twice, read or not."""
    tweet = make_tweet(author)
    _like(outsider, tweet)
    _like(outsider, tweet, "delete")
    assert _page(author)["notifications"] == []
    _like(outsider, tweet)
    assert author.client().post("/api/notifications/read", {}, format="json").json() == {
        "result": True,
        "unread": 0,
    }
    _like(outsider, tweet, "delete")
    _like(outsider, tweet)

    assert Notification.objects.filter(recipient=author.user).count() == 1
    [note] = _page(author)["notifications"]
    assert note["actors_count"] == 1
    assert note["read"] is True


def test_own_likes_and_suspended_people_notify_nobody(make_user, author, make_tweet):
    """Liking one's own post, or being suspended, makes no notification."""
    tweet = make_tweet(author)
    _like(author, tweet)
    suspended = make_user("Sus Pended")
    suspension_store(user=suspended.user, until=timezone.now() + timedelta(days=1))
    like_add(user=suspended.user, tweet_id=tweet.id)
    assert _unread(author) == 0


def test_someone_without_notifications_gets_an_empty_page_and_nothing_unread(author):
    assert _page(author) == {"result": True, "notifications": [], "unread": 0, "next_cursor": None}


def test_follows_group_within_a_day_and_unfollow_takes_back(make_user, author):
    """Two follows today are one notification; an unfollow before reading removes that follower."""
    people = [make_user(f"Person {n}") for n in range(3)]
    for person in people:
        assert person.client().post(f"/api/users/{author.id}/follow").status_code == 200
    assert people[0].client().delete(f"/api/users/{author.id}/follow").status_code == 200

    [note] = _page(author)["notifications"]
    assert note["type"] == "follow"
    assert note["actors_count"] == 2
    assert note["tweet_id"] is None


def test_follows_on_different_days_are_separate_notifications(make_user, author):
    """Two follows late one evening are one notification; the next morning's is another."""
    people = [make_user(f"Person {n}") for n in range(3)]
    with time_machine.travel("2026-12-07 22:00:00+00:00", tick=False) as clock:
        for person in people[:2]:
            assert person.client().post(f"/api/users/{author.id}/follow").status_code == 200
        clock.move_to("2026-12-08 07:00:00+00:00")
        assert people[2].client().post(f"/api/users/{author.id}/follow").status_code == 200

        notes = _page(author)["notifications"]

    assert [(note["type"], note["actors_count"]) for note in notes] == [("follow", 1), ("follow", 2)]
    assert notes[0]["actors"] == [{"id": people[2].id, "name": "Person 2"}]


def test_reply_and_mentions_notify_once_per_post(make_user, author, outsider):
    """A reply mentioning the author it answers is one reply; an edit does not mention twice."""
    grace = make_user("Grace", username="grace")
    first = author.client().post("/api/tweets", {"tweet_data": "Hi"}, format="json").json()["tweet_id"]
    client = outsider.client()
    reply = client.post(
        "/api/tweets", {"tweet_data": "@author @grace yes", "in_reply_to": first}, format="json"
    ).json()["tweet_id"]
    assert (
        client.patch(f"/api/tweets/{reply}", {"tweet_data": "@author @grace yes!"}, format="json").status_code
        == 200
    )

    [note] = _page(author)["notifications"]
    assert (note["type"], note["tweet_id"], note["actors"]) == (
        "reply",
        reply,
        [{"id": outsider.id, "name": outsider.user.name}],
    )
    [mention] = _page(grace)["notifications"]
    assert (mention["type"], mention["tweet_id"]) == ("mention", reply)


def test_moderation_notices_do_not_say_who(author, outsider, moderator, make_tweet):
    """Hiding a reported post tells its author why and its reporter that the report was handled."""
    tweet = make_tweet(author)
    report_create(reporter=outsider.user, tweet_id=tweet.id, reason="spam")
    tweet_hide(moderator=moderator.user, tweet=tweet, reason="Off-topic advertising")

    [hidden] = _page(author)["notifications"]
    assert (hidden["type"], hidden["tweet_id"], hidden["reason"], hidden["actors"]) == (
        "tweet_hidden",
        tweet.id,
        "Off-topic advertising",
        [],
    )
    [handled] = _page(outsider)["notifications"]
    assert (handled["type"], handled["tweet_id"], handled["actors_count"]) == ("report_resolved", None, 0)


def test_muted_kinds_are_not_notified(author, outsider, make_tweet):
    mutes_set(user=author.user, kinds=["like"])
    _like(outsider, make_tweet(author))
    assert outsider.client().post(f"/api/users/{author.id}/follow").status_code == 200
    assert [note["type"] for note in _page(author)["notifications"]] == ["follow"]


def test_read_up_to_an_id_and_cursor_pages(make_user, author, make_tweet):
    """Three posts liked: pages of two, then marking the newest read leaves two unread."""
    fan = make_user("Fan")
    tweets = [make_tweet(author, f"post {n}") for n in range(3)]
    for tweet in tweets:
        _like(fan, tweet)

    first = _page(author, "?limit=2")
    assert [note["tweet_id"] for note in first["notifications"]] == [tweets[2].id, tweets[1].id]
    second = _page(author, f"?limit=2&cursor={first['next_cursor']}")
    assert [note["tweet_id"] for note in second["notifications"]] == [tweets[0].id]
    assert second["next_cursor"] is None

    newest = first["notifications"][0]["id"]
    answer = author.client().post("/api/notifications/read", {"up_to": newest - 1}, format="json")
    assert answer.json() == {"result": True, "unread": 1}


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("?cursor=x", None),
        ("?limit=0", None),
        (None, {"up_to": "5"}),
        (None, {"up_to": 0}),
        (None, {"all": 1}),
    ],
)
def test_bad_input_is_an_enveloped_400(author, query, body):
    client = author.client()
    if query is not None:
        response = client.get(f"/api/notifications{query}")
    else:
        response = client.post("/api/notifications/read", body, format="json")
    assert response.status_code == 400
    assert response.json()["result"] is False


def test_anonymous_is_401(anonymous):
    assert anonymous.get("/api/notifications/unread").status_code == 401


def test_unread_count_and_page_cost_fixed_queries(make_user, author, make_tweet, django_assert_num_queries):
    """The poll is the api key and one count; a page, which carries the count too, one query more,
    whatever its size."""
    for n in range(3):
        _like(make_user(f"Fan {n}"), make_tweet(author, f"post {n}"))
    client = author.client()
    # 1. api key + user, 2. the count.
    with django_assert_num_queries(2):
        assert client.get("/api/notifications/unread").json()["unread"] == 3
    # 1. api key + user, 2. the newest rows' groups, 3. those groups' rows with the unread count.
    with django_assert_num_queries(3):
        page = client.get("/api/notifications").json()
    assert (len(page["notifications"]), page["unread"]) == (3, 3)
    # 1. api key + user, 2. the update, 3. the count.
    with django_assert_num_queries(3):
        client.post("/api/notifications/read", {}, format="json")


def test_liking_stays_one_statement_on_postgresql(author, outsider, make_tweet, django_assert_num_queries):
    """The like, its counter and its notification: one statement on PostgreSQL."""
    tweet = make_tweet(author)
    client = outsider.client()
    # 1. api key + user, 2. the like statement; elsewhere 2. savepoint, 3. the visible tweet,
    # 4. savepoint, 5. insert the like, 6. release, 7. likes_count + 1, 8. the notification, 9. release.
    with django_assert_num_queries({"postgresql": 2, "sqlite": 9}[connection.vendor]):
        assert client.post(f"/api/tweets/{tweet.id}/likes").status_code == 200
    # Unliking: 2. the statement; elsewhere 2. savepoint, 3. the visible tweet, 4. delete the like,
    # 5. likes_count - 1, 6. delete the unread notification, 7. release.
    with django_assert_num_queries({"postgresql": 2, "sqlite": 7}[connection.vendor]):
        assert client.delete(f"/api/tweets/{tweet.id}/likes").status_code == 200
    assert Notification.objects.count() == 0


def test_following_stays_one_statement_on_postgresql(author, outsider, django_assert_num_queries):
    """The follow and its notification: one statement on PostgreSQL; so are the unfollow and the
    notification it takes back."""
    client = outsider.client()
    # 1. api key + user, 2. the follow statement; elsewhere 2. the followee, 3. savepoint,
    # 4. insert the follow, 5. the notification, 6. release.
    with django_assert_num_queries({"postgresql": 2, "sqlite": 6}[connection.vendor]):
        assert client.post(f"/api/users/{author.id}/follow").status_code == 200
    assert _unread(author) == 1
    # Unfollowing: 2. the statement; elsewhere 2. the followee, 3. savepoint, 4. delete the follow,
    # 5. delete the unread notification, 6. release.
    with django_assert_num_queries({"postgresql": 2, "sqlite": 6}[connection.vendor]):
        assert client.delete(f"/api/users/{author.id}/follow").status_code == 200
    assert Notification.objects.count() == 0


def test_deleting_a_user_or_a_tweet_deletes_their_notifications(make_user, author, moderator, make_tweet):
    """The admin's deletions cascade: nothing points at a deleted person or post afterwards."""
    fan, other = make_user("Fan"), make_user("Other")
    kept, gone = make_tweet(author, "kept"), make_tweet(author, "gone")
    like_add(user=fan.user, tweet_id=kept.id)
    like_add(user=other.user, tweet_id=kept.id)
    like_add(user=other.user, tweet_id=gone.id)
    tweet_delete(user=author.user, tweet_id=gone.id)
    assert set(Notification.objects.values_list("actor_id", "tweet_id")) == {
        (fan.id, kept.id),
        (other.id, kept.id),
    }

    user_delete(moderator=moderator.user, user=fan.user, reason="left the company")

    [group] = _page(author)["notifications"]
    assert (group["actors_count"], group["actors"]) == (1, [{"id": other.id, "name": "Other"}])


@pytest.mark.parametrize("window", [2, 1000])
def test_page_one_is_the_same_whether_the_newest_rows_hold_a_page_or_not(
    make_user, author, make_tweet, monkeypatch, window
):
    """Page 1 groups all rows when the newest PAGE_WINDOW rows hold fewer groups than a page."""
    monkeypatch.setattr("notifications.selectors.PAGE_WINDOW", window)
    first, second = make_tweet(author, "first"), make_tweet(author, "second")
    fans = [make_user(f"Fan {n}") for n in range(3)]
    for fan in fans:
        _like(fan, first)
    _like(fans[0], second)

    page = _page(author, "?limit=1")
    assert [(note["tweet_id"], note["actors_count"]) for note in page["notifications"]] == [(second.id, 1)]
    rest = _page(author, f"?limit=5&cursor={page['next_cursor']}")
    assert [(note["tweet_id"], note["actors_count"]) for note in rest["notifications"]] == [(first.id, 3)]
    assert [(note["tweet_id"], note["actors_count"]) for note in _page(author)["notifications"]] == [
        (second.id, 1),
        (first.id, 3),
    ]

"""Nothing from a suspended or deactivated person: what they did before leaves every door at once
(the API's list and unread count, the daily email; the page in web/tests) and shows again when
the suspension ends or the account is reactivated."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from moderation.services import user_deactivate, user_reactivate, user_suspend, user_unsuspend
from notifications.digests import digests_send
from notifications.services import digest_set
from tweets.services import like_add


def _page(person) -> dict:
    response = person.client().get("/api/notifications")
    assert response.status_code == 200, response.content
    return response.json()


def _unread(person) -> int:
    return person.client().get("/api/notifications/unread").json()["unread"]


def _suspend(moderator, person) -> None:
    user_suspend(moderator=moderator.user, user=person.user, reason="spam", indefinitely=True)


def _seen(note: dict) -> tuple[int, list[str]]:
    return note["actors_count"], [actor["name"] for actor in note["actors"]]


def test_a_suspended_and_a_deactivated_liker_leave_the_group_and_come_back(
    make_user, author, moderator, make_tweet
):
    """Five likes; the latest liker suspended, the one before deactivated: three remain, named and
    counted; lifting each brings that person back."""
    tweet = make_tweet(author)
    fans = [make_user(f"Fan {n}") for n in range(5)]
    for fan in fans:
        like_add(user=fan.user, tweet_id=tweet.id)
    assert _seen(_page(author)["notifications"][0]) == (5, ["Fan 4", "Fan 3", "Fan 2"])

    _suspend(moderator, fans[4])
    user_deactivate(moderator=moderator.user, user=fans[3].user, reason="left the company")

    page = _page(author)
    [note] = page["notifications"]
    assert _seen(note) == (3, ["Fan 2", "Fan 1", "Fan 0"])
    assert page["unread"] == _unread(author) == 1

    user_unsuspend(moderator=moderator.user, user=fans[4].user, reason="appeal granted")
    assert _seen(_page(author)["notifications"][0]) == (4, ["Fan 4", "Fan 2", "Fan 1"])
    user_reactivate(moderator=moderator.user, user=fans[3].user, reason="came back")
    assert _seen(_page(author)["notifications"][0]) == (5, ["Fan 4", "Fan 3", "Fan 2"])


def test_a_notification_from_hidden_people_only_is_neither_listed_nor_counted(
    make_user, author, moderator, make_tweet
):
    """A like group whose likers are all suspended, and a suspended person's follow and mention,
    vanish from the list and the unread count; the visible notifications keep their order."""
    liked, kept = make_tweet(author, "liked"), make_tweet(author, "kept")
    spammer, friend = make_user("Sam Spammer", username="sam"), make_user("Fay Friend")
    like_add(user=spammer.user, tweet_id=liked.id)
    like_add(user=friend.user, tweet_id=kept.id)
    assert spammer.client().post(f"/api/users/{author.id}/follow").status_code == 200
    mention = spammer.client().post("/api/tweets", {"tweet_data": "hi @author"}, format="json")
    assert mention.status_code == 201
    assert _unread(author) == 4

    _suspend(moderator, spammer)

    page = _page(author)
    assert [(note["type"], note["tweet_id"]) for note in page["notifications"]] == [("like", kept.id)]
    assert page["unread"] == _unread(author) == 1


def test_a_suspension_that_ran_out_shows_their_notifications_again(make_user, author, moderator, make_tweet):
    """No moderator lifts it: the time passes, and the like counts again."""
    tweet = make_tweet(author)
    fan = make_user("Fan")
    like_add(user=fan.user, tweet_id=tweet.id)
    user_suspend(
        moderator=moderator.user, user=fan.user, reason="cool off", until=timezone.now() + timedelta(hours=1)
    )
    assert _unread(author) == 0

    User.objects.filter(pk=fan.id).update(suspended_until=timezone.now() - timedelta(seconds=1))

    assert _unread(author) == 1
    assert _seen(_page(author)["notifications"][0]) == (1, ["Fan"])


def test_hidden_people_cost_no_extra_query(
    make_user, author, moderator, make_tweet, django_assert_num_queries
):
    """Leaving hidden people out is part of each query: the poll and the page cost what they did."""
    tweet = make_tweet(author)
    fans = [make_user(f"Fan {n}") for n in range(3)]
    for fan in fans:
        like_add(user=fan.user, tweet_id=tweet.id)
    _suspend(moderator, fans[0])
    client = author.client()
    # 1. api key + user, 2. the count.
    with django_assert_num_queries(2):
        assert client.get("/api/notifications/unread").json()["unread"] == 1
    # 1. api key + user, 2. the newest rows' groups, 3. those groups' rows with the unread count.
    with django_assert_num_queries(3):
        [note] = client.get("/api/notifications").json()["notifications"]
    assert note["actors_count"] == 2


def test_the_daily_email_leaves_out_hidden_people(make_user, make_tweet, moderator, mail_to_smtp, settings):
    """The email names the visible liker only; with nothing visible left, no email goes."""
    settings.SITE_URL = "https://chirp.example.com"
    reader = make_user("Dee Digest", email="dee@example.com")
    digest_set(user=reader.user, enabled=True)
    tweet = make_tweet(reader)
    ada, sam = make_user("Ada Liker"), make_user("Sam Spammer")
    like_add(user=ada.user, tweet_id=tweet.id)
    like_add(user=sam.user, tweet_id=tweet.id)
    _suspend(moderator, sam)

    assert digests_send() == 1

    body = mail_to_smtp.wait_for(reader.user.email).get_content()
    assert f"Ada Liker liked your post: https://chirp.example.com/tweets/{tweet.id}/" in body
    assert "Sam" not in body


def test_no_email_when_only_hidden_people_did_something(make_user, make_tweet, moderator, mail_to_smtp):
    reader = make_user("Dee Digest", email="dee@example.com")
    digest_set(user=reader.user, enabled=True)
    sam = make_user("Sam Spammer")
    like_add(user=sam.user, tweet_id=make_tweet(reader).id)
    user_deactivate(moderator=moderator.user, user=sam.user, reason="left the company")

    assert digests_send() == 0

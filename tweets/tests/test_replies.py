"""Replies and threads through the API: posting a reply, a tweet alone, its replies, deletion and hiding."""

import pytest
from django.db import connection

from moderation.services import tweet_hide
from tweets.models import Tweet


def post(person, **body):
    return person.client().post("/api/tweets", body, format="json")


def test_a_reply_answers_its_tweet_and_counts_among_its_replies(author, follower, make_tweet):
    """POST /api/tweets with in_reply_to answers as before; the tweet shows the reply and its count."""
    tweet = make_tweet(author, "Who is in for lunch?")

    response = post(follower, tweet_data="Me!", in_reply_to=tweet.id)

    assert response.status_code == 201 and response.json().keys() == {"result", "tweet_id"}
    reply_id = response.json()["tweet_id"]
    detail = follower.client().get(f"/api/tweets/{tweet.id}").json()
    assert detail["result"] is True and detail["tweet"]["replies_count"] == 1
    assert detail["tweet"]["in_reply_to"] is None
    replies = follower.client().get(f"/api/tweets/{tweet.id}/replies").json()
    assert [(t["id"], t["in_reply_to"]) for t in replies["tweets"]] == [(reply_id, tweet.id)]
    assert replies["next_cursor"] is None
    own_feed = follower.client().get("/api/tweets").json()["tweets"]
    assert {t["id"]: t["replies_count"] for t in own_feed}[tweet.id] == 1


@pytest.mark.parametrize(
    ("value", "status"),
    [("12", 400), (1.5, 400), (True, 400), (2**63, 400), (0, 400), (2**63 - 1, 404), (987654, 404)],
)
def test_a_reply_to_something_that_is_not_a_visible_tweet_is_refused(author, value, status):
    """Non-integers and ids past 2^63-1 are 400s, unknown tweets 404s, and no tweet is written."""
    response = post(author, tweet_data="hello", in_reply_to=value)

    assert response.status_code == status, response.content
    assert response.json()["result"] is False
    assert not Tweet.objects.exists()


def test_a_reply_to_a_hidden_tweet_is_not_found(author, follower, moderator, make_tweet):
    tweet = make_tweet(author)
    tweet_hide(moderator=moderator.user, tweet=tweet, reason="spam")

    response = post(follower, tweet_data="hm", in_reply_to=tweet.id)

    assert response.status_code == 404 and response.json()["error_type"] == "not_found"


def test_replies_page_oldest_first_with_a_cursor(author, follower, make_tweet):
    tweet = make_tweet(author)
    ids = [post(follower, tweet_data=f"reply {n}", in_reply_to=tweet.id).json()["tweet_id"] for n in range(5)]
    client = author.client()

    first = client.get(f"/api/tweets/{tweet.id}/replies?limit=2").json()
    second = client.get(f"/api/tweets/{tweet.id}/replies?limit=2&cursor={first['next_cursor']}").json()
    third = client.get(f"/api/tweets/{tweet.id}/replies?limit=2&cursor={second['next_cursor']}").json()

    assert [t["id"] for t in first["tweets"] + second["tweets"] + third["tweets"]] == ids
    assert third["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["abc", "-1", "99999999999999999999", "١٢"])
def test_a_broken_cursor_is_a_400(author, make_tweet, cursor):
    tweet = make_tweet(author)

    response = author.client().get(f"/api/tweets/{tweet.id}/replies", {"cursor": cursor})

    assert response.status_code == 400 and response.json()["error_type"] == "validation_error"


def test_deleting_a_tweet_keeps_its_replies(author, follower, make_tweet):
    """The reply stays, still naming the deleted tweet, which is now a 404."""
    tweet = make_tweet(author)
    reply_id = post(follower, tweet_data="answer", in_reply_to=tweet.id).json()["tweet_id"]

    assert author.client().delete(f"/api/tweets/{tweet.id}").status_code == 200

    reply = follower.client().get(f"/api/tweets/{reply_id}").json()["tweet"]
    assert reply["in_reply_to"] == tweet.id
    assert follower.client().get(f"/api/tweets/{tweet.id}").status_code == 404
    assert follower.client().get(f"/api/tweets/{tweet.id}/replies").status_code == 404


def test_a_hidden_reply_is_gone_for_others_but_not_for_its_author_and_staff(
    author, follower, outsider, moderator, make_tweet
):
    tweet = make_tweet(author)
    reply_id = post(follower, tweet_data="rude", in_reply_to=tweet.id).json()["tweet_id"]
    tweet_hide(moderator=moderator.user, tweet=Tweet.objects.get(pk=reply_id), reason="rude")

    def replies(person):
        return [t["id"] for t in person.client().get(f"/api/tweets/{tweet.id}/replies").json()["tweets"]]

    assert replies(outsider) == [] and replies(author) == []
    assert replies(follower) == [reply_id] and replies(moderator) == [reply_id]
    assert outsider.client().get(f"/api/tweets/{reply_id}").status_code == 404
    assert outsider.client().get(f"/api/tweets/{tweet.id}").json()["tweet"]["replies_count"] == 0


def test_replies_of_a_suspended_author_are_not_counted(author, follower, make_tweet):
    """replies_count counts visible replies, in the feed (raw SQL on PostgreSQL) as in the detail."""
    from datetime import timedelta

    from django.utils import timezone

    tweet = make_tweet(author)
    post(follower, tweet_data="one", in_reply_to=tweet.id)
    follower.user.suspended_until = timezone.now() + timedelta(days=1)
    follower.user.save()

    assert author.client().get(f"/api/tweets/{tweet.id}").json()["tweet"]["replies_count"] == 0
    assert author.client().get("/api/tweets").json()["tweets"][0]["replies_count"] == 0


def test_the_detail_and_replies_cost_fixed_queries(author, follower, make_tweet, django_assert_num_queries):
    tweet = make_tweet(author, likers=[follower])
    for n in range(3):
        post(follower, tweet_data=f"@author reply {n} #x", in_reply_to=tweet.id)
    client = author.client()

    # 1. api key + user, 2. the tweet with its replies_count, 3. its likers (not cached here),
    # 4. its attachments.
    with django_assert_num_queries(4):
        assert client.get(f"/api/tweets/{tweet.id}").status_code == 200
    # 1. api key + user, 2. the tweet exists, 3. the page, 4. the mentioned users, 5. likers,
    # 6. attachments.
    with django_assert_num_queries(6):
        assert client.get(f"/api/tweets/{tweet.id}/replies").status_code == 200


def test_posting_a_reply_with_mentions_and_tags_costs_fixed_queries(
    author, follower, make_tweet, django_assert_num_queries
):
    tweet = make_tweet(author)
    client = follower.client()
    body = {"tweet_data": "@author @follower #one #two", "in_reply_to": tweet.id}

    # The api key and user, a savepoint, the visible tweet answered, then on PostgreSQL the one
    # posting statement; elsewhere the mentioned users, the tweet, its mentions, its tags and the
    # notifications (the reply and the mention, one INSERT); the release. No media: nothing to claim.
    with django_assert_num_queries({"postgresql": 5, "sqlite": 9}[connection.vendor]):
        assert client.post("/api/tweets", body, format="json").status_code == 201

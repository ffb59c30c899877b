"""Mentions and tags: parsed once on write, capped, stored, and listed by tag."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tweets.entities import MENTIONS_MAX, TAGS_MAX
from tweets.models import Mention, Tweet, TweetTag


def post(person, text, **extra):
    return person.client().post("/api/tweets", {"tweet_data": text, **extra}, format="json")


def test_mentions_of_active_users_and_tags_of_any_script_are_stored(author, follower, make_user):
    gone = make_user("Gone", username="gone").user
    gone.is_active = False
    gone.save()

    response = post(author, "Hi @FOLLOWER and @gone and @nobody, see #Launch #запуск #launch e@mail.com #")

    tweet = Tweet.objects.get(pk=response.json()["tweet_id"])
    assert tweet.mentioned_ids == [follower.id] and gone.id not in tweet.mentioned_ids
    assert tweet.tags == ["launch", "запуск"]
    item = author.client().get(f"/api/tweets/{tweet.id}").json()["tweet"]
    assert item["mentions"] == [{"id": follower.id, "name": "Fred Follower", "username": "follower"}]
    assert item["tags"] == ["launch", "запуск"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (" ".join(f"@u{n}" for n in range(MENTIONS_MAX + 1)), "mention at most"),
        (" ".join(f"@u{n}" for n in range(1000)), "mention at most"),
        (" ".join(f"#t{n}" for n in range(TAGS_MAX + 1)), "at most"),
        ("#" + "x" * 200, "at most 100"),
        ("word\u2060joiner", "U+2060"),
        ("zero\u200bwidth", "U+200B"),
    ],
)
def test_over_the_caps_or_disguised_text_is_refused_whole(author, text, message, settings):
    settings.TWEET_MAX_LENGTH = 10_000

    response = post(author, text)

    assert response.status_code == 400 and message in response.json()["error_message"]
    assert not Tweet.objects.exists() and not Mention.objects.exists() and not TweetTag.objects.exists()


def test_at_and_hash_alone_are_plain_text(author):
    response = post(author, "@ # @@ ## a@b #!")

    tweet = Tweet.objects.get(pk=response.json()["tweet_id"])
    assert tweet.mentioned_ids == [] and tweet.tags == []


@pytest.mark.parametrize("mentions", [1, MENTIONS_MAX])
def test_posting_with_mentions_and_tags_costs_fixed_statements(
    author, make_user, mentions, django_assert_num_queries
):
    """However many mentions and tags: on PostgreSQL one statement writes the tweet with all of
    them and their notifications, as many round trips as a plain post; elsewhere the mentioned
    users are one lookup, their Mention rows one INSERT, the tags one INSERT and their
    notifications one more."""
    names = [make_user(f"Person {n}", username=f"Person{n}").user.username for n in range(mentions)]
    text = " ".join(f"@{name.upper()}" for name in names) + " #a #b #c"
    client = author.client()

    # The api key and user, a savepoint, then on PostgreSQL the posting statement
    # (tweets.services._post_sql); elsewhere the mentioned users (user_username_lower_idx), the
    # tweet, its mentions, its tags and the mentioned people's notifications
    # (notifications.services.post_notify); the savepoint's release.
    with django_assert_num_queries({"postgresql": 4, "sqlite": 8}[connection.vendor]):
        response = client.post("/api/tweets", {"tweet_data": text}, format="json")

    tweet = Tweet.objects.get(pk=response.json()["tweet_id"])
    assert len(tweet.mentioned_ids) == mentions and tweet.tags == ["a", "b", "c"]
    assert Mention.objects.filter(tweet=tweet).count() == mentions
    assert sorted(TweetTag.objects.filter(tweet=tweet).values_list("tag", flat=True)) == ["a", "b", "c"]


def test_only_users_active_and_not_suspended_now_are_mentioned(author, make_user):
    """The lookup compiled once per process takes the time of each post, not of the first."""
    now = timezone.now()
    suspended = make_user("Sus", username="sus").user
    suspended.suspended_until = now + timedelta(days=1)
    suspended.save()
    returned = make_user("Back", username="back").user
    returned.suspended_until = now - timedelta(seconds=1)
    returned.save()

    first = Tweet.objects.get(pk=post(author, "@sus @Back").json()["tweet_id"])
    suspended.suspended_until = now - timedelta(seconds=1)
    suspended.save()
    second = Tweet.objects.get(pk=post(author, "@SUS @back").json()["tweet_id"])

    assert first.mentioned_ids == [returned.id]
    assert second.mentioned_ids == [suspended.id, returned.id]


def test_a_tag_lists_visible_tweets_newest_first(author, follower, outsider, moderator, make_tweet):
    from moderation.services import tweet_hide

    ids = [
        post(person, f"#Launch day {n}").json()["tweet_id"]
        for n, person in enumerate([author, outsider, author])
    ]
    post(author, "#other")
    tweet_hide(moderator=moderator.user, tweet=Tweet.objects.get(pk=ids[1]), reason="spam")

    first = follower.client().get("/api/tags/LAUNCH/tweets?limit=1").json()
    rest = follower.client().get(f"/api/tags/launch/tweets?limit=1&cursor={first['next_cursor']}").json()

    assert [t["id"] for t in first["tweets"] + rest["tweets"]] == [ids[2], ids[0]]
    assert rest["next_cursor"] is None


def test_a_tag_page_costs_fixed_queries(author, follower, django_assert_num_queries):
    for n in range(4):
        post(author, f"#x @follower {n}")
    client = follower.client()

    # 1. api key + user, 2. the page, 3. mentioned users, 4. likers, 5. attachments.
    with django_assert_num_queries(5):
        assert len(client.get("/api/tags/x/tweets").json()["tweets"]) == 4


def test_people_to_mention_by_username_or_name(author, follower, make_user, django_assert_num_queries):
    make_user("Grace Hopper", username="grace")
    gone = make_user("Greta Gone", username="greta").user
    gone.is_active = False
    gone.save()
    client = author.client()

    # 1. api key + user, 2. the suggestions.
    with django_assert_num_queries(2):
        by_username = client.get("/api/users/suggest?q=@GR").json()
    by_name = client.get("/api/users/suggest", {"q": "hopp"}).json()

    assert by_username == {
        "result": True,
        "users": [{"id": by_username["users"][0]["id"], "name": "Grace Hopper", "username": "grace"}],
    }
    assert [user["username"] for user in by_name["users"]] == ["grace"]
    assert client.get("/api/users/suggest").json()["users"] == []
    assert client.get("/api/users/suggest", {"q": "x" * 151}).status_code == 400


@pytest.mark.parametrize("tag", ["a%00b", "no-tag", "x" * 101, "%E2%80%AE"])
def test_a_tag_no_tweet_can_have_is_an_empty_page(author, tag):
    response = author.client().get(f"/api/tags/{tag}/tweets")

    assert response.status_code == 200 and response.json()["tweets"] == []


def test_a_nul_byte_in_a_suggestion_query_is_refused_or_empty(author):
    from django.test import Client

    browser = Client()
    browser.force_login(author.user)

    assert author.client().get("/api/users/suggest", {"q": "a\x00"}).status_code == 400
    assert browser.get("/people/suggest/", {"q": "a\x00"}).json() == {"users": []}


def test_an_unpaired_right_to_left_override_is_dropped_and_the_tags_still_read(author):
    """common.text's rule: a bidi control left open would reverse what follows on every page."""
    response = post(author, "#safe \u202etxt.exe")

    tweet = Tweet.objects.get(pk=response.json()["tweet_id"])
    assert tweet.content == "#safe txt.exe" and tweet.tags == ["safe"]


def test_the_mention_lookup_is_served_by_the_lower_username_index(author):
    """The compiled lookup's LOWER(username) is the expression user_username_lower_idx indexes."""
    from tweets.services import _NOW, _mentions_sql

    query = _mentions_sql(2)
    sql = query.sql
    params = query.bind({_NOW: timezone.now(), "\x00name0": "ada", "\x00name1": "grace"})
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(column) for row in cursor.fetchall() for column in row)
    assert "user_username_lower_idx" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements' plans are PostgreSQL's")
def test_the_posting_statement_with_mentions_is_planned_once_per_connection(author, make_user):
    """Posts with mentions reuse the prepared statement's generic plan. The plan for the names'
    lookup had to be cheap whatever the number of names: otherwise PostgreSQL planned the whole
    statement again for every post (about 0.4 ms of its CPU per post at preset M)."""
    make_user("Ada", username="ada")
    make_user("Grace", username="grace")
    # psycopg prepares the statement after 5 runs; PostgreSQL plans it for 5 runs' values before it
    # weighs a generic plan.
    for _ in range(11):
        assert post(author, "Thanks @ada and @grace #launch #party").status_code == 201

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE '%%tweets_mention%%' AND statement LIKE '%%INSERT%%'"
        )
        [(generic, custom)] = cursor.fetchall()
    assert generic >= 1 and custom <= 5

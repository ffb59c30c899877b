"""The Latest order (API `order=latest`, the web's Latest tab) and the web's Top ranking."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tweets.models import Tweet
from tweets.services import tweet_create, tweet_edit


@pytest.fixture
def history(author, follower, outsider, make_tweet):
    """Five tweets by the author an hour apart, the oldest liked, and an outsider's; ids newest first."""
    start = timezone.now() - timedelta(days=3)
    ids = []
    for hour in range(5):
        tweet = make_tweet(author, f"tweet {hour}", likers=[follower, outsider] if hour == 0 else [])
        Tweet.objects.filter(pk=tweet.pk).update(created_at=start + timedelta(hours=hour))
        ids.append(tweet.pk)
    make_tweet(outsider, "not followed")
    return ids[::-1]


def test_latest_lists_the_feed_newest_first_page_by_page(follower, history):
    client = follower.client()

    first = client.get("/api/tweets?order=latest&limit=2").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    assert first["result"] is True
    assert [t["id"] for t in first["tweets"] + second["tweets"] + third["tweets"]] == history
    assert third["next"] is None


def test_latest_serves_the_same_tweet_objects_as_the_feed(author, follower, outsider, make_tweet, make_media):
    """Images and their alt texts, replies counts, mentions, tags, edits and likes: Latest reads
    them in its own statement on PostgreSQL, and they are what the feed serves."""
    pictured = make_tweet(author, "with a picture #launch @follower", media=[make_media(author)])
    tweet_create(author=outsider.user, content="a reply", media_ids=[], in_reply_to=pictured.pk)
    edited = make_tweet(follower, "typo", likers=[author, outsider])
    tweet_edit(user=follower.user, tweet_id=edited.pk, content="fixed #launch")
    client = follower.client()

    latest = client.get("/api/tweets?order=latest").json()["tweets"]
    feed = client.get("/api/tweets").json()["tweets"]

    assert sorted(latest, key=lambda tweet: tweet["id"]) == sorted(feed, key=lambda tweet: tweet["id"])
    by_id = {tweet["id"]: tweet for tweet in latest}
    assert by_id[pictured.pk]["replies_count"] == 1 and len(by_id[pictured.pk]["attachments"]) == 1
    assert by_id[pictured.pk]["mentions"][0]["id"] == follower.id and by_id[edited.pk]["edited_at"]
    assert [like["user_id"] for like in by_id[edited.pk]["likes"]] == [author.id, outsider.id]


def test_the_contract_order_is_unchanged_without_order(follower, history):
    ids = [t["id"] for t in follower.client().get("/api/tweets").json()["tweets"]]

    assert ids == [history[-1], *history[:-1]]


@pytest.mark.parametrize(
    "query", ["order=newest", "order=latest&offset=1", "order=latest&cursor=x", "order=latest&cursor=9" * 30]
)
def test_bad_latest_queries_are_400s(follower, query):
    response = follower.client().get(f"/api/tweets?{query}")

    assert response.status_code == 400 and response.json()["error_type"] == "validation_error"


def test_latest_costs_fixed_queries(follower, history, django_assert_num_queries):
    client = follower.client()

    # 1. api key + user; on PostgreSQL 2. the page (each followee's newest, merged) with its rows,
    # replies counts and attachments (feed.selectors._LATEST_PAGE_SQL), 3. likers; elsewhere 2. the
    # page's ids, 3. their rows, 4. likers, 5. attachments.
    with django_assert_num_queries({"postgresql": 3, "sqlite": 5}[connection.vendor]):
        assert len(client.get("/api/tweets?order=latest").json()["tweets"]) == 5


def test_the_web_top_tab_shows_a_new_post_above_an_old_popular_one(follower, author, history, make_tweet):
    """Top on the web weighs likes by age: a fresh post with no likes beats a 3-day-old liked one."""
    from django.test import Client

    fresh = make_tweet(author, "just now")
    client = Client()
    client.force_login(follower.user)

    top = client.get("/").content.decode()
    latest = client.get("/latest/").content.decode()

    assert top.index(f'id="tweet-{fresh.pk}"') < top.index(f'id="tweet-{history[-1]}"')
    assert 'aria-current="page">Top<' in top and 'aria-current="page">Latest<' in latest
    assert latest.index(f'id="tweet-{fresh.pk}"') < latest.index(f'id="tweet-{history[0]}"')


def test_latest_ids_page_through_ties_and_leave_out_what_the_feed_does(
    author, follower, outsider, moderator, make_user, make_tweet
):
    """feed_latest_ids (on PostgreSQL raw SQL built from visible_tweets) pages the same tweets in the
    same order as the ORM's Latest queryset: ties in time broken by id, hidden tweets, suspended
    authors and people not followed left out, one's own tweets in."""
    from accounts.models import Follow
    from feed.selectors import _latest_queryset, feed_latest_ids, latest_cursor
    from moderation.services import tweet_hide

    suspended = make_user("Sus", username="sus")
    Follow.objects.create(follower=follower.user, followee=suspended.user)
    same = timezone.now() - timedelta(hours=1)
    tweets = [
        make_tweet(person, f"t{n}") for n, person in enumerate([author, follower, author, suspended] * 3)
    ]
    Tweet.objects.filter(pk__in=[t.pk for t in tweets[:6]]).update(created_at=same)
    make_tweet(outsider, "not followed")
    tweet_hide(moderator=moderator.user, tweet=tweets[2], reason="spam")
    suspended.user.suspended_until = timezone.now() + timedelta(days=1)
    suspended.user.save()

    expected = list(_latest_queryset(user=follower.user, position=None).values_list("id", flat=True))
    seen, cursor = [], ""
    while True:
        ids = feed_latest_ids(user=follower.user, cursor=cursor, count=3)
        seen += ids[:2]
        if len(ids) < 3:
            break
        last = Tweet.objects.get(pk=ids[1])
        cursor = latest_cursor(created_at=last.created_at, tweet_id=last.pk)

    assert seen == expected
    assert len(expected) == 8 and tweets[2].pk not in expected and tweets[3].pk not in expected


def _aged(tweet, *, hours: float) -> int:
    Tweet.objects.filter(pk=tweet.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    return tweet.pk


def test_top_weighs_likes_by_age_with_a_half_life_of_twelve_hours(author, follower, outsider, make_tweet):
    """A post 12 hours older needs twice the likes (plus one) to rank the same: a week-old post with
    300 likes stays below a new one without any, and so does a day-old one with two likes."""
    from feed.selectors import top_ids
    from tweets.models import TOP_HALF_LIFE_HOURS

    new = make_tweet(author, "new").pk
    day_old_liked = _aged(
        make_tweet(author, "a day old, liked by two", likers=[follower, outsider]), hours=24
    )
    day_old = _aged(make_tweet(author, "a day old"), hours=24)
    week_old_popular = make_tweet(author, "a week old, very popular")
    Tweet.objects.filter(pk=week_old_popular.pk).update(likes_count=300)
    _aged(week_old_popular, hours=24 * 7)

    assert TOP_HALF_LIFE_HOURS == 12
    # Two likes a day ago: 3 / 2 ** 2 = 0.75 of a new post's 1; three would be 1.
    assert top_ids(user=follower.user, count=10) == [new, day_old_liked, day_old, week_old_popular.pk]


def test_a_like_moves_a_post_up_top_at_once(author, follower, outsider, make_tweet):
    """The score is a generated column: whatever changes likes_count changes the order."""
    from feed.selectors import top_ids
    from tweets.services import like_add, like_remove

    older = _aged(make_tweet(author, "older"), hours=6)
    newer = make_tweet(author, "newer").pk

    assert top_ids(user=follower.user, count=2) == [newer, older]
    like_add(user=outsider.user, tweet_id=older)
    assert top_ids(user=follower.user, count=2) == [older, newer]
    like_remove(user=outsider.user, tweet_id=older)
    assert top_ids(user=follower.user, count=2) == [newer, older]

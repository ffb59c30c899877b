"""The Latest order (API `order=latest`, the web's Latest tab) and the web's Top ranking."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tweets.models import Tweet


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

    # 1. api key + user, 2. the page (followees in a subquery), 3. likers, 4. attachments.
    with django_assert_num_queries(4):
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

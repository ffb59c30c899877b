"""The feed's order and the tweets' visibility are each defined once; every query is built from it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import SUSPENDED_INDEFINITELY, User
from accounts.services import follow_add, suspension_store
from tweets.models import FEED_ORDER, LATEST_ORDER, TOP_ORDER, Tweet, order_sql
from tweets.selectors import visible_tweets


def test_the_feed_index_is_built_from_the_feed_order():
    """tweet_feed_idx serves the feed's per-author top-N only while it sorts as FEED_ORDER does."""
    [index] = [index for index in Tweet._meta.indexes if index.name == "tweet_feed_idx"]
    author, *order = index.expressions

    assert author.name == "author"
    assert [f"-{expression.expression.name}" for expression in order] == list(FEED_ORDER)
    assert all(expression.descending for expression in order)


@pytest.mark.parametrize(
    ("index_name", "statement", "order", "written"),
    [
        ("tweet_latest_idx", "_LATEST_SQL", LATEST_ORDER, "k.created_at DESC, k.id DESC"),
        ("tweet_top_idx", "_TOP_SQL", TOP_ORDER, "k.top_score DESC, k.id DESC"),
    ],
)
def test_the_latest_and_top_indexes_and_statements_are_built_from_their_orders(
    index_name, statement, order, written
):
    """tweet_latest_idx and tweet_top_idx, and the web tabs' raw merges, sort as LATEST_ORDER and
    TOP_ORDER, their ORM queries' orders."""
    from feed import selectors

    [index] = [index for index in Tweet._meta.indexes if index.name == index_name]
    author, *expressions = index.expressions

    assert author.name == "author"
    assert [f"-{expression.expression.name}" for expression in expressions] == list(order)
    assert all(expression.descending for expression in expressions)
    assert f"ORDER BY {order_sql('k', order)}\n" in getattr(selectors, statement)
    assert order_sql("k", order) == written


def test_the_feed_serves_visible_tweets_in_feed_order(make_user, follower, author, make_tweet):
    """Whichever query this database runs, the feed is visible_tweets() of the followees and the
    user, sorted by FEED_ORDER: hidden tweets and suspended or deactivated authors left out, ties
    between equally liked tweets of the same instant broken by id."""
    suspended, gone = make_user("Sus"), make_user("Gone")
    for person in (suspended, gone):
        follow_add(follower=follower.user, followee_id=person.id)
    fans = [make_user(f"Fan {n}") for n in range(2)]
    tweets = [
        make_tweet(author, "two likes", likers=fans),
        make_tweet(author, "plain"),
        make_tweet(author, "plain twin"),
        make_tweet(follower, "own"),
        make_tweet(author, "hidden"),
        make_tweet(suspended, "suspended"),
        make_tweet(gone, "deactivated"),
    ]
    same_instant = timezone.now() - timedelta(minutes=5)
    Tweet.objects.filter(pk__in=[tweets[1].pk, tweets[2].pk]).update(created_at=same_instant)
    Tweet.objects.filter(pk=tweets[4].pk).update(hidden_at=timezone.now())
    suspension_store(user=suspended.user, until=SUSPENDED_INDEFINITELY)
    User.objects.filter(pk=gone.id).update(is_active=False)

    served = [tweet["id"] for tweet in follower.client().get("/api/tweets").json()["tweets"]]

    authors = [author.id, follower.id, suspended.id, gone.id]
    expected = list(
        visible_tweets().filter(author_id__in=authors).order_by(*FEED_ORDER).values_list("id", flat=True)
    )
    assert served == expected
    assert [Tweet.objects.get(pk=pk).content for pk in served] == ["two likes", "own", "plain twin", "plain"]

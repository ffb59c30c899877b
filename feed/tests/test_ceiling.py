"""The benchmark's feed ceiling (bench/ceiling.sql) reads the pages that Chirp serves."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.services import follow_add
from feed.tests.pgbench import pgbench_three_times
from tweets.models import Tweet
from tweets.services import tweet_create

SCRIPT = Path(settings.BASE_DIR) / "bench" / "ceiling.sql"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the ceiling is PostgreSQL's pgbench"
)


@pytest.fixture
def feed(author, follower, outsider, make_user, make_tweet):
    """65 tweets by the author and the follower with likes counts that tie now and then, one
    hidden, one with a mention and tags; a reply (by an outsider, whom the follower does not
    follow) to one tweet of page 1 and one of page 3; an outsider's tweet and a suspended
    followee's, neither in the follower's feed."""
    suspended = make_user("Sam Suspended")
    follow_add(follower=follower.user, followee_id=suspended.id)
    start = timezone.now() - timedelta(hours=2)
    for n in range(65):
        text = f"tweet {n} @follower #tag" if n == 12 else f"tweet {n}"
        tweet = make_tweet(author if n % 3 else follower, text)
        Tweet.objects.filter(pk=tweet.pk).update(created_at=start + timedelta(minutes=n), likes_count=n % 13)
    Tweet.objects.filter(content="tweet 20").update(hidden_at=timezone.now())
    for n in (3, 50):
        answered = Tweet.objects.get(content=f"tweet {n}")
        tweet_create(author=outsider.user, content="a reply", media_ids=[], in_reply_to=answered.pk)
    make_tweet(outsider, "not followed")
    make_tweet(suspended, "suspended")
    type(suspended.user).objects.filter(pk=suspended.id).update(
        suspended_until=timezone.now() + timedelta(days=1)
    )


def ceiling_page(user_id: int, page: int) -> list[tuple]:
    """(id, replies count, mentioned ids, tags) of each tweet the ceiling's page statement reads
    for this user and page, as pgbench runs it."""
    statement = SCRIPT.read_text().split("\n\\set uid random(1, :users)\n", 1)[1].split("\\gset", 1)[0]
    variables = {":uid": user_id, ":offset": (page - 1) * 20, ":depth": page * 20}
    for name, value in variables.items():
        statement = statement.replace(name, str(int(value)))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ids, replies, mentioned, tags FROM ({statement}) AS page")
        ids, replies, mentioned, tags = cursor.fetchone()
    return list(zip(ids, replies, mentioned, tags, strict=True))


@pytest.mark.parametrize("page", [1, 3])
def test_the_ceiling_reads_the_page_chirp_serves(follower, feed, page):
    """The same 20 tweets in the same order, with their replies counts, mentions and tags; hidden,
    unfollowed and suspended authors' tweets left out."""
    tweets = follower.client().get(f"/api/tweets?offset={page}&limit=20").json()["tweets"]

    read = ceiling_page(follower.id, page)

    assert len(tweets) == 20 and any(tweet["replies_count"] for tweet in tweets)
    assert read == [
        (
            tweet["id"],
            tweet["replies_count"],
            json.dumps([mention["id"] for mention in tweet["mentions"]]),
            json.dumps(tweet["tags"]),
        )
        for tweet in tweets
    ]
    assert (page == 1) == any(tweet["tags"] for tweet in tweets)


@pytest.mark.django_db(transaction=True)
def test_the_ceiling_runs_under_pgbench(follower, feed):
    """The whole script, its likers statement included, runs as the benchmark runs it."""
    for page in (1, 3):
        pgbench_three_times(SCRIPT, users=follower.id, offset=(page - 1) * 20, depth=page * 20)

"""The benchmark's Latest ceiling (bench/ceiling_latest.sql) reads the page that Chirp serves."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.services import follow_add
from feed.tests.pgbench import pgbench_three_times
from tweets.models import Tweet

SCRIPT = Path(settings.BASE_DIR) / "bench" / "ceiling_latest.sql"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the ceiling is PostgreSQL's pgbench"
)


@pytest.fixture
def timeline(author, follower, outsider, make_user, make_tweet):
    """25 tweets by the author and the follower, a minute apart, one hidden; an outsider's tweet
    and a suspended followee's, neither in the follower's Latest."""
    suspended = make_user("Sam Suspended")
    follow_add(follower=follower.user, followee_id=suspended.id)
    start = timezone.now() - timedelta(hours=1)
    for minute in range(25):
        tweet = make_tweet(author if minute % 3 else follower, f"tweet {minute}")
        Tweet.objects.filter(pk=tweet.pk).update(created_at=start + timedelta(minutes=minute))
    Tweet.objects.filter(content="tweet 20").update(hidden_at=timezone.now())
    make_tweet(outsider, "not followed")
    make_tweet(suspended, "suspended")
    type(suspended.user).objects.filter(pk=suspended.id).update(
        suspended_until=timezone.now() + timedelta(days=1)
    )


def ceiling_page_ids(user_id: int) -> list[int]:
    """The ids the ceiling's page statement reads for this user (pgbench's :uid replaced by it)."""
    statement = SCRIPT.read_text().split("\n\\set uid random(1, :users)\n", 1)[1].split("\\gset", 1)[0]
    with connection.cursor() as cursor:
        cursor.execute(statement.replace(":uid", str(int(user_id))))
        return cursor.fetchone()[0]


def test_the_latest_ceiling_reads_the_first_page_chirp_serves_and_one_more(follower, timeline):
    """The same 21 tweets, in the same order: the 20 of the page and the one that tells a next
    page follows (Chirp reads it too); hidden, unfollowed and suspended authors' tweets left out."""
    page = follower.client().get("/api/tweets?order=latest&limit=20").json()
    following = follower.client().get(page["next"].replace("limit=20", "limit=1")).json()

    assert ceiling_page_ids(follower.id) == [t["id"] for t in page["tweets"] + following["tweets"]]


@pytest.mark.django_db(transaction=True)
def test_the_latest_ceiling_runs_under_pgbench(follower, timeline):
    """The whole script, its likers statement included, runs as the benchmark runs it."""
    pgbench_three_times(SCRIPT, users=follower.id)

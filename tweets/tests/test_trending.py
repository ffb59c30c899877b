"""The Trending list: counted once and kept in the cache; a new post shows when the kept list runs out,
an edit, a deletion or hiding at once."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tweets.models import Tweet
from tweets.selectors import trending_tags
from tweets.services import tweet_create, tweet_delete, tweet_edit, tweet_hidden_clear, tweet_hidden_store
from tweets.trending import trending_cached


@pytest.fixture
def post(author, django_capture_on_commit_callbacks):
    """Posts as the author, committed (the commit is what tells Trending)."""

    def post(text: str, person=None) -> Tweet:
        with django_capture_on_commit_callbacks(execute=True):
            return tweet_create(author=(person or author).user, content=text, media_ids=[])

    return post


def tag_counts_run(queries) -> int:
    return sum('"tweets_tweettag"' in query["sql"] for query in queries)


def test_the_list_is_counted_once_and_then_read_from_the_cache(post):
    post("#launch")
    assert trending_tags() == [("launch", 1)]

    with CaptureQueriesContext(connection) as queries:
        assert trending_tags() == [("launch", 1)]

    assert tag_counts_run(queries) == 0


def test_a_new_posts_tags_show_once_the_kept_list_runs_out(post, settings):
    """Posting leaves the kept list alone (no recount per tagged post); its tags show once the list's
    TRENDING_CACHE_SECONDS have passed."""
    settings.TRENDING_CACHE_SECONDS = 1
    post("#launch")
    assert trending_tags() == [("launch", 1)]

    post("#launch again, and #party")
    post("#party time")
    with CaptureQueriesContext(connection) as queries:
        assert trending_tags() == [("launch", 1)]
    assert tag_counts_run(queries) == 0

    time.sleep(1.1)
    assert trending_tags() == [("launch", 2), ("party", 2)]


def test_an_edit_deletion_or_hiding_takes_its_tags_out_at_once(
    post, author, django_capture_on_commit_callbacks
):
    edited, deleted, hidden = post("#one"), post("#two"), post("#three")
    assert trending_tags() == [("one", 1), ("three", 1), ("two", 1)]

    with django_capture_on_commit_callbacks(execute=True):
        tweet_edit(user=author.user, tweet_id=edited.pk, content="#uno")
        tweet_delete(user=author.user, tweet_id=deleted.pk)
        tweet_hidden_store(tweet=hidden)
    assert trending_tags() == [("uno", 1)]

    with django_capture_on_commit_callbacks(execute=True):
        tweet_hidden_clear(tweet=hidden)
    assert trending_tags() == [("three", 1), ("uno", 1)]


def test_a_list_counted_while_an_edit_commits_is_not_served(post, author, django_capture_on_commit_callbacks):
    """A page that counted before an edit committed stores what it counted; the next one counts anew."""
    tweet = post("#early")

    def counted_before_the_edit_committed():
        counted = [("early", 1)]  # what a count made before the edit to #late committed found
        with django_capture_on_commit_callbacks(execute=True):
            tweet_edit(user=author.user, tweet_id=tweet.pk, content="#late")
        return counted

    assert trending_cached(limit=10, count=counted_before_the_edit_committed) == [("early", 1)]

    assert trending_tags() == [("late", 1)]


def test_writes_outside_the_window_leave_the_list_alone(post, author, django_capture_on_commit_callbacks):
    """An old post's edit changes no count of the last day: the list stays cached."""
    old = post("#old")
    Tweet.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    trending_tags()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tweet_edit(user=author.user, tweet_id=old.pk, content="#older")

    assert callbacks == []
    with CaptureQueriesContext(connection) as queries:
        trending_tags()
    assert tag_counts_run(queries) == 0

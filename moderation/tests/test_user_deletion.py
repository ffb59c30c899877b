"""Deleting an account in the admin leaves no drifted counter and no orphaned file behind."""

from django.core.files.storage import default_storage

from media.models import Media
from moderation.models import ReportedTweet
from moderation.services import report_create
from tweets.models import Like, Tweet

USERS = "/admin/accounts/user/"


def test_deleting_a_liker_keeps_like_counters_equal_to_the_rows(
    superuser_client, author, follower, outsider, make_tweet
):
    """The deleted user's likes disappear from likes_count as well as from the likes list."""
    both = make_tweet(author, "liked by both", likers=[follower, outsider])
    theirs = make_tweet(author, "liked by the follower", likers=[follower])

    response = superuser_client.post(f"{USERS}{follower.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    counters = dict(Tweet.objects.values_list("id", "likes_count"))
    assert counters == {both.id: 1, theirs.id: 0}
    assert counters[both.id] == Like.objects.filter(tweet=both).count()


def test_deleting_a_reporter_keeps_the_queue_counters_equal_to_the_open_reports(
    superuser_client, author, follower, outsider, make_tweet
):
    """The deleted user's open reports leave the moderation queue's counters too."""
    both = make_tweet(author, "reported by both")
    theirs = make_tweet(author, "reported by the follower")
    for reporter, tweet in [(follower, both), (outsider, both), (follower, theirs)]:
        report_create(reporter=reporter.user, tweet_id=tweet.id, reason="spam")

    response = superuser_client.post(f"{USERS}{follower.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    queue = dict(ReportedTweet.objects.values_list("tweet_id", "open_reports"))
    assert queue == {both.id: 1, theirs.id: 0}
    assert queue[both.id] == both.reports.filter(status="open").count()


def test_superuser_can_delete_a_reported_author(superuser_client, author, follower, make_tweet):
    """Reports on their tweets, read-only in the admin, do not block deleting the author."""
    tweet = make_tweet(author)
    report_create(reporter=follower.user, tweet_id=tweet.id, reason="spam")

    response = superuser_client.post(f"{USERS}{author.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Tweet.objects.exists()


def test_deleting_a_user_removes_their_image_files(
    superuser_client, author, make_media, make_tweet, django_capture_on_commit_callbacks
):
    """Images of the user's tweets and images they never attached go once the deletion commits."""
    attached, loose = make_media(author), make_media(author)
    make_tweet(author, media=[attached])
    names = [name for media in (attached, loose) for name in (media.file.name, media.thumbnail.name)]
    assert all(default_storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(f"{USERS}{author.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Media.objects.exists()
    assert not any(default_storage.exists(name) for name in names)

from django.core.files.storage import default_storage

from api.testing import assert_error, db_snapshot
from media.models import Media
from tweets.models import Like, Tweet


def test_author_can_delete_their_tweet(author, make_tweet):
    """DELETE /api/tweets/<id> by the author answers result true and removes the tweet."""
    tweet = make_tweet(author)

    response = author.client().delete(f"/api/tweets/{tweet.id}")

    assert response.status_code == 200
    assert response.json() == {"result": True}
    assert not Tweet.objects.exists()


def test_deleting_a_tweet_removes_its_likes_media_and_files(
    author, follower, outsider, make_media, make_tweet, django_capture_on_commit_callbacks
):
    """Likes, media rows and stored files go with the tweet; other tweets keep theirs."""
    doomed_media = [make_media(author), make_media(author)]
    kept_media = make_media(author)
    doomed = make_tweet(author, "bye", media=doomed_media, likers=[follower, outsider])
    kept = make_tweet(author, "stay", media=[kept_media], likers=[follower])
    doomed_files = [name for m in doomed_media for name in (m.file.name, m.thumbnail.name)]
    assert all(default_storage.exists(name) for name in doomed_files)

    with django_capture_on_commit_callbacks(execute=True):
        response = author.client().delete(f"/api/tweets/{doomed.id}")

    assert response.status_code == 200
    assert list(Tweet.objects.values_list("id", flat=True)) == [kept.id]
    assert list(Like.objects.values_list("tweet_id", flat=True)) == [kept.id]
    assert list(Media.objects.values_list("id", flat=True)) == [kept_media.id]
    assert not any(default_storage.exists(name) for name in doomed_files)
    assert default_storage.exists(kept_media.file.name)
    assert default_storage.exists(kept_media.thumbnail.name)


def test_files_are_kept_until_the_deletion_commits(author, make_media, make_tweet):
    """Stored files are deleted only on commit, so a rolled back deletion loses no image."""
    media = make_media(author)
    tweet = make_tweet(author, media=[media])

    # Without the on-commit callbacks running, the test transaction never commits.
    author.client().delete(f"/api/tweets/{tweet.id}")

    assert default_storage.exists(media.file.name)


def test_outsider_cannot_delete_tweet(author, outsider, make_tweet):
    """Someone else's tweet: 403 envelope, and the tweet stays."""
    tweet = make_tweet(author, likers=[outsider])
    before = db_snapshot()

    assert_error(outsider.client().delete(f"/api/tweets/{tweet.id}"), 403, "permission_denied")

    assert db_snapshot() == before


def test_follower_cannot_delete_the_authors_tweet(author, follower, make_tweet):
    """Following the author grants no right to delete their tweets."""
    tweet = make_tweet(author)

    assert_error(follower.client().delete(f"/api/tweets/{tweet.id}"), 403, "permission_denied")
    assert Tweet.objects.filter(pk=tweet.pk).exists()


def test_deleting_an_unknown_tweet_is_not_found(author):
    """An id that names no tweet is a 404 envelope."""
    assert_error(author.client().delete("/api/tweets/999999"), 404, "not_found")


def test_deleting_a_deleted_tweet_is_not_found(author, make_tweet):
    """The second DELETE of the same tweet is a 404."""
    tweet = make_tweet(author)
    author.client().delete(f"/api/tweets/{tweet.id}")

    assert_error(author.client().delete(f"/api/tweets/{tweet.id}"), 404, "not_found")

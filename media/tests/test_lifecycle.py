import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from media.management.commands.prune_media import parse_duration
from media.models import Media
from media.services import media_create, media_prune
from media.tests.factories import file_names, image_file, stored_files, upload
from tweets.models import Attachment, Tweet
from tweets.selectors import tweet_image_urls
from tweets.services import tweet_create, tweet_delete


def uploaded(user, **kwargs) -> Media:
    return media_create(uploader=user, upload=upload(image_file("PNG", **kwargs)))


def files_of(*media: Media) -> list[str]:
    return sorted(name for item in media for name in file_names(item))


def test_deleting_a_tweet_deletes_its_images_and_thumbnails_after_commit(
    author, media_root, django_capture_on_commit_callbacks
):
    """DELETE /api/tweets/<id> removes the rows, then every stored file of its media."""
    first, second, other = uploaded(author.user), uploaded(author.user), uploaded(author.user)
    tweet = tweet_create(author=author.user, content="two pictures", media_ids=[first.pk, second.pk])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = author.client().delete(f"/api/tweets/{tweet.pk}")
        # Nothing is deleted from storage while the transaction could still roll back.
        assert stored_files(media_root) == files_of(first, second, other)

    assert response.status_code == 200
    assert len(callbacks) == 1
    assert not Media.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert stored_files(media_root) == files_of(other)


def test_a_rolled_back_tweet_deletion_leaves_rows_and_files(
    author, media_root, django_capture_on_commit_callbacks
):
    """When the deleting transaction fails, the tweet, its media rows and their files all stay."""
    media = uploaded(author.user)
    tweet = tweet_create(author=author.user, content="", media_ids=[media.pk])

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tweet_delete(user=author.user, tweet_id=tweet.pk)
        raise RuntimeError("something after the delete failed")

    assert callbacks == []
    assert Tweet.objects.filter(pk=tweet.pk).exists()
    assert Attachment.objects.filter(media=media, tweet=tweet).exists()
    assert stored_files(media_root) == files_of(media)


def test_refused_deletion_keeps_the_files(author, outsider, media_root, django_capture_on_commit_callbacks):
    """Someone else's DELETE is a 403 and touches no file."""
    media = uploaded(author.user)
    tweet = tweet_create(author=author.user, content="mine", media_ids=[media.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = outsider.client().delete(f"/api/tweets/{tweet.pk}")

    assert response.status_code == 403
    assert stored_files(media_root) == files_of(media)


def test_feed_lists_thumbnails_parallel_to_attachments(author, follower):
    """Each Tweet carries `thumbnails`, one per attachment, in the same order."""
    first, second = uploaded(author.user, size=(900, 300)), uploaded(author.user)
    tweet_create(author=author.user, content="pics", media_ids=[second.pk, first.pk])

    (tweet,) = follower.client().get("/api/tweets").json()["tweets"]

    assert tweet["attachments"] == [second.file.url, first.file.url]
    assert tweet["thumbnails"] == [second.thumbnail.url, first.thumbnail.url]
    assert all(url.startswith("/media/") for url in tweet["attachments"] + tweet["thumbnails"])


def test_image_urls_of_many_tweets_take_one_query(author, django_assert_num_queries):
    """tweet_image_urls costs one query whatever the number of tweets and images."""
    tweets = [
        tweet_create(
            author=author.user, content=str(i), media_ids=[uploaded(author.user).pk for _ in range(2)]
        )
        for i in range(3)
    ]

    # 1: the attachments of all the tweets with their media, ordered by tweet and position.
    with django_assert_num_queries(1):
        attachments, thumbnails, alts = tweet_image_urls(tweet_ids=[tweet.pk for tweet in tweets])

    assert [len(attachments[tweet.pk]) for tweet in tweets] == [2, 2, 2]
    assert [len(thumbnails[tweet.pk]) for tweet in tweets] == [2, 2, 2]
    assert [alts[tweet.pk] for tweet in tweets] == [[None, None]] * 3


def _age(media: Media, hours: float) -> None:
    Media.objects.filter(pk=media.pk).update(created_at=timezone.now() - timedelta(hours=hours))


def test_prune_media_deletes_only_old_unattached_media(
    author, media_root, django_capture_on_commit_callbacks
):
    """Old unclaimed uploads go (rows, files, thumbnails); recent ones and attached ones stay."""
    old_orphan, recent_orphan, old_attached = (
        uploaded(author.user),
        uploaded(author.user),
        uploaded(author.user),
    )
    tweet_create(author=author.user, content="kept", media_ids=[old_attached.pk])
    _age(old_orphan, 25)
    _age(recent_orphan, 23)
    _age(old_attached, 100)
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_media", "--older-than", "24h", stdout=out)

    assert set(Media.objects.values_list("pk", flat=True)) == {recent_orphan.pk, old_attached.pk}
    assert stored_files(media_root) == files_of(recent_orphan, old_attached)
    assert f"Deleted media {old_orphan.pk} " in out.getvalue()
    assert file_names(old_orphan)[1] in out.getvalue()
    assert "Deleted 1 unattached media older than 24h." in out.getvalue()


def test_prune_media_dry_run_lists_and_deletes_nothing(
    author, media_root, django_capture_on_commit_callbacks
):
    """--dry-run prints what would go and leaves rows and files alone."""
    orphan = uploaded(author.user)
    _age(orphan, 24 * 8)
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_media", "--older-than", "7d", "--dry-run", stdout=out)

    assert Media.objects.filter(pk=orphan.pk).exists()
    assert stored_files(media_root) == files_of(orphan)
    assert f"Would delete media {orphan.pk} " in out.getvalue()
    assert "Would delete 1 unattached media older than 7d." in out.getvalue()


def test_prune_media_works_through_several_batches(author, media_root, django_capture_on_commit_callbacks):
    """More stale media than one batch are all deleted."""
    orphans = [uploaded(author.user) for _ in range(5)]
    for orphan in orphans:
        _age(orphan, 2)

    with django_capture_on_commit_callbacks(execute=True):
        pruned = media_prune(older_than=timedelta(hours=1), batch_size=2)

    assert sorted(row["pk"] for row in pruned) == sorted(orphan.pk for orphan in orphans)
    assert not Media.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
    ],
)
def test_prune_media_durations_parse(text, expected):
    """Durations are a number and one unit of s, m, h, d, w."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["24", "h", "1.5h", "-3d", "3 days"])
def test_prune_media_refuses_malformed_durations(text, db):
    """A malformed --older-than stops the command with a message instead of guessing."""
    with pytest.raises(CommandError, match="not a duration"):
        call_command("prune_media", f"--older-than={text}")

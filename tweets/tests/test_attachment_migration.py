"""Existing attachments move from media (media.tweet, media.position) to tweets.Attachment."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("media", "0005_thumbnail_required"), ("tweets", "0005_likers_index_without_include")]
AFTER = [("media", "0007_media_without_tweet"), ("tweets", "0007_attachments_from_media")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_tweets_images_become_its_attachments_in_order_and_the_rest_stay_unclaimed():
    """Attached media keep their tweet and order (and count as claimed); unattached ones stay prunable."""
    old = _migrate(BEFORE)
    User, Tweet, Media = (
        old.get_model(*name) for name in (("accounts", "User"), ("tweets", "Tweet"), ("media", "Media"))
    )
    author = User.objects.create(username="old", name="Old Timer")
    tweet = Tweet.objects.create(author=author, content="two pictures")
    image = {"uploader": author, "content_type": "image/png", "width": 1, "height": 1, "size": 1}
    second = Media.objects.create(file="a.png", thumbnail="a_t.png", tweet=tweet, position=1, **image)
    first = Media.objects.create(file="b.png", thumbnail="b_t.png", tweet=tweet, position=0, **image)
    loose = Media.objects.create(file="c.png", thumbnail="c_t.png", **image)
    try:
        new = _migrate(AFTER)
        Attachment, Media = new.get_model("tweets", "Attachment"), new.get_model("media", "Media")

        assert list(
            Attachment.objects.order_by("position").values_list("tweet_id", "media_id", "position")
        ) == [
            (tweet.pk, first.pk, 0),
            (tweet.pk, second.pk, 1),
        ]
        claimed = dict(Media.objects.values_list("pk", "claimed_at"))
        assert claimed[first.pk] is not None and claimed[second.pk] is not None
        assert claimed[loose.pk] is None
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

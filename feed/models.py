from django.conf import settings
from django.db import models


class FeedSnapshot(models.Model):
    """The ranked tweet ids a cursor's first page fixed (feed/cursors.py); lives FEED_CURSOR_TTL.

    In the database rather than the cache so that cursor pages work without Redis, and capped per
    user (FEED_CURSOR_SNAPSHOTS_PER_USER) so that starting cursors in a loop cannot fill a disk.
    """

    # No index of its own: feed_snapshot_user_idx starts with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    tweet_ids = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-id"], name="feed_snapshot_user_idx")]

    def __str__(self) -> str:
        return f"snapshot {self.pk} of {self.user_id}"

from django.conf import settings
from django.db import models
from django.db.models import Q


class Media(models.Model):
    """An uploaded image. Unattached until a tweet of its uploader claims it."""

    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media")
    tweet = models.ForeignKey(
        # Indexed by media_tweet_idx (tweet first).
        "tweets.Tweet",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="media",
        db_index=False,
    )
    # Order of the attachment within its tweet, as the author listed the ids.
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(max_length=255)
    # At most MEDIA_THUMBNAIL_SIDE px per side, same format as `file`. Media uploaded before
    # thumbnails existed name their `file` here (migration 0004), so every reader reads this alone.
    thumbnail = models.FileField(max_length=255)
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Stored size in bytes (of the re-encoded file).")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name_plural = "media"
        constraints = [
            models.CheckConstraint(condition=~Q(thumbnail=""), name="media_thumbnail_not_blank"),
            models.UniqueConstraint(
                fields=["tweet", "position"], condition=Q(tweet__isnull=False), name="media_position_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["tweet", "position"], name="media_tweet_idx"),
            # prune_media: old media that no tweet claimed.
            models.Index(fields=["created_at"], condition=Q(tweet__isnull=True), name="media_unattached_idx"),
        ]

    def __str__(self) -> str:
        return self.file.name or ""

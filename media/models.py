from django.conf import settings
from django.db import models
from django.db.models import Q

# An image's alt text (what it shows, for people who cannot see it), at most this many characters:
# given on upload (Media.alt) or when the image is attached to a post (tweets.Attachment.alt).
ALT_MAX_LENGTH = 1000


class Media(models.Model):
    """An uploaded image, stored and processed here. Unclaimed until its uploader uses it (a tweet's
    attachment: tweets.models.Attachment); unclaimed media are pruned after a while."""

    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media")
    # Set once, by media_claim: the image is in use and no longer the prune's to delete.
    claimed_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(max_length=255)
    # At most MEDIA_THUMBNAIL_SIDE px per side, same format as `file`. Media uploaded before
    # thumbnails existed name their `file` here (migration 0004), so every reader reads this alone.
    thumbnail = models.FileField(max_length=255)
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Stored size in bytes (of the re-encoded file).")
    # The uploader's alt text, given with the file (POST /api/medias `alt`); empty: none. Copied to
    # the attachment when a post claims the image, unless the post gives one of its own.
    alt = models.CharField(max_length=ALT_MAX_LENGTH, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name_plural = "media"
        constraints = [
            models.CheckConstraint(condition=~Q(thumbnail=""), name="media_thumbnail_not_blank"),
        ]
        indexes = [
            # prune_media: old media that nothing claimed.
            models.Index(
                fields=["created_at"], condition=Q(claimed_at__isnull=True), name="media_unclaimed_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.file.name or ""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from api.exceptions import PayloadTooLarge
from media.images import image_process
from media.models import Media
from ops import metrics

logger = logging.getLogger("chirp.media")


def media_create(*, uploader, upload) -> Media:
    """Store a re-encoded copy of an uploaded image and its thumbnail under unguessable names.

    The uploaded bytes themselves are never stored: see media.images for what is kept.
    """
    if upload.size > settings.MEDIA_MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"The file is larger than {settings.MEDIA_MAX_UPLOAD_BYTES} bytes.")
    processed = image_process(upload)
    stem = uuid.uuid4().hex
    stored: list[str] = []
    try:
        for suffix, encoded in (("", processed.image), ("_thumb", processed.thumbnail)):
            # Two-character directories keep any one directory of a local store small.
            name = f"{stem[:2]}/{stem}{suffix}.{processed.extension}"
            stored.append(default_storage.save(name, ContentFile(encoded.data)))
        media = Media.objects.create(
            uploader=uploader,
            file=stored[0],
            thumbnail=stored[1],
            content_type=processed.content_type,
            width=processed.image.width,
            height=processed.image.height,
            size=len(processed.image.data),
        )
    except Exception:
        # No row, no file: whatever was written before the failure goes.
        for name in stored:
            default_storage.delete(name)
        raise
    metrics.inc_on_commit(metrics.UPLOADS)
    metrics.inc_on_commit(metrics.UPLOAD_BYTES, upload.size)
    return media


def media_attach(*, tweet, uploader, media_ids: list[int]) -> None:
    """Attach the uploader's unattached media to a tweet, in the given order, or fail whole.

    One conditional UPDATE, so two tweets racing for the same media cannot both claim it.
    """
    if not media_ids:
        return
    positions = Case(
        *[When(pk=media_id, then=Value(index)) for index, media_id in enumerate(media_ids)],
        output_field=IntegerField(),
    )
    claimed = Media.objects.filter(pk__in=media_ids, uploader=uploader, tweet__isnull=True).update(
        tweet=tweet, position=positions
    )
    if claimed != len(media_ids):
        raise ValidationError(
            {"tweet_media_ids": ["Unknown media, media of another user, or media already attached."]}
        )


def media_files_delete_on_commit(*, names: list[str]) -> None:
    """Delete stored files once the surrounding transaction has committed (never before)."""

    def delete() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except Exception:
                # The row is gone; a file left behind is only wasted space, not a dangling link.
                logger.exception("Could not delete media file %s", name)

    transaction.on_commit(delete)


@transaction.atomic
def media_delete(*, media: Media) -> None:
    """Delete a media row and, once that has committed, its image and thumbnail files."""
    names = [name for name in (media.file.name, media.thumbnail.name) if name]
    media.delete()
    media_files_delete_on_commit(names=names)


def media_prune(*, older_than: timedelta, dry_run: bool = False, batch_size: int = 500) -> list[dict]:
    """Delete media that no tweet claimed within `older_than`: rows now, files after commit.

    Returns what was deleted (or would be, with dry_run): id, file names, created_at. Rows are
    locked while they are deleted, so a tweet attaching one of them at that moment fails cleanly
    instead of pointing at a deleted file.
    """
    cutoff = timezone.now() - older_than
    stale = Media.objects.filter(tweet__isnull=True, created_at__lt=cutoff).order_by("pk")
    fields = ("pk", "file", "thumbnail", "created_at")
    if dry_run:
        return list(stale.values(*fields))
    pruned: list[dict] = []
    while True:
        with transaction.atomic():
            rows = list(stale.select_for_update().values(*fields)[:batch_size])
            if not rows:
                return pruned
            Media.objects.filter(pk__in=[row["pk"] for row in rows]).delete()
            media_files_delete_on_commit(
                names=[name for row in rows for name in (row["file"], row["thumbnail"]) if name]
            )
        pruned.extend(rows)

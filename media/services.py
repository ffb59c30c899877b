import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from PIL import Image, UnidentifiedImageError
from rest_framework.exceptions import UnsupportedMediaType, ValidationError

from api.exceptions import PayloadTooLarge
from media.models import Media
from ops import metrics

logger = logging.getLogger("chirp.media")

# Formats Pillow detects from the content, and what we store them as.
ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def media_create(*, uploader, upload) -> Media:
    """Validate an uploaded file as an image and store it under an unguessable name."""
    if upload.size > settings.MEDIA_MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"The file is larger than {settings.MEDIA_MAX_UPLOAD_BYTES} bytes.")
    if upload.size == 0:
        raise ValidationError({"file": ["The file is empty."]})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format, width, height = image.format, image.width, image.height
            if image_format not in ALLOWED_FORMATS:
                raise UnsupportedMediaType(
                    image_format or "unknown", detail=f"Images of type {image_format} are not accepted."
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError({"file": ["The file is not a valid image."]}) from exc

    upload.seek(0)
    name = f"{uuid.uuid4().hex}.{EXTENSIONS[image_format]}"
    stored = default_storage.save(f"{name[:2]}/{name}", ContentFile(upload.read()))
    try:
        media = Media.objects.create(
            uploader=uploader,
            file=stored,
            content_type=ALLOWED_FORMATS[image_format],
            width=width,
            height=height,
            size=upload.size,
        )
    except Exception:
        default_storage.delete(stored)
        raise
    metrics.inc_on_commit(metrics.UPLOADS)
    metrics.inc_on_commit(metrics.UPLOAD_BYTES, media.size)
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

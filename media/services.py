import logging
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.avatars import avatar_file_name
from accounts.models import AVATAR_SIDES, User
from accounts.services import avatar_store
from common.errors import Invalid, StorageUnavailable, TooLarge
from common.text import bidi_controls_balance, text_check
from media.images import avatar_process, image_process
from media.models import ALT_MAX_LENGTH, Media
from ops import metrics

logger = logging.getLogger("chirp.media")


def alt_text_clean(alt: str, *, field: str) -> str:
    """An image's alt text as it is stored: without unpaired bidirectional controls or surrounding
    spaces; Invalid over ALT_MAX_LENGTH characters or with a NUL. The one rule for alt texts,
    given on upload (media_create) or with a post (tweets.services.tweet_create)."""
    alt = bidi_controls_balance(alt).strip()
    if len(alt) > ALT_MAX_LENGTH:
        raise Invalid.on_field(
            field,
            f"An image's alt text can have at most {ALT_MAX_LENGTH} characters.",
            code="tweet_alt_too_long",
        )
    text_check(field=field, text=alt)
    return alt


def media_create(*, uploader, upload, alt: str = "") -> Media:
    """Store a re-encoded copy of an uploaded image and its thumbnail under unguessable names,
    with the uploader's alt text for it (empty: none).

    The uploaded bytes themselves are never stored: see media.images for what is kept. A storage
    that refuses a write (disk full, object store down) is StorageUnavailable, and every file the
    upload started, a partly written one included, is deleted again.
    """
    if upload.size > settings.MEDIA_MAX_UPLOAD_BYTES:
        raise TooLarge(f"The file is larger than {settings.MEDIA_MAX_UPLOAD_BYTES} bytes.")
    # Before the image is processed and stored: a refused text costs neither.
    alt = alt_text_clean(alt, field="alt")
    processed = image_process(upload)
    stem = uuid.uuid4().hex
    started: list[str] = []
    stored: list[str] = []
    try:
        for suffix, encoded in (("", processed.image), ("_thumb", processed.thumbnail)):
            # Two-character directories keep any one directory of a local store small.
            name = default_storage.get_available_name(f"{stem[:2]}/{stem}{suffix}.{processed.extension}")
            # Listed before the write: a write that fails halfway leaves a partial file to delete.
            started.append(name)
            stored.append(default_storage.save(name, ContentFile(encoded.data)))
    except Exception as exc:
        _delete_files(names=started)
        logger.warning("Media storage refused an upload: %s: %s", type(exc).__name__, exc)
        raise StorageUnavailable() from exc
    try:
        media = Media.objects.create(
            uploader=uploader,
            file=stored[0],
            thumbnail=stored[1],
            content_type=processed.content_type,
            width=processed.image.width,
            height=processed.image.height,
            size=len(processed.image.data),
            alt=alt,
        )
    except Exception:
        # No row, no file.
        _delete_files(names=started)
        raise
    metrics.inc_on_commit(metrics.UPLOADS)
    metrics.inc_on_commit(metrics.UPLOAD_BYTES, upload.size)
    return media


def _delete_files(*, names: list[str]) -> None:
    """Delete stored files, logging rather than raising: a file left behind is only wasted space.

    prune_media sweeps whatever could not be deleted here (files that no row names).
    """
    for name in names:
        try:
            default_storage.delete(name)
        except Exception as exc:
            logger.warning("Could not delete media file %s: %s: %s", name, type(exc).__name__, exc)


def media_claim(*, uploader, media_ids: list[int]) -> int:
    """Claim the uploader's unclaimed media for a use (a tweet's attachments); returns how many it
    could claim, so the caller can refuse a list that was not all theirs and free.

    One conditional UPDATE, so two uses racing for the same media cannot both claim it.
    """
    if not media_ids:
        return 0
    return Media.objects.filter(pk__in=media_ids, uploader=uploader, claimed_at__isnull=True).update(
        claimed_at=timezone.now()
    )


def media_files_delete_on_commit(*, names: list[str]) -> None:
    """Delete stored files once the surrounding transaction has committed (never before)."""

    transaction.on_commit(lambda: _delete_files(names=names))


@transaction.atomic
def media_delete(*, media: Media) -> None:
    """Delete a media row and, once that has committed, its image and thumbnail files."""
    media_delete_many(media_ids=[media.pk])


def media_delete_many(*, media_ids: list[int]) -> None:
    """Delete these media rows and, once that has committed, their image and thumbnail files."""
    if not media_ids:
        return
    # Part of the caller's transaction when there is one (a tweet's deletion): no savepoint.
    with transaction.atomic(savepoint=False):
        rows = Media.objects.filter(pk__in=media_ids)
        names = sorted({name for row in rows.values_list("file", "thumbnail") for name in row if name})
        rows.delete()
        media_files_delete_on_commit(names=names)


def media_prune(*, older_than: timedelta, dry_run: bool = False, batch_size: int = 500) -> list[dict]:
    """Delete media that nothing claimed within `older_than`: rows now, files after commit.

    Returns what was deleted (or would be, with dry_run): id, file names, created_at. Rows are
    locked while they are deleted, so a tweet attaching one of them at that moment fails cleanly
    instead of pointing at a deleted file.
    """
    cutoff = timezone.now() - older_than
    stale = Media.objects.filter(claimed_at__isnull=True, created_at__lt=cutoff).order_by("pk")
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
                names=sorted({name for row in rows for name in (row["file"], row["thumbnail"])})
            )
        pruned.extend(rows)


# An upload writes its files before its row exists: a file younger than this is never swept,
# whatever age prune_media is given, so an upload in progress keeps its files.
ORPHAN_MIN_AGE = timedelta(minutes=10)


def _stored_names(path: str = "") -> Iterator[str]:
    """Every file name in the default storage (local or S3), walking its directories."""
    try:
        directories, files = default_storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{path}{name}"
    for directory in directories:
        yield from _stored_names(f"{path}{directory}/")


def media_orphan_files_sweep(
    *, older_than: timedelta, dry_run: bool = False, batch_size: int = 500
) -> list[str]:
    """Delete stored files that no Media row names and that are older than `older_than`.

    They come from uploads that failed after writing (a crash, a storage error whose cleanup
    failed too) and from deletions whose file removal failed. Returns the names deleted (or that
    would be, with dry_run).
    """
    cutoff = timezone.now() - max(older_than, ORPHAN_MIN_AGE)
    names = _stored_names()
    swept: list[str] = []
    while batch := [name for _, name in zip(range(batch_size), names, strict=False)]:
        named: set[str] = set()
        for file, thumbnail in Media.objects.filter(Q(file__in=batch) | Q(thumbnail__in=batch)).values_list(
            "file", "thumbnail"
        ):
            named.update((file, thumbnail))
        named.update(_avatar_files_named(batch))
        for name in batch:
            if name in named:
                continue
            try:
                modified = default_storage.get_modified_time(name)
            except Exception:
                # Gone since it was listed (a tweet's files deleted meanwhile): nothing to sweep.
                continue
            if modified >= cutoff:
                continue
            if not dry_run:
                default_storage.delete(name)
            swept.append(name)
    return swept


_AVATAR_FILE = re.compile(r"^(avatars/.+)-\d+(\.\w+)$")


def _avatar_files_named(names: list[str]) -> set[str]:
    """The avatar files among `names` that a user's avatar still names."""
    bases = {name: match[1] + match[2] for name in names if (match := _AVATAR_FILE.match(name))}
    if not bases:
        return set()
    kept = set(User.objects.filter(avatar__in=set(bases.values())).values_list("avatar", flat=True))
    return {name for name, base in bases.items() if base in kept}


def _avatar_names(avatar: str) -> list[str]:
    return [avatar_file_name(avatar, side) for side in AVATAR_SIDES] if avatar else []


def avatar_set(*, user, upload) -> None:
    """Make an uploaded image the user's avatar: validated and re-encoded by the media pipeline,
    cropped to a centred square, stored in AVATAR_SIDES sizes under unguessable names. The
    previous photo's files are deleted once the change has committed; a refused upload changes
    nothing (Invalid or UnsupportedType on "file", TooLarge, StorageUnavailable)."""
    if upload.size > settings.MEDIA_MAX_UPLOAD_BYTES:
        raise TooLarge(f"The file is larger than {settings.MEDIA_MAX_UPLOAD_BYTES} bytes.")
    _content_type, extension, sizes = avatar_process(upload, sides=AVATAR_SIDES)
    stem = uuid.uuid4().hex
    avatar = f"avatars/{stem[:2]}/{stem}.{extension}"
    started: list[str] = []
    try:
        for side, encoded in sizes.items():
            name = avatar_file_name(avatar, side)
            started.append(name)
            default_storage.save(name, ContentFile(encoded.data))
    except Exception as exc:
        _delete_files(names=started)
        logger.warning("Media storage refused an avatar: %s: %s", type(exc).__name__, exc)
        raise StorageUnavailable() from exc
    try:
        with transaction.atomic():
            previous = avatar_store(user=user, avatar=avatar)
            media_files_delete_on_commit(names=_avatar_names(previous))
    except Exception:
        # No row names them: the files go.
        _delete_files(names=started)
        raise


@transaction.atomic
def avatar_remove(*, user) -> None:
    """Back to the generated initials image; the photo's files are deleted after the commit."""
    media_files_delete_on_commit(names=_avatar_names(avatar_store(user=user, avatar="")))

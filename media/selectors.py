from collections import defaultdict

from django.core.files.storage import default_storage

from media.models import Media


def tweet_image_urls(*, tweet_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Each tweet's attachment URLs and, in the same order, its thumbnail URLs; one query."""
    attachments: dict[int, list[str]] = defaultdict(list)
    thumbnails: dict[int, list[str]] = defaultdict(list)
    if not tweet_ids:
        return attachments, thumbnails
    rows = (
        Media.objects.filter(tweet_id__in=tweet_ids)
        .order_by("tweet_id", "position")
        .values_list("tweet_id", "file", "thumbnail")
    )
    for tweet_id, name, thumbnail in rows:
        attachments[tweet_id].append(default_storage.url(name))
        thumbnails[tweet_id].append(default_storage.url(thumbnail))
    return attachments, thumbnails


def media_urls(*, media: Media) -> dict:
    """The extra fields of an upload response: where the image and its thumbnail load from."""
    return {
        "url": default_storage.url(media.file.name),
        "thumbnail_url": default_storage.url(media.thumbnail.name),
        "width": media.width,
        "height": media.height,
    }


def storage_urls(names: list[str]) -> list[str]:
    """URLs of stored files, for attachment names read along with their tweets."""
    return [default_storage.url(name) for name in names]


def files_of_tweet(*, tweet_id: int) -> list[str]:
    """Names of every stored file of a tweet's media, thumbnails included."""
    rows = Media.objects.filter(tweet_id=tweet_id).values_list("file", "thumbnail")
    # A set: media from before thumbnails name their file twice.
    return sorted({name for row in rows for name in row})


def files_of_uploader(*, user) -> list[str]:
    """Names of every stored file a user uploaded, attached or not, thumbnails included."""
    rows = Media.objects.filter(uploader=user).values_list("file", "thumbnail")
    return sorted({name for row in rows for name in row})

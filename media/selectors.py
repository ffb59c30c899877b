from django.core.files.storage import default_storage

from media.models import Media


def media_urls(*, media: Media) -> dict:
    """The extra fields of an upload response: where the image and its thumbnail load from, its alt text."""
    return {
        "url": default_storage.url(media.file.name),
        "thumbnail_url": default_storage.url(media.thumbnail.name),
        "width": media.width,
        "height": media.height,
        "alt": media.alt,
    }


def storage_urls(names: list[str]) -> list[str]:
    """URLs of stored files whose names the caller read itself (a feed page reads them with its tweets)."""
    return [default_storage.url(name) for name in names]


def files_of_uploader(*, user) -> list[str]:
    """Names of every stored file a user uploaded, attached or not, thumbnails included."""
    rows = Media.objects.filter(uploader=user).values_list("file", "thumbnail")
    return sorted({name for row in rows for name in row})

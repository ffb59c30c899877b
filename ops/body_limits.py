"""How large a request body Chirp reads, per path: the one definition the server and Django apply."""

from django.conf import settings
from django.urls import Resolver404, resolve

# Room for a multipart body's boundaries, part headers and small fields beside its file.
MULTIPART_OVERHEAD = 64 * 1024
# The pages that take uploads (the web client's compose form); under /api/ any multipart body may.
UPLOAD_PAGES = frozenset({"web:compose"})


def request_body_limit(path: str, content_type: str) -> int:
    """The largest body a request to `path` may declare.

    A multipart upload to the API or to a page that takes images carries at most
    MEDIA_MAX_UPLOAD_BYTES of files, as nginx's client_max_body_size says in front; any other body is
    small: API_MAX_JSON_BYTES under /api/, Django's DATA_UPLOAD_MAX_MEMORY_SIZE for a page's form
    (the same number unless a test changes one).
    """
    api = path.startswith("/api/")
    if content_type.startswith("multipart/") and (api or _upload_page(path)):
        return settings.MEDIA_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD
    return settings.API_MAX_JSON_BYTES if api else settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _upload_page(path: str) -> bool:
    try:
        return resolve(path).view_name in UPLOAD_PAGES
    except Resolver404:
        return False

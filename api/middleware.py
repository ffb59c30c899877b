from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.utils.cache import patch_vary_headers

from api.errors import error_response


class ApiCacheHeadersMiddleware:
    """Every /api/ response, errors included, is private to the credentials that asked for it.

    A shared cache in front (a CDN, a corporate proxy) must never serve one user's feed to another:
    `no-store` keeps it out of every cache, and `Vary` names the headers that carry who is asking,
    for caches that ignore `no-store`. Set here once, outside everything that can answer /api/.
    """

    VARY = ("api-key", "Authorization", "Cookie")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/api/"):
            response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, self.VARY)
        return response


class ApiBodySizeLimitMiddleware:
    """Refuse oversize /api/ bodies from their Content-Length, before anything buffers them.

    Multipart uploads may carry one file of MEDIA_MAX_UPLOAD_BYTES plus form overhead; every other
    body is small JSON. Bodies without a Content-Length are bounded later by Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE and the upload size check.
    """

    MULTIPART_OVERHEAD = 64 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            raw = request.META.get("CONTENT_LENGTH") or "0"
            try:
                length = int(raw)
            except ValueError:
                return error_response("validation_error", "Invalid Content-Length header.")
            if length > self.limit_for(request):
                return error_response(
                    "payload_too_large",
                    f"The request body is too large (limit {self.limit_for(request)} bytes).",
                )
        return self.get_response(request)

    def limit_for(self, request) -> int:
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
            return settings.MEDIA_MAX_UPLOAD_BYTES + self.MULTIPART_OVERHEAD
        return settings.API_MAX_JSON_BYTES


class PageMessageMiddleware(MessageMiddleware):
    """Django's flash messages, for pages only: no /api/ response carries them.

    Setting up the message storage (a cookie signer and the session backend) on every API request
    is work on the hot path for messages nothing under /api/ can show.
    """

    def process_request(self, request):
        if not request.path_info.startswith("/api/"):
            super().process_request(request)

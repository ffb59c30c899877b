from django.contrib.messages.middleware import MessageMiddleware
from django.utils.cache import patch_vary_headers


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


class PageMessageMiddleware(MessageMiddleware):
    """Django's flash messages, for pages only: no /api/ response carries them.

    Setting up the message storage (a cookie signer and the session backend) on every API request
    is work on the hot path for messages nothing under /api/ can show.
    """

    def process_request(self, request):
        if not request.path_info.startswith("/api/"):
            super().process_request(request)

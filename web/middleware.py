from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from api.errors import error_response
from common.errors import Invalid, TooLarge
from media.uploadhandlers import UploadSizeLimitHandler
from ops.body_limits import request_body_limit
from scim.views import error_page as scim_error_page
from web.errors import PageError, page_error


@cache
def _image_sources() -> str:
    """Where images may load from: this site, previews of files being chosen, and the media store."""
    sources = ["'self'", "blob:"]
    # With an object store (STORAGE_BACKEND=s3) attachment URLs point at its host, not at Chirp.
    try:
        parts = urlsplit(default_storage.url("probe"))
    except Exception:
        # A store that cannot sign URLs now cannot serve images either; the page still loads.
        return " ".join(sources)
    if parts.scheme and parts.netloc:
        sources.append(f"{parts.scheme}://{parts.netloc}")
    return " ".join(sources)


class BodySizeLimitMiddleware:
    """Refuse an oversize body from its declared Content-Length (413), before anything reads it.

    On every path, before sessions, CSRF or authentication look at the request: an anonymous client
    can neither hold a thread with a slow upload nor fill the disk with a temporary file. A page's
    multipart body that passes is parsed here, through UploadSizeLimitHandler, which stops a file as
    it streams past MEDIA_MAX_UPLOAD_BYTES: a 413 page rather than an error inside the CSRF check.
    A body without a Content-Length (chunked) is never read by Django's WSGI request: it arrives
    empty.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            return self.refuse(request, Invalid(_("Invalid Content-Length header.")))
        content_type = request.META.get("CONTENT_TYPE", "")
        if length and length > (limit := request_body_limit(request.path_info, content_type)):
            message = _("The request body is too large (limit %(limit)s bytes).") % {"limit": limit}
            return self.refuse(request, TooLarge(message))
        if length and content_type.startswith("multipart/") and not request.path_info.startswith("/api/"):
            # The API's upload view installs the handler itself; a page's form is parsed here.
            request.upload_handlers.insert(0, UploadSizeLimitHandler(request))
            try:
                request.POST  # noqa: B018 - parses the body through the handler above
            except TooLarge as exc:
                return self.refuse(request, TooLarge(page_error(exc).message))
        return self.get_response(request)

    @staticmethod
    def refuse(request, error: Invalid | TooLarge):
        """The API's envelope under /api/, SCIM's error object under /scim/, a page elsewhere."""
        if request.path_info.startswith("/api/"):
            error_type = "payload_too_large" if isinstance(error, TooLarge) else "validation_error"
            return error_response(error_type, error.message)
        if request.path_info.startswith("/scim/"):
            return scim_error_page(413 if isinstance(error, TooLarge) else 400, error.message)
        page = PageError(error.message, status=413) if isinstance(error, TooLarge) else page_error(error)
        return render(request, "web/error.html", {"error": page}, status=page.status)


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy on every HTML page of the web client: scripts and styles
    from files on this site only (no inline code), no plugins, no framing, forms post here."""

    # The admin and Swagger UI bring their own pages; the media view sets its own, stricter policy.
    EXEMPT_PREFIXES = ("/admin/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            "Content-Security-Policy" not in response
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path_info.startswith(self.EXEMPT_PREFIXES)
        ):
            response["Content-Security-Policy"] = self.policy()
        return response

    @staticmethod
    def policy() -> str:
        return (
            "default-src 'none'; script-src 'self'; style-src 'self'; "
            f"img-src {_image_sources()}; connect-src 'self'; form-action {_form_targets()}; "
            "base-uri 'none'; frame-ancestors 'none'"
        )


def _form_targets() -> str:
    """Where forms post, redirects after a post included: here, and the OpenID provider, where the
    sign-out form ends up (RP-initiated sign-out)."""
    if not settings.OIDC_ISSUER:
        return "'self'"
    issuer = urlsplit(settings.OIDC_ISSUER)
    return f"'self' {issuer.scheme}://{issuer.netloc}"


class AccountLocaleMiddleware:
    """The language a signed-in person chose in Settings, stored on their account, on every device
    they sign in on. After AuthenticationMiddleware: PageLocaleMiddleware chose from this
    browser's cookie or its Accept-Language before the person was known; the account wins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            user = request.user
            if user.is_authenticated and user.language in dict(settings.LANGUAGES):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class PageLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (the browser's language, or the one chosen under Settings) for the
    pages and the admin; the API keeps English, as its messages are part of the contract."""

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return None
        return super().process_request(request)

    def process_response(self, request, response):
        if request.path_info.startswith("/api/"):
            return response
        return super().process_response(request, response)


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` on whatever a signed-in person is served, so that neither a
    shared proxy nor the browser's disk keeps their pages (the back button after signing out on a
    shared computer). The API sets its own headers; media and static files keep their caching (the
    latter are answered before this runs)."""

    EXEMPT_PREFIXES = ("/api/", "/media/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # A server error carries nothing of the user's, and looking them up again could fail the
        # same way (the database down) and be logged a second time.
        if (
            response.status_code < 500
            and user is not None
            and user.is_authenticated
            and not request.path_info.startswith(self.EXEMPT_PREFIXES)
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response

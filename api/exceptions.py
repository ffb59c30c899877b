"""Turn every exception raised under /api/ into the contract's error envelope."""

import logging
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from api.errors import ERROR_TYPES, error_body, error_response
from common import errors as domain
from common.database import database_unavailable

logger = logging.getLogger("chirp.api")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


# DRF's exception classes, mapped to our vocabulary. Subclasses come before their bases.
_DRF_TYPES: list[tuple[type[exceptions.APIException], str]] = [
    (PayloadTooLarge, "payload_too_large"),
    (exceptions.ParseError, "parse_error"),
    (exceptions.ValidationError, "validation_error"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.NotAuthenticated, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]


# Chirp's domain errors (common/errors.py), mapped to our vocabulary. Subclasses before their bases.
_DOMAIN_TYPES: list[tuple[type[domain.ChirpError], str]] = [
    (domain.Invalid, "validation_error"),
    (domain.NotFound, "not_found"),
    (domain.NotAllowed, "permission_denied"),
    (domain.InvalidCredentials, "authentication_failed"),
    (domain.Suspended, "account_suspended"),
    (domain.Conflict, "conflict"),
    (domain.TooLarge, "payload_too_large"),
    (domain.UnsupportedType, "unsupported_media_type"),
    (domain.RateLimited, "throttled"),
    (domain.IdempotencyKeyReused, "idempotency_key_reused"),
    (domain.StorageUnavailable, "storage_unavailable"),
    (domain.Unavailable, "service_unavailable"),
]


def domain_error_response(exc: domain.ChirpError, context: dict) -> Response:
    """The envelope of a domain error; the wire format is the one DRF's own errors get."""
    error_type = next(name for cls, name in _DOMAIN_TYPES if isinstance(exc, cls))
    extra = {}
    message = exc.message
    if exc.fields and error_type == "validation_error":
        extra["fields"] = exc.fields
        message = _flatten(exc.fields)
    headers = {}
    if error_type == "authentication_failed" and context.get("view") is not None:
        # Without a challenge a 401 is not a 401 to HTTP clients (DRF makes it a 403).
        headers["WWW-Authenticate"] = context["view"].get_authenticate_header(context["request"])
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return Response(
        error_body(error_type, message, **extra),
        status=ERROR_TYPES[error_type],
        headers={key: value for key, value in headers.items() if value},
    )


def _flatten(detail) -> str:
    """One readable line out of DRF's nested error details."""
    if isinstance(detail, dict):
        parts = []
        for field, value in detail.items():
            text = _flatten(value)
            parts.append(text if field in ("non_field_errors", "detail") else f"{field}: {text}")
        return "; ".join(parts)
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)


_TOO_MANY_PARTS = "The request body has too many fields or files."


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception becomes an envelope, never a bare `detail`."""
    # Imported here: permission classes import this module while rest_framework.views loads.
    from rest_framework.views import set_rollback

    if isinstance(exc, domain.ChirpError):
        set_rollback()
        return domain_error_response(exc, context)
    if database_unavailable(exc):
        set_rollback()
        return _logged_once(domain_error_response(_database_down(exc), context))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if str(exc) else None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        exc = exceptions.ValidationError(_TOO_MANY_PARTS)
    elif isinstance(exc, SuspiciousOperation):
        # Django's own answer to a malformed request (e.g. a broken multipart body) is a 400 too.
        exc = exceptions.ParseError()

    if not isinstance(exc, exceptions.APIException):
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
        set_rollback()
        return Response(
            error_body("server_error", "An unexpected error occurred."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    error_type = next((name for cls, name in _DRF_TYPES if isinstance(exc, cls)), None)
    if error_type is None:
        error_type = "server_error" if exc.status_code >= 500 else "validation_error"
    extra = {}
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        extra["fields"] = exc.detail
    headers = {}
    if auth_header := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = auth_header
    if (wait := getattr(exc, "wait", None)) is not None:
        headers["Retry-After"] = str(int(wait))
    set_rollback()
    return Response(
        error_body(error_type, _flatten(exc.detail), **extra), status=exc.status_code, headers=headers
    )


# Django-level handlers, for errors that happen outside DRF views (unknown URLs, middleware).
@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Every method on an unknown /api/ path: without the exemption a write would meet the CSRF check."""
    return error_response("not_found", "No such endpoint.")


def csrf_failure(request, reason: str = ""):
    """The API's CSRF refusal: the envelope under /api/, Django's own page everywhere else (the web
    client's CSRF_FAILURE_VIEW hands /api/ requests here)."""
    if request.path.startswith("/api/"):
        return error_response("permission_denied", f"CSRF verification failed: {reason}")
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return api_not_found(request)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def _database_down(exc: BaseException) -> domain.Unavailable:
    """Log one line (no traceback: an outage would print one per request) and say what happened."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    logger.warning("Database unavailable: %s: %s", type(exc).__name__, detail)
    return domain.Unavailable("The database is unavailable right now; try again shortly.")


def _logged_once(response):
    # Django logs every 5xx response again (django.request, at ERROR, with the traceback when an
    # exception made it); the line _database_down wrote is the one this request gets.
    response._has_been_logged = True
    return response


def handler500(request):
    exc = sys.exc_info()[1]
    if exc is not None and database_unavailable(exc):
        error = _database_down(exc)
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = error_response("service_unavailable", error.message)
        else:
            response = HttpResponse(
                "Chirp is unavailable for a moment: its database cannot be reached. Try again shortly.\n",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        response["Retry-After"] = str(error.retry_after)
        return _logged_once(response)
    if request.path.startswith("/api/"):
        return error_response("server_error", "An unexpected error occurred.")
    from django.views.defaults import server_error

    return server_error(request)


def handler400(request, exception=None):
    if request.path.startswith("/api/"):
        return error_response("validation_error", "Bad request.")
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler403(request, exception=None):
    if request.path.startswith("/api/"):
        return error_response("permission_denied", "Permission denied.")
    from django.views.defaults import permission_denied

    return permission_denied(request, exception)

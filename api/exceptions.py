"""Turn every exception raised under /api/ into the contract's error envelope."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from api.errors import error_body, error_response

logger = logging.getLogger("chirp.api")


class AccountSuspended(exceptions.PermissionDenied):
    default_code = "account_suspended"
    default_detail = "This account is suspended."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


# DRF's exception classes, mapped to our vocabulary. Subclasses come before their bases.
_DRF_TYPES: list[tuple[type[exceptions.APIException], str]] = [
    (AccountSuspended, "account_suspended"),
    (Conflict, "conflict"),
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


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception becomes an envelope, never a bare `detail`."""
    # Imported here: permission classes import this module while rest_framework.views loads.
    from rest_framework.views import set_rollback

    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if str(exc) else None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()

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
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    return Response(
        error_body(error_type, _flatten(exc.detail), **extra), status=exc.status_code, headers=headers
    )


# Django-level handlers, for errors that happen outside DRF views (unknown URLs, middleware).
def api_not_found(request, *args, **kwargs):
    return error_response("not_found", "No such endpoint.")


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return api_not_found(request)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
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

"""The fixed vocabulary of `error_type` values and the error envelope.

Every error under /api/ is answered with exactly one of these types. The "Errors"
section of docs/api.md lists them; keep the two in step.
"""

from django.http import JsonResponse

ERROR_TYPES: dict[str, int] = {
    "validation_error": 400,  # well-formed request, invalid values
    "parse_error": 400,  # body is not valid JSON / multipart
    "authentication_failed": 401,  # missing, unknown or revoked credentials, deactivated user
    "permission_denied": 403,  # authenticated, but not allowed to do this
    "account_suspended": 403,  # a moderator suspended the account
    "not_found": 404,
    "method_not_allowed": 405,
    "not_acceptable": 406,
    "conflict": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "idempotency_key_reused": 422,  # an Idempotency-Key sent before with a different request
    "throttled": 429,
    "server_error": 500,
    "service_unavailable": 503,  # a service Chirp depends on (the database) is down; see Retry-After
    "storage_unavailable": 503,  # media storage refused a write (disk full, object store down)
}


def error_body(error_type: str, message: str, **extra) -> dict:
    assert error_type in ERROR_TYPES, error_type
    return {"result": False, "error_type": error_type, "error_message": message, **extra}


def error_response(error_type: str, message: str, *, status: int | None = None, **extra) -> JsonResponse:
    """A plain Django response carrying the envelope, for code paths outside DRF."""
    return JsonResponse(error_body(error_type, message, **extra), status=status or ERROR_TYPES[error_type])

"""OpenAPI pieces shared by every endpoint: the envelopes and the `api-key` and Bearer security schemes."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from api.errors import ERROR_TYPES


class ErrorEnvelopeSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=False, help_text="Always false.")
    error_type = serializers.ChoiceField(choices=sorted(ERROR_TYPES))
    error_message = serializers.CharField()


class OkEnvelopeSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True, help_text="Always true.")


_DESCRIPTIONS = {
    400: "Invalid input (`validation_error`, `parse_error`).",
    401: "Missing, unknown or revoked credentials, or a deactivated account (`authentication_failed`).",
    403: "Not allowed (`permission_denied`), or the account is suspended (`account_suspended`).",
    404: "No such object (`not_found`).",
    413: "Body too large (`payload_too_large`).",
    415: "Unsupported content type (`unsupported_media_type`).",
    429: "Too many requests (`throttled`); see `Retry-After`.",
    503: "A service Chirp depends on is down for now (`service_unavailable`: the database; "
    "`storage_unavailable`: media storage); see `Retry-After`.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The error envelope for the given status codes, plus 401/403 that every endpoint has."""
    return {
        code: OpenApiResponse(ErrorEnvelopeSerializer, description=_DESCRIPTIONS[code])
        for code in sorted({401, 403, *codes})
    }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "api-key"}


class BearerJWTScheme(SimpleJWTScheme):
    """`Authorization: Bearer <access token>` from POST /api/auth/token."""

    target_class = "accounts.authentication.JWTAuthentication"
    name = "BearerAuth"


def contract_paths(endpoints, **kwargs):
    """Preprocessing hook: document `/api/tweets`, not `/api/tweets/`, as the contract writes paths.

    The routes accept an optional trailing slash (`/?$`), which drf-spectacular renders as `/`.
    """
    return [
        (path[:-1] if regex.endswith("/?$") and path.endswith("/") else path, regex, method, callback)
        for path, regex, method, callback in endpoints
    ]


def contract_schema(result, generator, request, public):
    """Postprocessing hook: integer ids, and `result` required in every envelope.

    The ids are regex groups, which drf-spectacular types as strings; and it leaves `result` out of
    `required` because the envelope serializers give it a default, though every response carries it.
    """
    for operations in result["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("pattern") == "^[0-9]+$":
                    parameter["schema"] = {"type": "integer"}
    for component in result["components"]["schemas"].values():
        required = component.get("required", [])
        if "result" in component.get("properties", {}) and "result" not in required:
            component["required"] = ["result", *required]
    return result

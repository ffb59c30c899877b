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
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The error envelope for the given status codes, plus 401/403 that every endpoint has."""
    return {
        code: OpenApiResponse(ErrorEnvelopeSerializer, description=_DESCRIPTIONS[code])
        for code in sorted({401, 403, *codes})
    }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "api-key"}


class BearerJWTScheme(SimpleJWTScheme):
    """`Authorization: Bearer <access token>` from POST /api/auth/token."""

    target_class = "api.authentication.JWTAuthentication"
    name = "BearerAuth"


def contract_paths(endpoints, **kwargs):
    """Preprocessing hook: document `/api/tweets`, not also `/api/tweets/`, as the contract writes paths.

    Each route is served with and without a trailing slash (config.urls.api_path).
    """
    paths = {path for path, _, _, _ in endpoints}
    return [
        endpoint for endpoint in endpoints if not (endpoint[0].endswith("/") and endpoint[0][:-1] in paths)
    ]


def contract_schema(result, generator, request, public):
    """Postprocessing hook: `result` required in every envelope.

    drf-spectacular leaves `result` out of `required` because the envelope serializers give it a
    default, though every response carries it.
    """
    for component in result["components"]["schemas"].values():
        required = component.get("required", [])
        if "result" in component.get("properties", {}) and "result" not in required:
            component["required"] = ["result", *required]
    return result

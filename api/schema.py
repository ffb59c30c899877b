"""OpenAPI pieces shared by every endpoint: the envelopes and the `api-key` and Bearer security schemes."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
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
    405: "Method not allowed on this path (`method_not_allowed`).",
    406: "The `Accept` header asks for something other than JSON (`not_acceptable`).",
    413: "Body too large (`payload_too_large`).",
    415: "Unsupported content type (`unsupported_media_type`).",
    422: "The `Idempotency-Key` was used before for a different request (`idempotency_key_reused`).",
    429: "Too many requests (`throttled`); see `Retry-After`.",
    503: (
        "A service Chirp depends on is down for now (`service_unavailable`), or media storage refused "
        "the write (`storage_unavailable`); see `Retry-After`."
    ),
}
# What any operation can answer, whatever it does: a wrong method, an unsatisfiable `Accept`, a body
# over the limit (checked for every method), a rate limit, a dependency down. 415 wherever a body
# is read.
_EVERY_OPERATION = (405, 406, 413, 429, 503)
_WITH_A_BODY = (415,)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The error envelope for the given status codes, plus 401/403 that every endpoint has."""
    return {
        code: OpenApiResponse(ErrorEnvelopeSerializer, description=_DESCRIPTIONS[code])
        for code in sorted({401, 403, *codes})
    }


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    type=OpenApiTypes.STR,
    required=False,
    description=(
        "Extension: any 1 to 255 printable ASCII characters, new for each new request (a UUID). "
        "Sent again with a retry of the same request by the same user within 24 hours, it answers "
        "with the first answer and creates nothing; with a different request it is a 422 "
        "`idempotency_key_reused`. Concurrent duplicates create one object."
    ),
    examples=[OpenApiExample("A UUID", value="5b0a8f4e-3c1d-4d8e-9a57-2f6f1b0c7e21")],
)


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
    """Preprocessing hook: document `/api/tweets`, not also `/api/tweets/`, as the contract writes paths.

    Each route is served with and without a trailing slash (config.urls.api_path).
    """
    paths = {path for path, _, _, _ in endpoints}
    return [
        endpoint for endpoint in endpoints if not (endpoint[0].endswith("/") and endpoint[0][:-1] in paths)
    ]


class StrictSerializerExtension(OpenApiSerializerExtension):
    """A StrictSerializer refuses fields it does not declare: its request schema says so."""

    target_class = "api.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


def contract_schema(result, generator, request, public):
    """Postprocessing hook: the errors every operation can answer, empty query values, and `result`
    required in every envelope.

    drf-spectacular leaves `result` out of `required` because the envelope serializers give it a
    default, though every response carries it.
    """
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for operations in result["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                # DRF reads an empty optional query value (`?page=`) as the parameter left out.
                if parameter["in"] == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            codes = _EVERY_OPERATION + (_WITH_A_BODY if "requestBody" in operation else ())
            for code in codes:
                operation["responses"].setdefault(
                    str(code),
                    {
                        "content": {"application/json": {"schema": envelope}},
                        "description": _DESCRIPTIONS[code],
                    },
                )
            operation["responses"] = dict(sorted(operation["responses"].items()))
    for component in result["components"]["schemas"].values():
        required = component.get("required", [])
        if "result" in component.get("properties", {}) and "result" not in required:
            component["required"] = ["result", *required]
    return result

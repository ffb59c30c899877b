"""SCIM 2.0 endpoints under /scim/v2/, behind `Authorization: Bearer <SCIM_TOKEN>`.

DRF views with SCIM's own media type, authentication and error format: RFC 7644's error object
(`urn:ietf:params:scim:api:messages:2.0:Error` with `status` and `scimType`), never the API's
envelope. Without SCIM_TOKEN every path answers 404: there is no SCIM at all.
"""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from common import errors as domain
from scim import resources
from scim.resources import ERROR, LIST_RESPONSE, ScimError
from scim.services import scim_user_create, scim_user_deactivate, scim_user_update

MEDIA_TYPE = "application/scim+json"
MAX_RESULTS = 200
SCIM_CLIENT = "scim"


class ScimRenderer(JSONRenderer):
    media_type = MEDIA_TYPE


class ScimParser(JSONParser):
    media_type = MEDIA_TYPE


class AnyContentType(BaseContentNegotiation):
    """Answer in SCIM's media type whatever Accept says (directories send */*, json or scim+json);
    a body is read as JSON under either type."""

    def select_parser(self, request, parsers):
        content_type = request.content_type.split(";")[0].strip().lower()
        return next((p for p in parsers if p.media_type == content_type), None)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _token_digest(token: str) -> bytes:
    # Digests of equal length, so that the comparison's time says nothing about the token's length.
    return hashlib.sha256(token.encode()).digest()


class ScimTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        configured = settings.SCIM_TOKEN
        if not configured:
            raise ScimNotEnabled()
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        if not hmac.compare_digest(_token_digest(token.strip()), _token_digest(configured)):
            raise exceptions.AuthenticationFailed("Invalid SCIM bearer token.")
        return (AnonymousUser(), SCIM_CLIENT)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="scim"'


class ScimNotEnabled(exceptions.NotFound):
    default_detail = "SCIM provisioning is not enabled on this server (SCIM_TOKEN is not set)."


class IsScimClient(BasePermission):
    def has_permission(self, request, view) -> bool:
        if request.auth != SCIM_CLIENT:
            raise exceptions.NotAuthenticated("Send the SCIM token as `Authorization: Bearer <token>`.")
        return True


_DRF_STATUS = [
    (exceptions.ParseError, "invalidSyntax"),
    (exceptions.ValidationError, "invalidValue"),
]
_DOMAIN_STATUS: list[tuple[type[domain.ChirpError], int, str | None]] = [
    (domain.Invalid, 400, "invalidValue"),
    (domain.Conflict, 409, "uniqueness"),
    (domain.NotFound, 404, None),
    (domain.NotAllowed, 403, None),
    (domain.TooLarge, 413, None),
]


def error_response(error_status: int, detail: str, scim_type: str | None = None) -> Response:
    body = {"schemas": [ERROR], "status": str(error_status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return Response(body, status=error_status)


def error_page(error_status: int, detail: str) -> JsonResponse:
    """The same error object, for a door outside DRF (the body-size limit refuses before any view)."""
    body = {"schemas": [ERROR], "status": str(error_status), "detail": detail}
    return JsonResponse(body, status=error_status, content_type=MEDIA_TYPE)


def scim_exception_handler(exc, context):
    """Every refusal as SCIM's error object; anything unexpected is left to reach error tracking."""
    if isinstance(exc, ScimError):
        return error_response(exc.status, exc.detail, exc.scim_type)
    if isinstance(exc, domain.ChirpError):
        error_status, scim_type = next((s, t) for cls, s, t in _DOMAIN_STATUS if isinstance(exc, cls))
        return error_response(error_status, exc.message, scim_type)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.APIException):
        scim_type = next((t for cls, t in _DRF_STATUS if isinstance(exc, cls)), None)
        response = error_response(exc.status_code, str(exc.detail), scim_type)
        if exc.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
        return response
    return None


class ScimView(APIView):
    # SCIM is its own protocol (RFC 7644), described by /scim/v2/Schemas, not by Chirp's OpenAPI schema.
    schema = None
    authentication_classes = (ScimTokenAuthentication,)
    permission_classes = (IsScimClient,)
    renderer_classes = (ScimRenderer,)
    parser_classes = (ScimParser, JSONParser)
    content_negotiation_class = AnyContentType
    throttle_classes = ()

    def get_exception_handler(self):
        return scim_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Before anything reads the body: a directory's requests are small JSON documents.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise ScimError(400, "Invalid Content-Length header.", "invalidSyntax") from None
        limit = settings.API_MAX_JSON_BYTES
        if length > limit:
            raise ScimError(413, f"The request body is too large (limit {limit} bytes).")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    def base(self, request) -> str:
        return request.build_absolute_uri("/scim/v2").rstrip("/")

    def body(self, request):
        if request.content_type.split(";")[0].strip().lower() not in (MEDIA_TYPE, "application/json"):
            raise ScimError(415, f"Send the body as {MEDIA_TYPE} or application/json.", "invalidSyntax")
        return request.data

    def user_or_404(self, user_id: str) -> User:
        user = User.objects.filter(pk=int(user_id)).first() if _is_id(user_id) else None
        if user is None:
            raise ScimError(404, f"No user with id '{user_id[:100]}'.")
        return user


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and 0 < int(value) < 2**63


def _conflict_on_race(call):
    """A concurrent create or rename of the same userName loses at the database's unique index."""
    try:
        return call()
    except IntegrityError:
        raise ScimError(409, "Another account has this userName or email address.", "uniqueness") from None


def _positive(raw: str | None, name: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 18:
        raise ScimError(400, f"'{name}' must be an integer.", "invalidValue")
    return int(raw)


class UsersView(ScimView):
    def get(self, request):
        users = User.objects.order_by("pk")
        raw_filter = request.query_params.get("filter")
        if raw_filter is not None:
            field, value = resources.filter_parse(raw_filter)
            if field == "id":
                users = users.filter(pk=int(value)) if _is_id(value) else users.none()
            else:
                users = users.filter(**{f"{field}__iexact": value})
        start = max(1, _positive(request.query_params.get("startIndex"), "startIndex", 1))
        count = min(MAX_RESULTS, max(0, _positive(request.query_params.get("count"), "count", MAX_RESULTS)))
        total = users.count()
        page = list(users[start - 1 : start - 1 + count]) if count else []
        return Response(
            {
                "schemas": [LIST_RESPONSE],
                "totalResults": total,
                "startIndex": start,
                "itemsPerPage": len(page),
                "Resources": [resources.user_resource(user, base=self.base(request)) for user in page],
            }
        )

    def post(self, request):
        state = resources.user_state_from_resource(self.body(request))
        user = _conflict_on_race(lambda: scim_user_create(state=state))
        resource = resources.user_resource(user, base=self.base(request))
        return Response(
            resource, status=status.HTTP_201_CREATED, headers={"Location": resource["meta"]["location"]}
        )


class UserView(ScimView):
    def get(self, request, user_id: str):
        return Response(resources.user_resource(self.user_or_404(user_id), base=self.base(request)))

    def put(self, request, user_id: str):
        user = self.user_or_404(user_id)
        state = resources.user_state_from_resource(self.body(request))
        _conflict_on_race(lambda: scim_user_update(user=user, state=state))
        return Response(resources.user_resource(user, base=self.base(request)))

    def patch(self, request, user_id: str):
        user = self.user_or_404(user_id)
        state = resources.user_state_patched(resources.user_state(user), self.body(request))
        _conflict_on_race(lambda: scim_user_update(user=user, state=state))
        return Response(resources.user_resource(user, base=self.base(request)))

    def delete(self, request, user_id: str):
        scim_user_deactivate(user=self.user_or_404(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceProviderConfigView(ScimView):
    def get(self, request):
        return Response(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                "patch": {"supported": True},
                "bulk": {
                    "supported": False,
                    "maxOperations": 0,
                    "maxPayloadSize": settings.API_MAX_JSON_BYTES,
                },
                "filter": {"supported": True, "maxResults": MAX_RESULTS},
                "changePassword": {"supported": False},
                "sort": {"supported": False},
                "etag": {"supported": False},
                "authenticationSchemes": [
                    {
                        "type": "oauthbearertoken",
                        "name": "Bearer token",
                        "description": "This server's SCIM_TOKEN, as `Authorization: Bearer <token>`.",
                        "primary": True,
                    }
                ],
                "meta": {
                    "resourceType": "ServiceProviderConfig",
                    "location": f"{self.base(request)}/ServiceProviderConfig",
                },
            }
        )


def _attribute(name: str, kind: str = "string", **extra) -> dict:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
        **extra,
    }


SCHEMAS = [
    {
        "id": resources.CORE,
        "name": "User",
        "description": "A Chirp account.",
        "attributes": [
            _attribute("userName", required=True, uniqueness="server"),
            _attribute("name", "complex", subAttributes=[_attribute("formatted")]),
            _attribute("displayName"),
            _attribute("emails", "complex", multiValued=True, subAttributes=[_attribute("value")]),
            _attribute("active", "boolean"),
            _attribute("title"),
            _attribute("password", mutability="writeOnly", returned="never"),
        ],
    },
    {
        "id": resources.ENTERPRISE,
        "name": "EnterpriseUser",
        "description": "Enterprise attributes Chirp keeps.",
        "attributes": [_attribute("department")],
    },
]


class SchemasView(ScimView):
    def get(self, request):
        schema = "urn:ietf:params:scim:schemas:core:2.0:Schema"
        found = [
            {
                "schemas": [schema],
                **item,
                "meta": {"resourceType": "Schema", "location": f"{self.base(request)}/Schemas/{item['id']}"},
            }
            for item in SCHEMAS
        ]
        return Response(
            {
                "schemas": [LIST_RESPONSE],
                "totalResults": len(found),
                "startIndex": 1,
                "itemsPerPage": len(found),
                "Resources": found,
            }
        )


class ResourceTypesView(ScimView):
    def get(self, request):
        user_type = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "schema": resources.CORE,
            "schemaExtensions": [{"schema": resources.ENTERPRISE, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{self.base(request)}/ResourceTypes/User"},
        }
        return Response(
            {
                "schemas": [LIST_RESPONSE],
                "totalResults": 1,
                "startIndex": 1,
                "itemsPerPage": 1,
                "Resources": [user_type],
            }
        )


class NotFoundView(ScimView):
    """Any other path under /scim/: SCIM's 404 (after the token check, like every SCIM path)."""

    def dispatch_not_found(self, request, *args, **kwargs):
        raise ScimError(404, "No such SCIM endpoint.")

    get = post = put = patch = delete = dispatch_not_found

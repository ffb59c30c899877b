"""Optional error tracking: with SENTRY_DSN set, errors go to Sentry (or a self-hosted Sentry or
GlitchTip, which speak the same protocol), without the credentials of the request that failed.

Credentials leave no trace: api keys, bearer tokens, cookies, CSRF tokens and every password or
token field of a body are replaced before an event leaves the process, by sentry-sdk's data
collection rules (no cookies, no local variables, headers by denylist) and again by `scrub_event`
for the request as a whole.
"""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST

FILTERED = "[Filtered]"
# Header, cookie and body field names, compared lower-cased with `-` read as `_`.
SECRET_NAMES = frozenset(
    name.lower().replace("-", "_")
    for name in (
        *DEFAULT_DENYLIST,
        "api-key",
        "x-api-key",
        "authorization",
        "cookie",
        "x-csrftoken",
        "password",
        "current_password",
        "new_password",
        "refresh",
        "access",
        "api_key",
    )
)

# Client addresses are personal data: sentry-sdk's own terms for them when PII is off.
HEADER_TERMS = ("forwarded", "-ip", "remote-", "via")


def _is_secret(name: object) -> bool:
    return isinstance(name, str) and name.lower().replace("-", "_") in SECRET_NAMES


def _scrub(value):
    if isinstance(value, dict):
        return {key: FILTERED if _is_secret(key) else _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """The request section without credentials: headers, cookies and body fields by name."""
    request = event.get("request")
    if isinstance(request, dict):
        if "cookies" in request:
            request["cookies"] = FILTERED
        if isinstance(request.get("headers"), dict):
            request["headers"] = _scrub(request["headers"])
        data = request.get("data")
        if isinstance(data, (dict, list)):
            request["data"] = _scrub(data)
        elif data:
            # A body that is not a parsed form or JSON cannot be scrubbed field by field.
            request["data"] = FILTERED
    return event


def init_error_tracking(*, dsn: str, environment: str, release: str | None = None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration()],
        # No user identity, addresses, cookies or local variables; headers and bodies scrubbed
        # by name below. Errors only, no performance tracing.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "denylist", "terms": [*HEADER_TERMS, *SECRET_NAMES]}},
            "url_query_params": {"mode": "denylist"},
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        traces_sample_rate=None,
        before_send=scrub_event,  # type: ignore[arg-type]  # sentry types events as its TypedDict; they are dicts
    )

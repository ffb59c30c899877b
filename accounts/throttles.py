"""Login throttles: per client address and per account, counted in the shared cache."""

import hashlib
from typing import cast

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _LoginThrottle(SimpleRateThrottle):
    scope: str

    def get_rate(self) -> str:
        # Read at each request (DRF binds the rates at import), so settings overrides apply.
        # djangorestframework-stubs types the rates as numbers; they are strings such as "5/minute".
        return cast(str, api_settings.DEFAULT_THROTTLE_RATES[self.scope])


class LoginAddressThrottle(_LoginThrottle):
    """Attempts from one client address (X-Forwarded-For only as far as NUM_PROXIES allows)."""

    scope = "login_address"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginAccountThrottle(_LoginThrottle):
    """Attempts at one account, from any address: keyed on the submitted username or email."""

    scope = "login_account"

    def get_cache_key(self, request, view) -> str | None:
        data = request.data if isinstance(request.data, dict) else {}
        login = data.get("username") or data.get("email")
        if not isinstance(login, str) or not login.strip():
            return None  # nothing to guess at; the request is refused as invalid anyway
        # Hashed: any characters are safe in a cache key, and the cache holds no login names.
        ident = hashlib.sha256(login.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}

"""The contract's `api-key` header as a DRF authentication class."""

from rest_framework import authentication, exceptions

from accounts.selectors import user_for_api_key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates `api-key: <key>`; unknown, revoked or deactivated: 401."""

    header = "HTTP_API_KEY"

    def authenticate(self, request):
        key = request.META.get(self.header)
        if key is None:
            return None
        user = user_for_api_key(key.strip())
        if user is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked api key.")
        if not user.is_active:
            raise exceptions.AuthenticationFailed("This account is deactivated.")
        return (user, None)

    def authenticate_header(self, request) -> str:
        # Having a challenge makes DRF answer 401 (not 403) to missing credentials.
        return "api-key"

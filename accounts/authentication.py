"""The contract's `api-key` header, and JWT bearer tokens, as DRF authentication classes."""

from rest_framework import authentication, exceptions
from rest_framework_simplejwt import authentication as simplejwt_authentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, Token

from accounts.selectors import user_for_api_key, user_for_token


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


class JWTAuthentication(simplejwt_authentication.JWTAuthentication):
    """`Authorization: Bearer <access token>`, checked against the user's current credentials.

    An access token carries the `cv` (credentials_version) it was minted under; once the password or
    api key changes, or the account is deactivated, the token stops working although not yet expired.
    """

    def get_validated_token(self, raw_token: bytes) -> AccessToken:
        try:
            # simplejwt annotates its encoded-token argument as a Token; it takes the bytes it decodes.
            return AccessToken(raw_token)  # type: ignore[arg-type]
        except TokenError as exc:
            # simplejwt's own error nests a list of per-token-class messages; one line is enough.
            raise exceptions.AuthenticationFailed(f"Invalid access token: {exc}.") from None

    def get_user(self, validated_token: Token):
        user = user_for_token(validated_token)
        if user is None:
            raise exceptions.AuthenticationFailed(
                "This token is no longer valid (deactivated account, or changed password or api key)."
            )
        return user

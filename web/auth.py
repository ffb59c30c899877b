"""Signing in to the web client: the API's credential check, throttles and refusals, as a session."""

from types import SimpleNamespace

from django.utils.translation import gettext as _
from rest_framework.throttling import ScopedRateThrottle

from accounts.selectors import login_fields, user_sign_in
from common.errors import InvalidCredentials, RateLimited


def user_sign_in_check(request, *, login: str, password: str):
    """The user these credentials sign in, or the refusal the API gives for them (the API's and the
    admin's sign-in, accounts.selectors.user_sign_in: one throttle, one suspension refusal)."""
    try:
        return user_sign_in(request=request, password=password, **login_fields(login))
    except InvalidCredentials:
        # The API's message, in the page's language.
        raise InvalidCredentials(_("No active account with these credentials.")) from None


def upload_throttle_check(request, count: int) -> None:
    """Count `count` image uploads against the API's per-user upload throttle (THROTTLE_UPLOADS, the
    same counters); refuse the whole post past it."""
    attempt = SimpleNamespace(user=request.user, META=request.META, headers=request.headers)
    view = SimpleNamespace(throttle_scope="uploads")
    for _upload in range(count):
        throttle = ScopedRateThrottle()
        if not throttle.allow_request(attempt, view):  # type: ignore[arg-type]  # DRF reads only these
            raise RateLimited(retry_after=int(throttle.wait() or 1))

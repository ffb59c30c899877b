"""Signing in to the web client: the API's credential check, throttles and refusals, as a session."""

from types import SimpleNamespace

from django.utils.translation import gettext as _
from rest_framework.throttling import ScopedRateThrottle

from accounts.selectors import user_for_credentials
from accounts.throttling import client_address, login_attempt
from common.errors import InvalidCredentials, RateLimited, Suspended


def user_sign_in_check(request, *, login: str, password: str):
    """The user these credentials sign in, or the refusal the API gives for them.

    The same throttled login as the API's and the admin's (accounts.throttling.login_attempt): one
    set of counters per account and address, whichever door the attempts come through.
    """
    field = "email" if "@" in login else "username"
    user = login_attempt(
        login=login,
        address=client_address(request),
        check=lambda: user_for_credentials(request=request, password=password, **{field: login}),
    )
    if user is None:
        # Deactivated accounts get this message too, as over the API: it reveals nothing.
        raise InvalidCredentials(_("No active account with these credentials."), code="sign_in_refused")
    suspension_check(user)
    return user


def suspension_check(user) -> None:
    """Refuse a suspended user with the message every door gives ("suspended until ...")."""
    if user.is_suspended():
        raise Suspended(user.suspension_notice(), until=user.suspended_until)


def upload_throttle_check(request, count: int) -> None:
    """Count `count` image uploads against the API's per-user upload throttle (THROTTLE_UPLOADS, the
    same counters); refuse the whole post past it."""
    attempt = SimpleNamespace(user=request.user, META=request.META, headers=request.headers)
    view = SimpleNamespace(throttle_scope="uploads")
    for _upload in range(count):
        throttle = ScopedRateThrottle()
        if not throttle.allow_request(attempt, view):  # type: ignore[arg-type]  # DRF reads only these
            raise RateLimited(retry_after=int(throttle.wait() or 1))

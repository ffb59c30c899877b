"""Signing in to the web client: the API's credential check, throttles and refusals, as a session."""

from types import SimpleNamespace

from django.utils.translation import gettext as _
from rest_framework.exceptions import Throttled
from rest_framework.throttling import ScopedRateThrottle

from accounts.selectors import user_for_credentials
from accounts.throttles import LoginAccountThrottle, LoginAddressThrottle
from api.permissions import IsActiveUser
from common.errors import InvalidCredentials


def login_throttle_check(request, login: str) -> None:
    """Count a sign-in attempt against the API's own login throttles (same counters); refuse past them.

    THE single call site of the login throttle for the web door: engineer B's accounts throttling
    function (raising common.errors.RateLimited) replaces the body of this function.
    """
    attempt = SimpleNamespace(META=request.META, headers=request.headers, data={"username": login})
    for throttle in (LoginAddressThrottle(), LoginAccountThrottle()):
        if not throttle.allow_request(attempt, None):
            raise Throttled(wait=throttle.wait())


def user_sign_in_check(request, *, login: str, password: str):
    """The user these credentials sign in, or the refusal the API gives for them."""
    login_throttle_check(request, login)
    field = "email" if "@" in login else "username"
    user = user_for_credentials(request=request, password=password, **{field: login})
    if user is None:
        # Deactivated accounts get this message too, as over the API: it reveals nothing.
        raise InvalidCredentials(_("No active account with these credentials."))
    suspension_check(user)
    return user


def suspension_check(user) -> None:
    """Refuse a suspended user with the API's own rule and message ("suspended until ...")."""
    IsActiveUser().has_permission(SimpleNamespace(user=user), None)


def upload_throttle_check(request, count: int) -> None:
    """Count `count` image uploads against the API's per-user upload throttle (THROTTLE_UPLOADS, the
    same counters); refuse the whole post past it. Goes with the other throttles into accounts'
    throttling function once it exists."""
    attempt = SimpleNamespace(user=request.user, META=request.META, headers=request.headers)
    view = SimpleNamespace(throttle_scope="uploads")
    for _upload in range(count):
        throttle = ScopedRateThrottle()
        if not throttle.allow_request(attempt, view):
            raise Throttled(wait=throttle.wait())

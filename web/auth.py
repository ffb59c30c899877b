"""Signing in to the web client: the API's credential check, throttles and refusals, as a session."""

from django.utils.translation import gettext as _

from accounts.selectors import login_fields, user_sign_in
from common.errors import InvalidCredentials


def user_sign_in_check(request, *, login: str, password: str):
    """The user these credentials sign in, or the refusal the API gives for them (the API's and the
    admin's sign-in, accounts.selectors.user_sign_in: one throttle, one suspension refusal)."""
    try:
        return user_sign_in(request=request, password=password, **login_fields(login))
    except InvalidCredentials:
        # The API's message, in the page's language.
        raise InvalidCredentials(
            _("No active account with these credentials."), code="sign_in_refused"
        ) from None

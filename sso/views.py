"""The OpenID Connect sign-in pages: off to the provider, and back."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from common.errors import ChirpError
from sso import provider
from sso.services import oidc_account_sign_in

NEXT_SESSION_KEY = "sso:next"
SESSION_BACKEND = "sso.backends.OidcSessionBackend"


def _safe_next(request, target: str) -> str:
    """`target` when it is a path on this site (no open redirect), else the home page."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("web:home")


@require_GET
def oidc_start(request):
    """Off to the provider's sign-in page, remembering where to return to."""
    if not provider.enabled():
        raise Http404
    request.session[NEXT_SESSION_KEY] = _safe_next(request, request.GET.get("next", ""))
    try:
        return provider.authorization_redirect(
            request, redirect_uri=request.build_absolute_uri(reverse("sso:oidc-callback"))
        )
    except ChirpError as exc:
        messages.error(request, exc.message)
        return redirect("web:home")


@require_GET
def oidc_callback(request):
    """Back from the provider: the account its verified claims name is signed in, or the sign-in
    page says why not."""
    if not provider.enabled():
        raise Http404
    target = _safe_next(request, request.session.pop(NEXT_SESSION_KEY, ""))
    try:
        claims, id_token = provider.callback_claims(request)
        # The configured issuer (as written in OIDC_ISSUER) names the provider in the links it makes.
        user = oidc_account_sign_in(issuer=settings.OIDC_ISSUER, claims=claims)
    except ChirpError as exc:
        messages.error(request, exc.message)
        return redirect("web:home")
    login(request, user, backend=SESSION_BACKEND)
    # After login, which starts a new session: kept for the provider's sign-out (id_token_hint).
    request.session[provider.ID_TOKEN_SESSION_KEY] = id_token
    return redirect(target)

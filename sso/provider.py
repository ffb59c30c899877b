"""The OpenID provider, as Authlib's client for it: discovery, the authorization request, the token
exchange and the ID token check. Its failures leave here as Chirp's own errors."""

from functools import cache

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from joserfc.errors import BadSignatureError, ExpiredTokenError, JoseError
from requests import RequestException

from common.errors import InvalidCredentials, Unavailable

# Where the sign-in remembers what to send to the provider's end_session_endpoint at sign-out.
ID_TOKEN_SESSION_KEY = "sso:id-token"


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def button_label() -> str:
    """What the sign-in button reads: "Sign in with <OIDC_PROVIDER_NAME>", or "Sign in with SSO"."""
    return _("Sign in with %(provider)s") % {"provider": settings.OIDC_PROVIDER_NAME or "SSO"}


def client():
    """Authlib's client for the configured provider; one per process and configuration, so that
    the discovery document and the keys are fetched once (and the keys again on rotation)."""
    return _client(
        settings.OIDC_ISSUER,
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        " ".join(settings.OIDC_SCOPES),
        settings.OIDC_TIMEOUT,
    )


@cache
def _client(issuer: str, client_id: str, client_secret: str, scope: str, timeout: int):
    registry = OAuth()
    return registry.register(
        name="chirp",
        client_id=client_id,
        client_secret=client_secret or None,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": scope, "code_challenge_method": "S256", "default_timeout": timeout},
    )


def authorization_redirect(request, *, redirect_uri: str):
    """The redirect to the provider's sign-in page; the state, nonce and PKCE verifier stay in the
    session (Authlib keeps them there until the callback uses them, once)."""
    try:
        return client().authorize_redirect(request, redirect_uri)
    except (RequestException, ValueError, RuntimeError) as exc:
        raise _unavailable(exc) from None


def callback_claims(request) -> tuple[dict, str]:
    """The verified ID token claims of the provider's answer to this session's request, and the
    raw ID token (for the sign-out); InvalidCredentials when anything does not check out.

    Authlib's authorize_access_token() in its steps, so that the ID token goes through
    id_token_claims() (and its second look at the keys): the state must be one this session sent
    and works once; the code is exchanged with the PKCE verifier kept for it.
    """
    oidc = client()
    if request.GET.get("error"):
        raise _refused(request.GET["error"])
    state = request.GET.get("state") or ""
    sent = oidc.framework.get_state_data(request.session, state)
    oidc.framework.clear_state_data(request.session, state)
    if not sent or not sent.get("nonce") or not sent.get("code_verifier"):
        raise _refused("mismatching_state")
    try:
        token = oidc.fetch_access_token(
            code=request.GET.get("code") or "",
            redirect_uri=sent["redirect_uri"],
            code_verifier=sent["code_verifier"],
        )
    except OAuthError as exc:
        raise _refused(exc.error) from None
    except (RequestException, ValueError, RuntimeError) as exc:
        raise _unavailable(exc) from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise InvalidCredentials(_("The provider sent no ID token."))
    claims = id_token_claims(id_token=id_token, nonce=sent["nonce"], access_token=token.get("access_token"))
    return claims, id_token


def id_token_claims(*, id_token: str, nonce: str, access_token: str | None = None) -> dict:
    """An ID token's claims once its signature, issuer, audience, expiry and nonce (and the access
    token's hash, when it carries one) check out.

    A provider that rotated its key signs with a key id the cached key set lacks: Authlib fetches
    the keys again. One with a single key may leave the key id out; when that key changed, the
    signature fails against the cached one: fetch the keys once more before refusing.
    """
    oidc = client()
    token = {"id_token": id_token}
    if access_token:
        token["access_token"] = access_token
    try:
        try:
            claims = _parse_id_token(oidc, token, nonce)
        except BadSignatureError:
            oidc.fetch_jwk_set(force=True)
            claims = _parse_id_token(oidc, token, nonce)
    except JoseError as exc:
        raise _refused_token(exc) from None
    except (RequestException, ValueError, RuntimeError) as exc:
        raise _unavailable(exc) from None
    return dict(claims)


def _parse_id_token(oidc, token: dict, nonce: str):
    # Authlib checks the issuer from the discovery document, but the audience only through `azp`
    # when the two differ: that the audience names this client is stated here.
    options = {
        "iss": {"essential": True, "values": [oidc.load_server_metadata().get("issuer")]},
        "aud": {"essential": True, "values": [settings.OIDC_CLIENT_ID]},
    }
    return oidc.parse_id_token(token, nonce=nonce, claims_cls=CodeIDToken, claims_options=options)


def sign_out_url(request) -> str | None:
    """Where the sign-out sends a session that the provider signed in (RP-initiated sign-out), so
    that the provider's session ends too; None for other sessions. Read it before logout()."""
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if not id_token or not enabled():
        return None
    # A fixed address of our own, never one from the request's parameters: no open redirect.
    return logout_url(
        id_token=id_token, post_logout_redirect_uri=request.build_absolute_uri(reverse("web:home"))
    )


def logout_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end_session_endpoint for RP-initiated sign-out, or None when it has none."""
    try:
        metadata = client().load_server_metadata()
    except (RequestException, ValueError):
        # Signing out of Chirp must not depend on the provider being up.
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client().create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token,
        client_id=settings.OIDC_CLIENT_ID,
    )["url"]


def _refused(reason: str) -> InvalidCredentials:
    return InvalidCredentials(_("The sign-in was refused: %(reason)s.") % {"reason": reason})


def _refused_token(exc: JoseError) -> InvalidCredentials:
    """Why the ID token was refused, in words a person can pass on to their IT department."""
    claim = getattr(exc, "claim", None)
    if isinstance(exc, BadSignatureError):
        reason = _("the ID token is not signed with the provider's key")
    elif isinstance(exc, ExpiredTokenError):
        reason = _("the ID token has expired (is this computer's clock right?)")
    elif claim == "aud":
        reason = _("the ID token was issued to another application")
    elif claim == "nonce":
        reason = _("the ID token belongs to another sign-in")
    elif claim == "iss":
        reason = _("the ID token comes from another provider")
    else:
        reason = _("the ID token is not valid (%(error)s)") % {"error": exc.error}
    return InvalidCredentials(_("The sign-in was refused: %(reason)s.") % {"reason": reason})


def _unavailable(exc: Exception) -> Unavailable:
    # Unreachable, an HTTP error, not JSON, or (Authlib's RuntimeError) a discovery document without
    # the endpoints it needs. The exception's text may carry the token request: never shown or logged.
    return Unavailable(_("The sign-in provider cannot be reached; try again shortly."))

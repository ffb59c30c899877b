"""OpenID Connect sign-in against a real provider process (sso/tests/oidc_provider.py), over HTTP."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone

from accounts.models import User
from accounts.services import deactivation_store, suspension_store
from common.errors import InvalidCredentials
from moderation.services import MODERATORS_GROUP, moderator_add
from sso import provider
from sso.models import OidcIdentity
from sso.tests.conftest import CLIENT_ID, CLIENT_SECRET, MODERATORS


def sso_sign_in(client, oidc, sub: str, next_page: str = ""):
    """Click "Sign in with SSO", sign in at the provider as `sub`, follow it back to Chirp."""
    start = client.get("/sso/oidc/start/" + (f"?{urlencode({'next': next_page})}" if next_page else ""))
    assert start.status_code == 302, start.content
    callback = oidc.authorize(start["Location"], sub)
    return client.get(callback)


def shown_message(client) -> str:
    return client.get("/").content.decode()


def test_authorization_request_uses_pkce_state_and_nonce(client, oidc):
    """The redirect to the provider asks for the code flow, an S256 PKCE challenge, a state, a nonce."""
    response = client.get("/sso/oidc/start/")
    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}" == oidc.issuer
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://testserver/sso/oidc/callback/"]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}


def test_provider_checks_the_pkce_verifier_chirp_sends(client, oidc):
    """The provider compares the token request's code_verifier with the S256 challenge: Chirp's
    own verifier passes (every sign-in here), one that does not match the challenge is refused."""
    oidc.set_user("pia", name="Pia", email="pia@corp.example", email_verified=True)
    start = client.get("/sso/oidc/start/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    session = client.session
    key = next(name for name, _value in session.items() if name.endswith(state))
    session[key]["data"]["code_verifier"] = "a-verifier-that-does-not-match-the-challenge-sent-0123"
    session.save()
    client.get(oidc.authorize(start["Location"], "pia"))
    assert "_auth_user_id" not in client.session
    assert "The sign-in was refused: invalid_grant." in shown_message(client)
    assert not User.objects.filter(email="pia@corp.example").exists()
    assert sso_sign_in(client, oidc, "pia")["Location"] == "/" and "_auth_user_id" in client.session


def test_first_sign_in_creates_the_account_from_the_claims(client, oidc):
    """A colleague new to Chirp gets an account named, addressed and username'd as the provider says."""
    oidc.set_user(
        "grace-1",
        name="Grace Hopper",
        preferred_username="grace@corp.example",
        email="grace@corp.example",
        email_verified=True,
    )
    response = sso_sign_in(client, oidc, "grace-1")
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="grace")
    assert (user.name, user.email, user.is_staff) == ("Grace Hopper", "grace@corp.example", False)
    assert not user.has_usable_password()
    assert OidcIdentity.objects.filter(user=user, issuer=oidc.issuer, subject="grace-1").exists()
    assert "What&#39;s happening?" in client.get("/").content.decode()


def test_profile_follows_the_claims_at_each_sign_in(client, oidc):
    """Name, job title and department come from the ID token when the account is made, and again
    at every sign-in after a change at the provider; a claim left out leaves the field alone."""
    oidc.set_user(
        "pf",
        name="Pat Field",
        email="pf@corp.example",
        email_verified=True,
        title="Engineer",
        department="Platform",
    )
    sso_sign_in(client, oidc, "pf")
    pat = User.objects.get(email="pf@corp.example")
    assert (pat.name, pat.title, pat.department) == ("Pat Field", "Engineer", "Platform")
    client.logout()
    oidc.set_user(
        "pf",
        given_name="Patricia",
        family_name="Field",
        email="pf@corp.example",
        email_verified=True,
        jobTitle="Staff engineer",
    )
    sso_sign_in(client, oidc, "pf")
    pat.refresh_from_db()
    assert (pat.name, pat.title, pat.department) == ("Patricia Field", "Staff engineer", "Platform")


def test_linked_local_account_takes_the_providers_profile(client, oidc, make_user):
    """A local account linked by its verified email gets the provider's name and title."""
    make_user("ada", username="ada", email="ada@corp.example")
    oidc.set_user(
        "ada-p", name="Ada Lovelace", email="ada@corp.example", email_verified=True, title="Analyst"
    )
    sso_sign_in(client, oidc, "ada-p")
    ada = User.objects.get(username="ada")
    assert (ada.name, ada.title) == ("Ada Lovelace", "Analyst")


def test_a_name_claim_like_a_staff_members_keeps_the_current_name(client, oidc, make_user):
    """The display-name rule holds for the provider's names too: the sign-in works, the name stays."""
    make_user("Root Admin", username="root", is_staff=True)
    oidc.set_user("imp", name="Imp", email="imp@corp.example", email_verified=True)
    sso_sign_in(client, oidc, "imp")
    client.logout()
    oidc.set_user("imp", name="R00t Admin", email="imp@corp.example", email_verified=True, title="x" * 400)
    sso_sign_in(client, oidc, "imp")
    imp = User.objects.get(email="imp@corp.example")
    assert "_auth_user_id" in client.session
    assert imp.name == "Imp" and imp.title == "x" * 150


def test_username_clash_gets_a_suffix(client, oidc, make_user):
    """Someone else already has the username the provider suggests: the new account gets `-2`."""
    make_user("Linus Local", username="linus", email="linus@elsewhere.example")
    oidc.set_user(
        "linus-sso",
        name="Linus Remote",
        preferred_username="linus",
        email="lr@corp.example",
        email_verified=True,
    )
    sso_sign_in(client, oidc, "linus-sso")
    assert User.objects.get(email="lr@corp.example").username == "linus-2"


def test_next_sign_in_uses_the_linked_account_even_with_a_new_email(client, oidc):
    """The subject identifies the person: with a changed email they still sign in to the same account."""
    oidc.set_user("kay-1", name="Kay", email="kay@corp.example", email_verified=True)
    sso_sign_in(client, oidc, "kay-1")
    client.logout()
    oidc.set_user("kay-1", name="Kay", email="kay.new@corp.example", email_verified=True)
    sso_sign_in(client, oidc, "kay-1")
    assert User.objects.filter(name="Kay").count() == 1
    assert client.get("/").status_code == 200 and "_auth_user_id" in client.session


def test_local_account_is_linked_when_the_provider_verified_the_email(client, oidc, make_user):
    """An existing password account with the same email is signed in to, not duplicated."""
    ada = make_user("Ada Lovelace", username="ada", email="ada@corp.example").user
    oidc.set_user("ada-sso", name="Ada L.", email="ADA@corp.example", email_verified=True)
    response = sso_sign_in(client, oidc, "ada-sso")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == ada.pk
    assert OidcIdentity.objects.get(subject="ada-sso").user == ada
    assert User.objects.count() == 1


@pytest.mark.parametrize("verified", [False, None, "true"])
def test_local_account_is_not_linked_without_a_verified_email(client, oidc, make_user, verified):
    """Unverified (or unstated) emails never take over an account: refused, nothing created or linked."""
    make_user("Ada Lovelace", username="ada", email="ada@corp.example")
    claims = {"name": "Mallory", "email": "ada@corp.example"}
    if verified is not None:
        claims["email_verified"] = verified
    oidc.set_user("mallory", **claims)
    response = sso_sign_in(client, oidc, "mallory")
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert "the provider has not verified the email" in shown_message(client)
    assert User.objects.count() == 1 and not OidcIdentity.objects.exists()


def test_moderator_group_gives_and_leaving_it_removes_the_role(client, oidc):
    """Members of OIDC_MODERATOR_GROUPS moderate; out of the group, they stop at their next sign-in."""
    oidc.set_user(
        "mo", name="Mo Moderator", email="mo@corp.example", email_verified=True, groups=[MODERATORS, "staff"]
    )
    sso_sign_in(client, oidc, "mo")
    mo = User.objects.get(email="mo@corp.example")
    assert mo.is_staff and mo.groups.filter(name=MODERATORS_GROUP).exists()
    assert client.get("/admin/").status_code == 200
    client.logout()
    oidc.set_user("mo", name="Mo Moderator", email="mo@corp.example", email_verified=True, groups=["staff"])
    sso_sign_in(client, oidc, "mo")
    mo.refresh_from_db()
    assert not mo.is_staff and not mo.groups.filter(name=MODERATORS_GROUP).exists()
    assert client.get("/admin/").status_code == 302


def test_superuser_keeps_their_rights_whatever_the_groups_say(client, oidc, make_user):
    """The groups claim never demotes a superuser."""
    root = make_user(
        "Root", username="root", email="root@corp.example", is_staff=True, is_superuser=True
    ).user
    oidc.set_user("root", name="Root", email="root@corp.example", email_verified=True, groups=[])
    sso_sign_in(client, oidc, "root")
    root.refresh_from_db()
    assert root.is_staff and root.is_superuser


def test_deactivated_account_cannot_sign_in_through_sso(client, oidc):
    oidc.set_user("gone", name="Gone", email="gone@corp.example", email_verified=True)
    sso_sign_in(client, oidc, "gone")
    client.logout()
    deactivation_store(user=User.objects.get(email="gone@corp.example"))
    sso_sign_in(client, oidc, "gone")
    assert "_auth_user_id" not in client.session
    assert "This account is deactivated." in shown_message(client)


def test_deactivated_local_account_is_not_linked(client, oidc, make_user):
    """A deactivated account with the provider's verified email stays closed (and unlinked)."""
    left = make_user("Left", username="left", email="left@corp.example").user
    deactivation_store(user=left)
    oidc.set_user("left", name="Left", email="left@corp.example", email_verified=True)
    sso_sign_in(client, oidc, "left")
    assert "_auth_user_id" not in client.session and not OidcIdentity.objects.exists()


def test_suspended_account_cannot_sign_in_through_sso(client, oidc):
    oidc.set_user("sus", name="Sus", email="sus@corp.example", email_verified=True)
    sso_sign_in(client, oidc, "sus")
    client.logout()
    suspension_store(
        user=User.objects.get(email="sus@corp.example"), until=timezone.now() + timedelta(days=1)
    )
    sso_sign_in(client, oidc, "sus")
    assert "_auth_user_id" not in client.session
    assert "This account is suspended until" in shown_message(client)


def test_wrong_state_is_refused(client, oidc):
    """A callback whose state is not the one this session sent (login CSRF) signs nobody in."""
    oidc.set_user("eve", name="Eve", email="eve@corp.example", email_verified=True)
    start = client.get("/sso/oidc/start/")
    callback = urlsplit(oidc.authorize(start["Location"], "eve"))
    query = parse_qs(callback.query)
    query["state"] = ["forged-state"]
    response = client.get(f"{callback.path}?{urlencode(query, doseq=True)}")
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert "The sign-in was refused" in shown_message(client)
    assert not User.objects.filter(email="eve@corp.example").exists()


def test_callback_in_another_browser_is_refused(client, oidc, django_user_model):
    """A code sent to someone else's browser (no state in its session) signs nobody in."""
    from django.test import Client

    oidc.set_user("eve", name="Eve", email="eve@corp.example", email_verified=True)
    start = client.get("/sso/oidc/start/")
    callback = oidc.authorize(start["Location"], "eve")
    victim = Client()
    victim.get(callback)
    assert "_auth_user_id" not in victim.session
    assert not django_user_model.objects.filter(email="eve@corp.example").exists()


def test_replayed_callback_is_refused(client, oidc):
    """The state works once: the same callback a second time is refused."""
    oidc.set_user("rita", name="Rita", email="rita@corp.example", email_verified=True)
    start = client.get("/sso/oidc/start/")
    callback = oidc.authorize(start["Location"], "rita")
    assert client.get(callback).status_code == 302 and "_auth_user_id" in client.session
    client.logout()
    client.get(callback)
    assert "_auth_user_id" not in client.session


def test_provider_refusal_is_explained(client, oidc):
    """The person pressed "Deny" at the provider: the sign-in page says the sign-in was refused."""
    start = client.get("/sso/oidc/start/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    client.get(f"/sso/oidc/callback/?error=access_denied&state={state}")
    assert "The sign-in was refused: access_denied." in shown_message(client)


def test_sign_in_returns_to_the_page_asked_for_never_another_site(client, oidc):
    oidc.set_user("nat", name="Nat", email="nat@corp.example", email_verified=True)
    assert sso_sign_in(client, oidc, "nat", next_page="/people/")["Location"] == "/people/"
    client.logout()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert sso_sign_in(client, oidc, "nat", next_page=target)["Location"] == "/"
        client.logout()


def test_sign_out_ends_the_provider_session_too(client, oidc):
    """RP-initiated sign-out: Chirp's session ends, then the provider's, which sends the person back home."""
    oidc.set_user("otto", name="Otto", email="otto@corp.example", email_verified=True)
    sso_sign_in(client, oidc, "otto")
    id_token = client.session[provider.ID_TOKEN_SESSION_KEY]
    response = client.post("/sign-out/", {"next": "https://evil.example/"})
    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}" == oidc.issuer and url.path == "/oauth2/end_session"
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert "_auth_user_id" not in client.session


def test_password_sign_out_stays_on_chirp(client, oidc, make_user):
    make_user("Pat", username="pat", password="a long passphrase 42")
    client.post("/sign-in/", {"login": "pat", "password": "a long passphrase 42"})
    assert client.post("/sign-out/")["Location"] == "/"


def test_sign_in_page_shows_the_provider_button(client, oidc, settings):
    settings.OIDC_PROVIDER_NAME = "Okta"
    html = client.get("/?next=/people/").content.decode()
    assert 'href="/sso/oidc/start/?next=/people/">Sign in with Okta</a>' in html
    settings.OIDC_PROVIDER_NAME = ""
    assert ">Sign in with SSO</a>" in client.get("/").content.decode()


def test_no_sso_without_an_issuer(client, db, settings):
    settings.OIDC_ISSUER = ""
    assert "Sign in with" not in client.get("/").content.decode()
    assert client.get("/sso/oidc/start/").status_code == 404
    assert client.get("/sso/oidc/callback/?code=x&state=y").status_code == 404


def test_unreachable_provider_is_explained(client, db, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"
    settings.OIDC_CLIENT_ID = "nobody"
    response = client.get("/sso/oidc/start/")
    assert response["Location"] == "/"
    assert "The sign-in provider cannot be reached" in shown_message(client)


# --- Bad ID tokens through the callback: the provider's token endpoint answers with them ----------


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("foreign-key", "the ID token is not signed with the provider&#39;s key"),
        ("another-client", "the ID token was issued to another application"),
        ("another-nonce", "the ID token belongs to another sign-in"),
    ],
)
def test_bad_id_token_from_the_provider_signs_nobody_in(client, oidc, mode, reason):
    """A forged token, one issued to another application, or one of another sign-in (replayed):
    the sign-in page says why, nobody is signed in, no account is made."""
    oidc.set_user("bo", name="Bo", email="bo@corp.example", email_verified=True)
    oidc.next_token(mode)
    response = sso_sign_in(client, oidc, "bo")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" not in client.session and provider.ID_TOKEN_SESSION_KEY not in client.session
    assert f"The sign-in was refused: {reason}." in shown_message(client)
    assert not User.objects.filter(email="bo@corp.example").exists() and not OidcIdentity.objects.exists()


def test_expired_id_token_through_the_callback_signs_nobody_in(client, oidc):
    """The provider's genuine token arrives after its expiry (and the two minutes' leeway)."""
    oidc.set_user("ex", name="Ex", email="ex@corp.example", email_verified=True)
    start = client.get("/sso/oidc/start/")
    callback = oidc.authorize(start["Location"], "ex")
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        response = client.get(callback)
    assert response["Location"] == "/" and "_auth_user_id" not in client.session
    assert "The sign-in was refused: the ID token has expired" in shown_message(client)
    assert not User.objects.filter(email="ex@corp.example").exists()


def test_wrong_state_shows_a_message_and_signs_nobody_in(client, oidc):
    oidc.set_user("st", name="St", email="st@corp.example", email_verified=True)
    start = client.get("/sso/oidc/start/")
    callback = urlsplit(oidc.authorize(start["Location"], "st"))
    query = parse_qs(callback.query) | {"state": ["another-state"]}
    client.get(f"{callback.path}?{urlencode(query, doseq=True)}")
    assert "_auth_user_id" not in client.session
    assert "The sign-in was refused: mismatching_state." in shown_message(client)


# --- The ID token check, fed the provider's own tokens and forged ones ----------------------------


@pytest.fixture
def genuine(client, oidc):
    """A real ID token of the provider's (and the nonce Chirp sent for it), from a real sign-in."""
    oidc.set_user("ivy", name="Ivy", email="ivy@corp.example", email_verified=True)
    sso_sign_in(client, oidc, "ivy")
    id_token = client.session[provider.ID_TOKEN_SESSION_KEY]
    return id_token, jwt.decode(id_token, options={"verify_signature": False})["nonce"]


def test_genuine_id_token_is_accepted(genuine):
    id_token, nonce = genuine
    assert provider.id_token_claims(id_token=id_token, nonce=nonce)["sub"] == "ivy"


def test_single_key_provider_may_leave_out_the_key_id(genuine, oidc):
    """The provider has one key and signs without `kid` (optional then): accepted."""
    id_token, nonce = genuine
    assert len(oidc.keys()["keys"]) == 1
    assert "kid" not in jwt.get_unverified_header(id_token)
    assert provider.id_token_claims(id_token=id_token, nonce=nonce)["sub"] == "ivy"


def test_forged_id_token_is_refused(genuine, oidc):
    """Claims signed with a key that is not the provider's are refused, with or without a key id."""
    _id_token, nonce = genuine
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": oidc.issuer,
        "aud": CLIENT_ID,
        "sub": "ivy",
        "iat": now,
        "exp": now + 600,
        "nonce": nonce,
    }
    for headers in ({}, {"kid": "forged"}):
        forged = jwt.encode(claims, key, algorithm="RS256", headers=headers)
        with pytest.raises(InvalidCredentials):
            provider.id_token_claims(id_token=forged, nonce=nonce)


def test_tampered_id_token_is_refused(genuine):
    """The provider's signature over other claims does not carry over to changed ones."""
    id_token, nonce = genuine
    header, _payload, signature = id_token.split(".")
    claims = jwt.decode(id_token, options={"verify_signature": False}) | {"sub": "admin"}
    payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(claims).encode()).decode()
    with pytest.raises(InvalidCredentials):
        provider.id_token_claims(id_token=f"{header}.{payload}.{signature}", nonce=nonce)


def test_unsigned_id_token_is_refused(genuine):
    id_token, nonce = genuine
    claims = jwt.decode(id_token, options={"verify_signature": False})
    with pytest.raises(InvalidCredentials):
        provider.id_token_claims(id_token=jwt.encode(claims, None, algorithm="none"), nonce=nonce)


def test_expired_id_token_is_refused(genuine):
    """The provider's own token, past its expiry (and the two minutes' leeway for clock skew)."""
    id_token, nonce = genuine
    expiry = jwt.decode(id_token, options={"verify_signature": False})["exp"]
    with time_machine.travel(expiry + 300, tick=False), pytest.raises(InvalidCredentials):
        provider.id_token_claims(id_token=id_token, nonce=nonce)


def test_id_token_for_another_client_is_refused(genuine, settings):
    """The audience is checked: a token the provider issued to another application signs nobody in here."""
    id_token, nonce = genuine
    settings.OIDC_CLIENT_ID = "another-application"
    with pytest.raises(InvalidCredentials):
        provider.id_token_claims(id_token=id_token, nonce=nonce)


def test_id_token_with_another_nonce_is_refused(genuine):
    """A token replayed into another sign-in (whose nonce differs) is refused."""
    id_token, _nonce = genuine
    with pytest.raises(InvalidCredentials):
        provider.id_token_claims(id_token=id_token, nonce="another-sign-in")


def test_provider_key_rotation_is_followed(client, oidc):
    """The provider changes its signing key: Chirp fetches the new keys and sign-ins go on working."""
    oidc.set_user("rot", name="Rot", email="rot@corp.example", email_verified=True)
    sso_sign_in(client, oidc, "rot")
    old_keys = oidc.keys()
    client.logout()
    oidc.restart()
    assert oidc.keys() != old_keys
    oidc.set_user("rot", name="Rot", email="rot@corp.example", email_verified=True)
    response = sso_sign_in(client, oidc, "rot")
    assert response["Location"] == "/" and "_auth_user_id" in client.session


def test_secrets_stay_out_of_the_logs(client, oidc, caplog):
    """The client secret, the authorization code and the ID token appear in no log line."""
    oidc.set_user("lou", name="Lou", email="lou@corp.example", email_verified=True)
    start = client.get("/sso/oidc/start/")
    callback = oidc.authorize(start["Location"], "lou")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    client.get(callback)
    id_token = client.session[provider.ID_TOKEN_SESSION_KEY]
    logged = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    assert caplog.records
    for secret in (CLIENT_SECRET, code, id_token):
        assert secret not in logged


def test_superuser_links_an_account_by_hand_for_a_provider_without_verified_emails(client, oidc, make_user):
    """Entra ID sends no email_verified: a superuser links the subject in the admin, then it signs in."""
    ada = make_user("Ada Lovelace", username="ada", email="ada@corp.example").user
    root = make_user("Root", username="root", is_staff=True, is_superuser=True).user
    client.force_login(root)
    assert oidc.issuer in client.get("/admin/sso/oidcidentity/add/").content.decode()
    response = client.post(
        "/admin/sso/oidcidentity/add/", {"user": ada.pk, "issuer": oidc.issuer, "subject": "entra-ada"}
    )
    assert response.status_code == 302
    client.logout()
    oidc.set_user("entra-ada", name="Ada", email="ada@corp.example")
    sso_sign_in(client, oidc, "entra-ada")
    assert int(client.session["_auth_user_id"]) == ada.pk


def test_moderators_cannot_link_accounts(client, oidc, make_user):
    mo = make_user("Mo", username="mo").user
    moderator_add(user=mo)
    client.force_login(mo)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/sso/oidcidentity/add/").status_code == 403


def test_api_tells_clients_how_people_sign_in(client, oidc, settings):
    """GET /api/auth/methods, anonymous: the single sign-on button and start page; whether passwords work."""
    settings.OIDC_PROVIDER_NAME = "Okta"
    settings.LOCAL_LOGIN = False
    response = client.get("/api/auth/methods")
    assert response.status_code == 200
    assert response.json() == {
        "result": True,
        "password": False,
        "ldap": False,
        "oidc": {"button": "Sign in with Okta", "start_url": "/sso/oidc/start/"},
    }


def test_api_methods_without_single_sign_on(client, db, settings):
    settings.OIDC_ISSUER = ""
    assert client.get("/api/auth/methods").json() == {
        "result": True,
        "password": True,
        "ldap": False,
        "oidc": None,
    }


def test_issuer_without_a_discovery_document_is_explained(client, oidc, settings):
    """A mistyped OIDC_ISSUER (the provider answers 404): a message on the sign-in page, not an error page."""
    settings.OIDC_ISSUER = f"{oidc.issuer}/mistyped"
    response = client.get("/sso/oidc/start/")
    assert response["Location"] == "/"
    assert "The sign-in provider cannot be reached" in shown_message(client)

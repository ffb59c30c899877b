"""JWT login, refresh, logout, and what makes a token stop working."""

import base64
import json
from datetime import timedelta

import jwt
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import SUSPENDED_INDEFINITELY, User
from accounts.selectors import refresh_token_check
from accounts.services import deactivation_store, reactivation_store, refresh_token_rotate
from common.errors import InvalidCredentials

PASSWORD = "correct horse battery staple"


@pytest.fixture
def ada(make_user):
    return make_user("Ada Lovelace", username="ada", email="ada@example.com", password=PASSWORD)


def login(client: APIClient, **credentials):
    return client.post("/api/auth/token", credentials, format="json")


def tokens_for(person) -> dict:
    response = login(APIClient(), username=person.user.username, password=PASSWORD)
    assert response.status_code == 200, response.json()
    return response.json()


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def refresh(raw: str):
    return APIClient().post("/api/auth/token/refresh", {"refresh": raw}, format="json")


def assert_401(response) -> None:
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["result"] is False
    assert body["error_type"] == "authentication_failed"


# --- Login ------------------------------------------------------------------------------
def test_login_with_username_returns_an_access_and_a_refresh_token(ada, anonymous):
    """Username and password get a token pair in the success envelope."""
    response = login(anonymous, username="ada", password=PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"result", "access", "refresh"}
    assert body["result"] is True
    assert AccessToken(body["access"])["user_id"] == str(ada.id)
    outstanding = OutstandingToken.objects.get(user=ada.user, jti=RefreshToken(body["refresh"])["jti"])
    # Recorded for the blacklist, but not as a usable credential.
    assert outstanding.token != body["refresh"]
    assert body["refresh"].startswith(outstanding.token + ".")
    ada.user.refresh_from_db()
    assert ada.user.last_login is not None


def test_login_with_email_ignores_its_case(ada, anonymous):
    """The email works in place of the username, in any letter case."""
    response = login(anonymous, email="ADA@example.com", password=PASSWORD)

    assert response.status_code == 200
    assert AccessToken(response.json()["access"])["user_id"] == str(ada.id)


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "ada", "password": "wrong password"},
        {"email": "ada@example.com", "password": "wrong password"},
        {"username": "nobody", "password": PASSWORD},
        {"email": "nobody@example.com", "password": PASSWORD},
    ],
)
def test_login_with_wrong_credentials_is_a_401_envelope(ada, anonymous, credentials):
    """A wrong password or unknown account is refused with the same 401."""
    response = login(anonymous, **credentials)

    assert_401(response)
    assert response.json()["error_message"] == "No active account with these credentials."
    assert "access" not in response.json()


@pytest.mark.parametrize(
    "body",
    [{"password": PASSWORD}, {"username": "ada", "email": "ada@example.com", "password": PASSWORD}, {}],
)
def test_login_needs_exactly_one_of_username_and_email(ada, anonymous, body):
    """Missing or ambiguous identifiers are a 400, not a login."""
    response = login(anonymous, **body)

    assert response.status_code == 400
    assert response.json()["error_type"] == "validation_error"


def test_user_without_a_password_cannot_log_in(make_user, anonymous):
    """A user provisioned with only an api key has no password to log in with."""
    make_user("Key Only", username="keyonly")

    assert login(anonymous, username="keyonly", password="").status_code == 400
    assert_401(login(anonymous, username="keyonly", password="anything"))


def test_access_token_works_on_the_feed_like_an_api_key(ada):
    """`Authorization: Bearer <access>` is accepted where `api-key` is."""
    access = tokens_for(ada)["access"]

    response = bearer(access).get("/api/tweets")

    assert response.status_code == 200
    assert response.json() == {"result": True, "tweets": []}
    assert bearer(access).get("/api/users/me").json()["user"]["id"] == ada.id


def test_a_refresh_token_is_not_accepted_as_an_access_token(ada):
    """Only access tokens authenticate requests."""
    assert_401(bearer(tokens_for(ada)["refresh"]).get("/api/tweets"))


# --- Refresh and logout -----------------------------------------------------------------
def test_refresh_rotates_and_the_old_refresh_token_is_then_refused(ada):
    """A refresh token works once: its reuse is a 401, the new one works."""
    first = tokens_for(ada)

    rotated = refresh(first["refresh"])

    assert rotated.status_code == 200
    pair = rotated.json()
    assert set(pair) == {"result", "access", "refresh"}
    assert pair["refresh"] != first["refresh"]
    assert bearer(pair["access"]).get("/api/tweets").status_code == 200
    assert_401(refresh(first["refresh"]))
    assert refresh(pair["refresh"]).status_code == 200
    assert BlacklistedToken.objects.filter(token__user=ada.user).count() == 2


def test_of_two_concurrent_refreshes_with_one_token_only_the_first_gets_a_pair(ada):
    """Both requests passed the blacklist check; the blacklist's unique row lets only one rotate."""
    raw = tokens_for(ada)["refresh"]
    first, user = refresh_token_check(raw)
    second, _ = refresh_token_check(raw)  # checked before the first request rotated

    assert set(refresh_token_rotate(token=first, user=user)) == {"access", "refresh"}
    with pytest.raises(InvalidCredentials):
        refresh_token_rotate(token=second, user=user)


def test_logout_then_refresh_is_a_401(ada, anonymous):
    """After logout the refresh token is dead."""
    pair = tokens_for(ada)

    response = anonymous.post("/api/auth/logout", {"refresh": pair["refresh"]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"result": True}
    assert_401(refresh(pair["refresh"]))
    assert_401(anonymous.post("/api/auth/logout", {"refresh": pair["refresh"]}, format="json"))


def test_refresh_and_logout_refuse_garbage_and_access_tokens(ada, anonymous):
    """Only a genuine refresh token can be refreshed or revoked."""
    access = tokens_for(ada)["access"]

    assert_401(refresh("not-a-token"))
    assert_401(refresh(access))
    assert_401(anonymous.post("/api/auth/logout", {"refresh": access}, format="json"))
    assert refresh("").status_code == 400


# --- Forged and expired tokens -----------------------------------------------------------
def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_tampered_token_is_a_401(ada):
    """Changing the payload (here: to another user) breaks the signature."""
    other = User.objects.create_user(username="victim", name="Victim", password=PASSWORD)
    header, payload, signature = tokens_for(ada)["access"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["user_id"] = str(other.pk)

    assert_401(bearer(f"{header}.{_b64(claims)}.{signature}").get("/api/users/me"))


# Forging with a short key is the point here, not a mistake to warn about.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_token_signed_with_another_key_is_a_401(ada, settings):
    """A token with valid claims but not signed with JWT_SIGNING_KEY is refused."""
    claims = dict(AccessToken(tokens_for(ada)["access"]).payload)
    assert settings.SIMPLE_JWT["SIGNING_KEY"] != settings.SECRET_KEY

    for key in ("another-key-that-is-long-enough-0123456789", settings.SECRET_KEY):
        forged = jwt.encode(claims, key, algorithm="HS256")
        assert_401(bearer(forged).get("/api/users/me"))


def test_unsigned_alg_none_token_is_a_401(ada):
    """`alg: none` is not accepted: only HS256."""
    claims = dict(AccessToken(tokens_for(ada)["access"]).payload)
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."

    assert_401(bearer(unsigned).get("/api/users/me"))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_token_with_another_hmac_algorithm_is_a_401(ada, settings):
    """Even with the right key, HS512 is refused: the algorithm is pinned."""
    claims = dict(AccessToken(tokens_for(ada)["access"]).payload)
    forged = jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS512")

    assert_401(bearer(forged).get("/api/users/me"))


def test_expired_access_token_is_a_401(ada):
    """An access token past its `exp` is refused, also with a valid signature and `cv`."""
    token = AccessToken(tokens_for(ada)["access"])
    token.set_exp(from_time=timezone.now() - timedelta(minutes=10), lifetime=timedelta(minutes=5))

    response = bearer(str(token)).get("/api/users/me")

    assert_401(response)
    assert "expired" in response.json()["error_message"]


def test_expired_refresh_token_is_a_401(ada):
    """A refresh token past its `exp` cannot be spent, even though it was never used."""
    token = RefreshToken(tokens_for(ada)["refresh"])
    token.set_exp(from_time=timezone.now() - timedelta(days=2), lifetime=timedelta(days=1))

    response = refresh(str(token))

    assert_401(response)
    assert "expired" in response.json()["error_message"]


def test_default_token_lifetimes_are_five_minutes_and_one_day(ada):
    """The issued tokens carry the configured lifetimes."""
    pair = tokens_for(ada)
    access, refresh_token = AccessToken(pair["access"]), RefreshToken(pair["refresh"])

    # simplejwt truncates float timestamps, so a token minted at x.999999 s may be off by one second.
    assert abs(access["exp"] - access["iat"] - 5 * 60) <= 1
    assert abs(refresh_token["exp"] - refresh_token["iat"] - 24 * 3600) <= 1


# --- Account status and credential changes ------------------------------------------------
def test_deactivated_user_is_refused_on_login_refresh_and_token_use(ada, moderator):
    """Deactivation ends every path: login, refresh and existing access tokens are 401."""
    pair = tokens_for(ada)

    deactivation_store(user=ada.user)

    assert_401(login(APIClient(), username="ada", password=PASSWORD))
    assert_401(refresh(pair["refresh"]))
    assert_401(bearer(pair["access"]).get("/api/tweets"))
    assert_401(ada.client().get("/api/tweets"))


def test_reactivation_does_not_revive_tokens_issued_before(ada):
    """A reactivated user logs in again; their old tokens stay dead."""
    pair = tokens_for(ada)
    deactivation_store(user=ada.user)

    reactivation_store(user=ada.user)

    assert_401(bearer(pair["access"]).get("/api/tweets"))
    assert_401(refresh(pair["refresh"]))
    assert bearer(tokens_for(ada)["access"]).get("/api/tweets").status_code == 200


def test_suspended_user_gets_403_account_suspended_on_login_refresh_and_token_use(ada):
    """Suspension is a 403 with its own error_type, whatever the credential."""
    pair = tokens_for(ada)
    User.objects.filter(pk=ada.id).update(suspended_until=SUSPENDED_INDEFINITELY)

    for response in (
        login(APIClient(), username="ada", password=PASSWORD),
        refresh(pair["refresh"]),
        bearer(pair["access"]).get("/api/tweets"),
    ):
        assert response.status_code == 403
        assert response.json()["error_type"] == "account_suspended"
    # The refused refresh did not spend the token: it works once the suspension is lifted.
    User.objects.filter(pk=ada.id).update(suspended_until=None)
    assert refresh(pair["refresh"]).status_code == 200


def test_wrong_password_of_a_suspended_user_is_401_not_403(ada, anonymous):
    """Suspension is only revealed to someone who knows the password."""
    User.objects.filter(pk=ada.id).update(suspended_until=SUSPENDED_INDEFINITELY)

    assert_401(login(anonymous, username="ada", password="wrong password"))


def test_password_change_invalidates_existing_tokens(ada):
    """After a password change old access and refresh tokens are 401; the new password logs in."""
    pair = tokens_for(ada)
    new_password = "a brand new passphrase 42"

    response = bearer(pair["access"]).patch(
        "/api/users/me", {"current_password": PASSWORD, "password": new_password}, format="json"
    )

    assert response.status_code == 200
    assert_401(bearer(pair["access"]).get("/api/tweets"))
    assert_401(refresh(pair["refresh"]))
    assert_401(login(APIClient(), username="ada", password=PASSWORD))
    fresh = login(APIClient(), username="ada", password=new_password)
    assert fresh.status_code == 200
    assert bearer(fresh.json()["access"]).get("/api/tweets").status_code == 200


def test_api_key_replacement_invalidates_existing_tokens(ada):
    """Replacing the api key also ends the user's JWT sessions."""
    pair = tokens_for(ada)

    response = ada.client().post("/api/users/me/api-key")

    assert response.status_code == 200
    assert_401(bearer(pair["access"]).get("/api/tweets"))
    assert_401(refresh(pair["refresh"]))


# --- createsuperuser ------------------------------------------------------------------------
def test_createsuperuser_can_log_in_to_the_admin_and_the_api(db, monkeypatch):
    """The stock command yields an account that works for /admin/ and /api/auth/token."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser", interactive=False, username="root", email="root@example.com", name="Root Admin"
    )

    admin = Client()
    response = admin.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert admin.get("/admin/").status_code == 200

    pair = login(APIClient(), username="root", password=PASSWORD)
    assert pair.status_code == 200
    assert bearer(pair.json()["access"]).get("/api/users/me").json()["user"]["name"] == "Root Admin"


def test_createsuperuser_refuses_a_taken_email_with_a_one_line_error(db, monkeypatch):
    """Emails are unique regardless of case; the command says so instead of a database traceback."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, username="root", email="root@example.com", name="Root")

    with pytest.raises(CommandError, match=r"^A user with that email address already exists\.$"):
        call_command(
            "createsuperuser", interactive=False, username="other", email="ROOT@example.com", name="Other"
        )
    assert list(User.objects.values_list("username", flat=True)) == ["root"]


# --- Query counts -----------------------------------------------------------------------------
def test_bearer_authentication_costs_one_query_like_the_api_key(ada, django_assert_num_queries):
    """A Bearer request loads the user once; the profile adds its two lists in one query."""
    client = bearer(tokens_for(ada)["access"])

    # 1. the user (active, with credentials_version), 2. followers and following
    with django_assert_num_queries(2):
        assert client.get("/api/users/me").status_code == 200


def test_login_query_count_is_fixed(ada, anonymous, django_assert_num_queries):
    """The login throttle's counters in the database cache, the user, last_login and the outstanding token."""
    # 1. the four throttle entries in one read (a username needs no lookup), 2. the user; the
    # address counter: count the table (culling), savepoint, read the key, insert it, release; the
    # known-address mark: the same five; then savepoint, last_login, outstanding token, release.
    with django_assert_num_queries(16):
        assert login(anonymous, username="ada", password=PASSWORD).status_code == 200


def test_refresh_query_count_is_fixed(ada, django_assert_num_queries):
    """Refreshing reads the blacklist and the user, spends the token and records the new one."""
    pair = tokens_for(ada)

    # 1. blacklisted?, 2. the user; savepoint, 3. outstanding row of the old token, 4. its blacklist row,
    # savepoint, 5. blacklist it, release; 6. record the new refresh token; release.
    with django_assert_num_queries(10):
        assert refresh(pair["refresh"]).status_code == 200

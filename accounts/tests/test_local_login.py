"""LOCAL_LOGIN off: passwords sign in superusers only, at every password door (web, admin, API)."""

import pytest
from rest_framework.test import APIClient

PASSWORD = "a long passphrase 42"


@pytest.fixture
def cast(make_user, settings):
    settings.LOCAL_LOGIN = False
    return {
        "ada": make_user("Ada Employee", username="ada", email="ada@corp.example", password=PASSWORD),
        "mo": make_user("Mo Moderator", username="mo", password=PASSWORD, is_staff=True),
        "root": make_user("Root", username="root", password=PASSWORD, is_staff=True, is_superuser=True),
    }


@pytest.fixture
def api_client():
    return APIClient()


@pytest.mark.parametrize("login", ["ada", "ada@corp.example", "mo"])
def test_people_cannot_get_tokens_with_a_password(api_client, cast, login):
    response = api_client.post(
        "/api/auth/token",
        {"email" if "@" in login else "username": login, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 401
    assert response.json()["error_message"] == "No active account with these credentials."


def test_superuser_still_gets_tokens_with_a_password(api_client, cast):
    response = api_client.post("/api/auth/token", {"username": "root", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and response.json()["access"]


def test_people_cannot_sign_in_to_the_web_with_a_password(client, cast):
    response = client.post("/sign-in/", {"login": "ada", "password": PASSWORD})
    assert response.status_code == 400
    assert "The username or password is wrong." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_superuser_still_signs_in_to_the_web_with_a_password(client, cast):
    assert client.post("/sign-in/", {"login": "root", "password": PASSWORD})["Location"] == "/"
    assert "_auth_user_id" in client.session


def test_moderator_cannot_sign_in_to_the_admin_with_a_password(client, cast):
    response = client.post("/admin/login/", {"username": "mo", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert client.post("/admin/login/", {"username": "root", "password": PASSWORD}).status_code == 302


def test_api_keys_keep_working(cast):
    """An api key is not a password sign-in: integrations go on working."""
    assert cast["ada"].client().get("/api/users/me").status_code == 200


def test_sign_in_page_tucks_the_password_form_away_for_administrators(client, cast, settings):
    settings.OIDC_ISSUER = "https://id.corp.example"
    settings.OIDC_CLIENT_ID = "chirp"
    html = client.get("/").content.decode()
    assert ">Sign in with SSO</a>" in html
    assert "<summary>Administrator sign-in with a password</summary>" in html

"""PATCH /api/users/me and POST /api/users/me/api-key."""

import pytest

from accounts.models import ApiKey, User

PASSWORD = "correct horse battery staple"


@pytest.fixture
def ada(make_user):
    return make_user("Ada Lovelace", username="ada", email="ada@example.com", password=PASSWORD)


def test_user_renames_themselves_and_sees_the_contract_profile(ada, follower, author):
    """PATCH name answers with the Profile of the contract."""
    response = author.client().patch("/api/users/me", {"name": "  Ada Byron  "}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "result": True,
        "user": {
            "id": author.id,
            "name": "Ada Byron",
            "followers": [{"id": follower.id, "name": "Fred Follower"}],
            "following": [],
            "username": "author",
            "avatar": f"/avatars/initials/AB-{author.id % 8}.svg",
            "bio": "",
            "title": "",
            "department": "",
            "language": "",
            "time_zone": "",
        },
    }
    author.user.refresh_from_db()
    assert author.user.name == "Ada Byron"


def test_language_and_time_zone_are_set_over_the_api_and_followed_by_the_pages(author):
    """PATCH language and time_zone (Settings, every device); bad ones are a 400 on the field."""
    client = author.client()
    response = client.patch("/api/users/me", {"language": "ru", "time_zone": "Europe/Berlin"}, format="json")
    assert response.status_code == 200
    assert (response.json()["user"]["language"], response.json()["user"]["time_zone"]) == (
        "ru",
        "Europe/Berlin",
    )
    assert client.patch("/api/users/me", {"time_zone": ""}, format="json").json()["user"]["language"] == "ru"
    for field, value in (("language", "xx"), ("time_zone", "Mars/Olympus")):
        refused = client.patch("/api/users/me", {field: value}, format="json")
        assert refused.status_code == 400 and field in refused.json()["error_message"]
    author.user.refresh_from_db()
    assert (author.user.language, author.user.time_zone) == ("ru", "")
    other = author.client().get(f"/api/users/{author.id}").json()["user"]
    assert "language" not in other and "time_zone" not in other


def test_blank_name_is_refused(author):
    """The display name cannot be emptied."""
    response = author.client().patch("/api/users/me", {"name": "   "}, format="json")

    assert response.status_code == 400
    author.user.refresh_from_db()
    assert author.user.name == "Ada Author"


@pytest.mark.parametrize(
    "body",
    [
        {"is_staff": True},
        {"name": "Ada", "is_staff": True},
        {"is_superuser": True},
        {"is_active": True, "suspended_until": None},
        {"credentials_version": 0},
        {"username": "admin"},
        {"email": "boss@example.com"},
    ],
)
def test_mass_assignment_through_patch_me_changes_nothing(ada, body):
    """Fields other than name and password are refused, so nobody makes themselves staff."""
    before = User.objects.values().get(pk=ada.id)

    response = ada.client().patch("/api/users/me", body, format="json")

    assert response.status_code == 400
    assert response.json()["error_type"] == "validation_error"
    assert User.objects.values().get(pk=ada.id) == before
    assert User.objects.filter(is_staff=True).count() == 0


def test_password_change_needs_the_current_password(ada):
    """Without it, or with a wrong one, the password stays as it was."""
    client = ada.client()

    missing = client.patch("/api/users/me", {"password": "a brand new passphrase 42"}, format="json")
    wrong = client.patch(
        "/api/users/me",
        {"password": "a brand new passphrase 42", "current_password": "guess"},
        format="json",
    )

    assert missing.status_code == 400
    assert "current_password" in missing.json()["fields"]
    assert wrong.status_code == 400
    assert "current_password" in wrong.json()["fields"]
    ada.user.refresh_from_db()
    assert ada.user.check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["short", "12345678901", "password123", "ada@example.com"])
def test_password_change_runs_djangos_password_validators(ada, weak):
    """Too short, numeric, common or similar to the user's attributes: refused with the reason."""
    response = ada.client().patch(
        "/api/users/me", {"password": weak, "current_password": PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["password"]
    ada.user.refresh_from_db()
    assert ada.user.check_password(PASSWORD)


def test_password_change_keeps_the_api_key_working(ada):
    """The api key is a separate credential; only JWTs are invalidated by a password change."""
    client = ada.client()

    response = client.patch(
        "/api/users/me",
        {"password": "a brand new passphrase 42", "current_password": PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    assert client.get("/api/users/me").status_code == 200


def test_api_key_rotation_returns_a_new_key_once_and_revokes_the_old(author, anonymous):
    """Old key 401, new key 200, one active key in the database."""
    old_client = author.client()

    response = old_client.post("/api/users/me/api-key")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"result", "api_key"}
    new_key = body["api_key"]
    assert new_key != author.key
    assert old_client.get("/api/users/me").status_code == 401
    anonymous.credentials(HTTP_API_KEY=new_key)
    assert anonymous.get("/api/users/me").status_code == 200
    assert ApiKey.objects.filter(user=author.user, revoked_at__isnull=True).count() == 1
    assert ApiKey.objects.filter(user=author.user).count() == 2


def test_self_service_needs_credentials(anonymous):
    """Anonymous requests are a 401."""
    assert anonymous.patch("/api/users/me", {"name": "X"}, format="json").status_code == 401
    assert anonymous.post("/api/users/me/api-key").status_code == 401

"""Staff-only user management: POST /api/users, PATCH and DELETE /api/users/<id>."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiKey, User
from moderation.models import AuditEntry
from tweets.services import tweet_create

PASSWORD = "correct horse battery staple"


def test_staff_creates_a_user_who_logs_in_with_the_password_and_the_key(moderator):
    """201 with the account and its api key (once); both credentials work."""
    response = moderator.client().post(
        "/api/users",
        {"name": "Grace Hopper", "email": "grace@example.com", "password": PASSWORD, "username": "grace"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get(username="grace")
    assert body["user"] == {
        "id": user.id,
        "username": "grace",
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "is_active": True,
        "is_staff": False,
        "suspended_until": None,
        "date_joined": user.date_joined.isoformat().replace("+00:00", "Z"),
        "last_login": None,
    }
    key_client = APIClient()
    key_client.credentials(HTTP_API_KEY=body["api_key"])
    assert key_client.get("/api/users/me").json()["user"]["name"] == "Grace Hopper"
    login = APIClient().post(
        "/api/auth/token", {"email": "grace@example.com", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200


def test_created_user_without_password_or_username_gets_a_derived_username_and_no_password(moderator):
    """Password and username are optional."""
    response = moderator.client().post(
        "/api/users", {"name": "Alan Turing", "email": "alan@example.com"}, format="json"
    )

    assert response.status_code == 201
    user = User.objects.get(email="alan@example.com")
    assert user.username == "alan-turing"
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "x@example.com"}, "name"),
        ({"name": "X"}, "email"),
        ({"name": "X", "email": "not-an-email"}, "email"),
        ({"name": "X", "email": "AUTHOR@example.com"}, "email"),
        ({"name": "X", "email": "x@example.com", "username": "author"}, "username"),
        ({"name": "X", "email": "x@example.com", "username": "no spaces"}, "username"),
        ({"name": "X", "email": "x@example.com", "password": "123"}, "password"),
        ({"name": "X", "email": "x@example.com", "is_staff": True}, "is_staff"),
    ],
)
def test_user_creation_validates_its_input(moderator, make_user, body, field):
    """Missing, malformed, duplicate (email in any case) or unknown fields are a 400 naming the field."""
    make_user("Taken", username="author", email="author@example.com")
    users_before = User.objects.count()

    response = moderator.client().post("/api/users", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert User.objects.count() == users_before


@pytest.mark.parametrize(
    "body",
    [{"is_superuser": True}, {"credentials_version": 0}, {"username": "root"}, {"suspended_until": None}],
)
def test_staff_patch_refuses_fields_outside_its_list(moderator, author, body):
    """Only name, email, is_active, is_staff and password can be set; anything else is a 400."""
    before = User.objects.values().get(pk=author.id)

    response = moderator.client().patch(f"/api/users/{author.id}", body, format="json")

    assert response.status_code == 400
    assert set(body) <= set(response.json()["fields"])
    assert User.objects.values().get(pk=author.id) == before


def test_staff_patch_refuses_an_email_another_user_has(moderator, make_user, author):
    """Emails stay unique, in any letter case."""
    make_user("Other", email="other@example.com")

    response = moderator.client().patch(
        f"/api/users/{author.id}", {"email": "Other@Example.com"}, format="json"
    )

    assert response.status_code == 400
    assert "email" in response.json()["fields"]


def test_staff_updates_name_and_email(moderator, author):
    """PATCH changes the given fields and answers with the account."""
    response = moderator.client().patch(
        f"/api/users/{author.id}", {"name": "Ada King", "email": "ada.king@example.com"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["user"]["name"] == "Ada King"
    author.user.refresh_from_db()
    assert (author.user.name, author.user.email) == ("Ada King", "ada.king@example.com")


def test_a_superuser_grants_staff_status(make_user, author):
    """Granting staff rights is for superusers."""
    root = make_user("Root", username="root", is_staff=True, is_superuser=True)

    response = root.client().patch(f"/api/users/{author.id}", {"is_staff": True}, format="json")

    assert response.status_code == 200
    author.user.refresh_from_db()
    assert author.user.is_staff


def test_a_moderator_cannot_grant_staff_status(moderator, author):
    """Moderators are staff, but making someone staff needs a superuser: 403, nothing changes."""
    response = moderator.client().patch(f"/api/users/{author.id}", {"is_staff": True}, format="json")

    assert response.status_code == 403
    assert response.json()["error_type"] == "permission_denied"
    author.user.refresh_from_db()
    assert not author.user.is_staff


def test_a_moderator_cannot_change_another_staff_account(moderator, make_user):
    """No password reset, email change or deactivation of another staff member without a superuser."""
    colleague = make_user("Other Mod", username="othermod", is_staff=True, password="Old-pass-123!")
    client = moderator.client()

    for body in ({"password": "Taken-over-123!"}, {"email": "evil@example.com"}, {"is_active": False}):
        response = client.patch(f"/api/users/{colleague.id}", body, format="json")
        assert response.status_code == 403, body
    assert client.delete(f"/api/users/{colleague.id}").status_code == 403
    colleague.user.refresh_from_db()
    assert colleague.user.is_active and colleague.user.check_password("Old-pass-123!")


def test_status_changes_through_the_api_are_in_the_audit_log(moderator, author):
    """Deactivation and reactivation over the API are recorded with who did it."""
    client = moderator.client()

    client.delete(f"/api/users/{author.id}")
    client.patch(f"/api/users/{author.id}", {"is_active": True}, format="json")

    entries = AuditEntry.objects.order_by("id").values_list("action", "moderator_id", "target_user_id")
    assert list(entries) == [("deactivate", moderator.id, author.id), ("reactivate", moderator.id, author.id)]


def test_a_superuser_sets_a_password_that_ends_the_users_sessions(make_user):
    """A superuser's password reset is validated and invalidates the user's JWTs (moderators may not)."""
    person = make_user("Pat", username="pat", password=PASSWORD)
    old = APIClient().post("/api/auth/token", {"username": "pat", "password": PASSWORD}, format="json").json()
    client = make_user("Root", username="root", is_staff=True, is_superuser=True).client()

    weak = client.patch(f"/api/users/{person.id}", {"password": "pat"}, format="json")
    reset = client.patch(f"/api/users/{person.id}", {"password": "another long passphrase"}, format="json")

    assert weak.status_code == 400
    assert reset.status_code == 200
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {old['access']}")
    assert bearer.get("/api/tweets").status_code == 401
    login = {"username": "pat", "password": "another long passphrase"}
    assert APIClient().post("/api/auth/token", login, format="json").status_code == 200


def test_deactivation_hides_the_authors_tweets_and_reactivation_brings_them_back(moderator, author, follower):
    """DELETE keeps the data; PATCH is_active=true restores the author in feeds."""
    tweet = tweet_create(author=author.user, content="still here?", media_ids=[])
    reader = follower.client()

    deleted = moderator.client().delete(f"/api/users/{author.id}")

    assert deleted.status_code == 200
    assert deleted.json() == {"result": True}
    assert reader.get("/api/tweets").json()["tweets"] == []
    assert author.client().get("/api/tweets").status_code == 401
    assert User.objects.filter(pk=author.id, is_active=False).exists()
    assert moderator.client().delete(f"/api/users/{author.id}").status_code == 200

    restored = moderator.client().patch(f"/api/users/{author.id}", {"is_active": True}, format="json")

    assert restored.status_code == 200
    assert restored.json()["user"]["is_active"] is True
    assert [t["id"] for t in reader.get("/api/tweets").json()["tweets"]] == [tweet.id]
    assert author.client().get("/api/tweets").status_code == 200


def test_patch_is_active_false_deactivates_like_delete(moderator, author):
    """Both ways of deactivating end the user's access."""
    response = moderator.client().patch(f"/api/users/{author.id}", {"is_active": False}, format="json")

    assert response.status_code == 200
    assert author.client().get("/api/users/me").status_code == 401


def test_staff_cannot_lock_themselves_out(moderator):
    """Deactivating yourself or dropping your own staff status is refused."""
    client = moderator.client()

    assert client.delete(f"/api/users/{moderator.id}").status_code == 400
    assert client.patch(f"/api/users/{moderator.id}", {"is_staff": False}, format="json").status_code == 400
    assert client.patch(f"/api/users/{moderator.id}", {"name": "Mo"}, format="json").status_code == 200
    moderator.user.refresh_from_db()
    assert moderator.user.is_active and moderator.user.is_staff


def test_only_a_superuser_can_change_a_superuser(moderator, make_user):
    """Staff cannot deactivate or demote the superuser."""
    root = make_user("Root", username="root", is_staff=True, is_superuser=True)

    response = moderator.client().delete(f"/api/users/{root.id}")

    assert response.status_code == 403
    root.user.refresh_from_db()
    assert root.user.is_active
    assert (
        root.client().patch(f"/api/users/{moderator.id}", {"is_staff": False}, format="json").status_code
        == 200
    )


def test_management_of_an_unknown_user_is_a_404(moderator):
    """Unknown ids are 404 for staff."""
    assert moderator.client().patch("/api/users/999999", {"name": "X"}, format="json").status_code == 404
    assert moderator.client().delete("/api/users/999999").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/users", {"name": "X", "email": "x@example.com"}),
        ("patch", "/api/users/{id}", {"is_staff": True}),
        ("delete", "/api/users/{id}", None),
    ],
)
def test_management_refuses_non_staff_with_403_and_anonymous_with_401(
    author, outsider, anonymous, method, path, body
):
    """Staff only: everyone else is refused and nothing changes."""
    url = path.format(id=author.id)
    before = list(User.objects.values().order_by("id"))

    refused = getattr(outsider.client(), method)(url, body, format="json")
    anonymous_response = getattr(anonymous, method)(url, body, format="json")

    assert refused.status_code == 403
    assert refused.json()["error_type"] == "permission_denied"
    assert anonymous_response.status_code == 401
    assert anonymous_response.json()["error_type"] == "authentication_failed"
    assert list(User.objects.values().order_by("id")) == before


def test_profile_of_a_user_keeps_its_contract_shape_for_staff_and_others(moderator, author, follower):
    """GET /api/users/<id> is the same Profile whoever asks."""
    expected = {
        "result": True,
        "user": {
            "id": author.id,
            "name": "Ada Author",
            "followers": [{"id": follower.id, "name": "Fred Follower"}],
            "following": [],
            "username": "author",
            "avatar": f"/avatars/initials/AA-{author.id % 8}.svg",
            "bio": "",
            "title": "",
            "department": "",
        },
    }

    assert moderator.client().get(f"/api/users/{author.id}").json() == expected
    assert follower.client().get(f"/api/users/{author.id}").json() == expected


def test_no_response_ever_contains_a_password_hash_or_key_digest(moderator, make_user):
    """Account, directory, profile and token responses carry neither hashes nor digests."""
    person = make_user("Pat", username="pat", email="pat@example.com", password=PASSWORD)
    client = moderator.client()
    created = client.post(
        "/api/users", {"name": "New", "email": "new@example.com", "password": PASSWORD}, format="json"
    )
    responses = [
        created,
        client.get("/api/users", {"include_inactive": 1}),
        client.patch(f"/api/users/{person.id}", {"name": "Pat P"}, format="json"),
        client.get(f"/api/users/{person.id}"),
        client.get("/api/users/me"),
        APIClient().post("/api/auth/token", {"username": "pat", "password": PASSWORD}, format="json"),
        person.client().post("/api/users/me/api-key"),
    ]
    secrets = [user.password for user in User.objects.all()] + list(
        ApiKey.objects.values_list("digest", flat=True)
    )

    for response in responses:
        assert response.status_code in (200, 201), response.content
        text = response.content.decode()
        assert "password" not in text and "digest" not in text
        assert not any(secret and secret in text for secret in secrets)

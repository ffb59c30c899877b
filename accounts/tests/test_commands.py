import io
import re

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import ApiKey, User


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_API_KEY=key)
    return client


def test_createuser_prints_a_working_key_once(db):
    """createuser prints the new key exactly once, and that key works over HTTP."""
    output = run("createuser", "Ada Lovelace", "--email", "ada@example.com")

    keys = re.findall(r"api-key: (\S+)", output)
    assert len(keys) == 1
    assert output.count(keys[0]) == 1
    user = User.objects.get()
    assert (user.name, user.username, user.email) == ("Ada Lovelace", "ada-lovelace", "ada@example.com")
    assert not user.has_usable_password()
    response = client_with(keys[0]).get("/api/users/me")
    assert response.status_code == 200
    assert response.json()["user"]["name"] == "Ada Lovelace"


def test_createuser_uses_the_chosen_key_and_password(db):
    """--api-key and --password set those credentials; the key is still stored only as a digest."""
    run(
        "createuser",
        "Grace Hopper",
        "--username",
        "grace",
        "--api-key",
        "grace-secret-key",
        "--password=compiler pioneer",
    )

    user = User.objects.get(username="grace")
    assert user.check_password("compiler pioneer")
    assert not ApiKey.objects.filter(digest="grace-secret-key").exists()
    assert client_with("grace-secret-key").get("/api/users/me").json()["user"]["id"] == user.id


def test_createuser_refuses_a_password_the_validators_refuse(db):
    """The account rules of user_create hold for the command too."""
    with pytest.raises(CommandError, match=r"^password: This password is too short"):
        run("createuser", "Grace Hopper", "--username", "grace", "--password=pw")

    assert not User.objects.exists()


def test_createuser_refuses_a_duplicate_username(db):
    """A username that is taken is a CommandError, and no second user appears."""
    run("createuser", "Ada Lovelace", "--username", "ada")

    with pytest.raises(CommandError):
        run("createuser", "Another Ada", "--username", "ada")

    assert User.objects.count() == 1


def test_createuser_refuses_a_blank_name(db):
    """The display name is required."""
    with pytest.raises(CommandError, match=r"^name: This field may not be blank\.$"):
        run("createuser", "   ")

    assert not User.objects.exists()

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import SUSPENDED_INDEFINITELY, ApiKey
from accounts.selectors import user_for_api_key
from accounts.services import api_key_set
from api.testing import assert_error, db_snapshot

# Every endpoint of the contract; {tweet} and {user} are filled with existing ids.
ENDPOINTS = [
    ("post", "/api/tweets"),
    ("get", "/api/tweets"),
    ("delete", "/api/tweets/{tweet}"),
    ("post", "/api/tweets/{tweet}/likes"),
    ("delete", "/api/tweets/{tweet}/likes"),
    ("post", "/api/users/{user}/follow"),
    ("delete", "/api/users/{user}/follow"),
    ("post", "/api/medias"),
    ("get", "/api/users/me"),
    ("get", "/api/users/{user}"),
]


@pytest.mark.parametrize("credentials", ["missing", "unknown", "replaced", "deactivated"])
@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_every_endpoint_refuses_bad_credentials(
    author, follower, make_tweet, png_upload, method, path, credentials
):
    """No key, an unknown key, a replaced key or a deactivated user: 401 everywhere, nothing changes."""
    tweet = make_tweet(author, likers=[follower])
    client = follower.client()
    if credentials == "missing":
        client.credentials()
    elif credentials == "unknown":
        client.credentials(HTTP_API_KEY="no-such-key")
    elif credentials == "replaced":
        api_key_set(user=follower.user)
    else:
        follower.user.is_active = False
        follower.user.save()
    data = {"file": png_upload()} if path == "/api/medias" else {"tweet_data": "hi"}
    before = db_snapshot()

    response = getattr(client, method)(path.format(tweet=tweet.id, user=author.id), data)

    assert_error(response, 401, "authentication_failed")
    assert db_snapshot() == before


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_every_endpoint_refuses_a_suspended_user(author, follower, make_tweet, png_upload, method, path):
    """A suspended account gets 403 account_suspended everywhere, and nothing changes."""
    tweet = make_tweet(follower, likers=[follower])
    follower.user.suspended_until = SUSPENDED_INDEFINITELY
    follower.user.save()
    data = {"file": png_upload()} if path == "/api/medias" else {"tweet_data": "hi"}
    before = db_snapshot()

    response = getattr(follower.client(), method)(path.format(tweet=tweet.id, user=author.id), data)

    assert_error(response, 403, "account_suspended")
    assert db_snapshot() == before


def test_request_without_api_key_is_unauthorized(author, anonymous):
    """No `api-key` header: 401 envelope with a challenge naming the scheme."""
    response = anonymous.get("/api/users/me")

    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "api-key"


@pytest.mark.parametrize("key", ["not-a-key", "", "   "])
def test_unknown_or_blank_api_key_is_unauthorized(author, anonymous, key):
    """A key that matches no user is a 401 envelope."""
    anonymous.credentials(HTTP_API_KEY=key)

    assert_error(anonymous.get("/api/users/me"), 401, "authentication_failed")


def test_replaced_api_key_stops_working_at_once(author):
    """After a key is replaced, the old key is refused and the new one works."""
    old_client = author.client()
    new_key = api_key_set(user=author.user)

    assert_error(old_client.get("/api/users/me"), 401, "authentication_failed")
    author.key = new_key
    response = author.client().get("/api/users/me")
    assert response.status_code == 200
    assert response.json()["user"]["id"] == author.id
    assert ApiKey.objects.filter(user=author.user, revoked_at__isnull=True).count() == 1


def test_deactivated_user_is_unauthorized(author):
    """A deactivated account's key is refused with 401."""
    author.user.is_active = False
    author.user.save()

    body = assert_error(author.client().get("/api/users/me"), 401, "authentication_failed")
    assert "deactivated" in body["error_message"]


@pytest.mark.parametrize(
    "until, says", [(timedelta(days=1), "until"), (None, "indefinitely")], ids=["dated", "indefinite"]
)
def test_suspended_user_is_forbidden(author, until, says):
    """A suspended account authenticates but is refused with account_suspended."""
    author.user.suspended_until = timezone.now() + until if until else SUSPENDED_INDEFINITELY
    author.user.save()

    body = assert_error(author.client().get("/api/users/me"), 403, "account_suspended")
    assert says in body["error_message"]


def test_expired_suspension_lets_the_user_back_in(author):
    """A suspension that has ended no longer blocks the account."""
    author.user.suspended_until = timezone.now() - timedelta(seconds=1)
    author.user.save()

    assert author.client().get("/api/users/me").status_code == 200


def test_api_key_is_stored_only_as_its_digest(author):
    """The database holds the key's SHA-256 digest and an 8-character prefix, never the key."""
    row = ApiKey.objects.get(user=author.user)

    assert row.digest == hashlib.sha256(author.key.encode()).hexdigest()
    assert row.prefix == author.key[:8]
    stored = [str(value) for value in ApiKey.objects.filter(pk=row.pk).values().get().values()]
    assert all(author.key not in value for value in stored)
    assert len(author.key) >= 32


@pytest.mark.parametrize("key", ["test", "grace-secret-key"])
def test_short_chosen_api_key_is_not_stored_even_in_part(make_user, key):
    """A chosen key such as the demo's `test` leaves no readable part of itself in the database."""
    person = make_user("Demo", api_key=key)

    row = ApiKey.objects.filter(user=person.user).values().get()

    assert row["digest"] == hashlib.sha256(key.encode()).hexdigest()
    assert all(value not in key for value in row.values() if isinstance(value, str) and value)
    assert person.client().get("/api/users/me").status_code == 200


def test_api_key_lookup_is_one_query(author, django_assert_num_queries):
    """Authentication reads the key and its user in one indexed query."""
    # 1. api key joined with its user, by digest.
    with django_assert_num_queries(1):
        assert user_for_api_key(author.key) == author.user


def test_the_key_owner_is_read_with_every_field_as_the_orm_reads_it(author):
    """Dates come back aware and flags as booleans on every database, as User.objects.get gives them."""
    author.user.suspended_until = timezone.now() - timedelta(days=1)
    author.user.save(update_fields=["suspended_until"])

    found = user_for_api_key(author.key)
    expected = type(author.user).objects.get(pk=author.user.pk)

    assert found is not None and not found._state.adding
    for field in type(expected)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
        assert type(getattr(found, field.attname)) is type(getattr(expected, field.attname)), field.name
    assert found.suspended_until is not None and found.suspended_until.tzinfo is not None

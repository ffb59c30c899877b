"""Every /api/ response is private to whoever asked: no shared cache may keep or reuse it."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient


def assert_private(response) -> None:
    assert response["Cache-Control"] == "private, no-store", response.get("Cache-Control")
    varies = {value.strip().lower() for value in response["Vary"].split(",")}
    assert {"api-key", "authorization", "cookie"} <= varies, response["Vary"]


def test_the_feed_is_private_to_the_credentials_that_asked(author, make_tweet):
    """A user's feed says `private, no-store` and varies on every header that carries credentials."""
    make_tweet(author, "mine")

    response = author.client().get("/api/tweets")

    assert response.status_code == 200
    assert_private(response)


def test_a_bearer_authenticated_response_is_private(author):
    """A JWT-authenticated profile is private as well."""
    author.user.set_password("a long enough password")
    author.user.save()
    token = APIClient().post(
        "/api/auth/token", {"username": "author", "password": "a long enough password"}, format="json"
    )
    assert token.status_code == 200, token.content
    assert_private(token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")

    response = client.get("/api/users/me")

    assert response.status_code == 200
    assert_private(response)


@pytest.mark.parametrize(
    "method, path, kwargs",
    [
        ("get", "/api/tweets", {}),  # 401 without credentials
        ("get", "/api/no/such/thing", {}),  # 404 from the catch-all
        ("put", "/api/tweets", {}),  # 405
        ("post", "/api/tweets", {"data": "x", "content_type": "text/plain"}),  # 415
    ],
)
def test_error_responses_are_private_too(db, method, path, kwargs):
    """Errors, answered by DRF or by Django outside it, carry the same headers."""
    response = getattr(APIClient(), method)(path, **kwargs)

    assert response.status_code >= 400
    assert_private(response)


def test_a_body_refused_by_middleware_is_private(author):
    """A 413 answered before any view still carries the headers."""
    response = author.client().post(
        "/api/tweets",
        "x",
        content_type="application/json",
        CONTENT_LENGTH=str(settings.API_MAX_JSON_BYTES + 1),
    )

    assert response.status_code == 413
    assert_private(response)


def test_pages_outside_the_api_are_left_alone(db, client):
    """Outside /api/ the middleware adds nothing: each page keeps its own caching headers."""
    response = client.get("/not-the-api")

    assert response.status_code == 404
    assert "Cache-Control" not in response
    assert "api-key" not in response.get("Vary", "")

from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

import feed.views
from api.errors import ERROR_TYPES
from api.testing import ENVELOPE_KEYS, assert_error, db_snapshot
from web.middleware import BodySizeLimitMiddleware


def exact_envelope(response, status: int, error_type: str) -> dict:
    """The error envelope with exactly the three contract keys, nothing more."""
    body = assert_error(response, status, error_type)
    assert set(body) == ENVELOPE_KEYS
    assert ERROR_TYPES[error_type] == status
    return body


def test_malformed_json_is_a_parse_error(author):
    """A body that is not JSON is a 400 parse_error and creates nothing."""
    before = db_snapshot()
    response = author.client().post("/api/tweets", '{"tweet_data": "hi"', content_type="application/json")

    exact_envelope(response, 400, "parse_error")
    assert db_snapshot() == before


def test_json_array_body_is_a_validation_error(author):
    """A JSON array where an object is expected is a 400 envelope."""
    before = db_snapshot()
    response = author.client().post("/api/tweets", '["hi"]', content_type="application/json")

    assert_error(response, 400, "validation_error")
    assert db_snapshot() == before


@pytest.mark.parametrize("path", ["/api/nope", "/api/tweets/abc", "/api/users/1/unfollow", "/api/"])
def test_unknown_api_url_is_a_not_found_envelope(author, path):
    """Unknown URLs under /api/ answer a 404 envelope, never Django's HTML page."""
    exact_envelope(author.client().get(path), 404, "not_found")


def test_unknown_api_url_is_a_not_found_envelope_without_a_key(anonymous):
    """The catch-all 404 does not depend on credentials."""
    exact_envelope(anonymous.post("/api/does/not/exist"), 404, "not_found")


@pytest.mark.parametrize(
    "method, path",
    [("put", "/api/tweets"), ("put", "/api/tweets/1"), ("post", "/api/tweets/1"), ("get", "/api/medias")],
)
def test_wrong_method_is_a_method_not_allowed_envelope(author, method, path):
    """A method the endpoint does not serve is a 405 envelope."""
    exact_envelope(getattr(author.client(), method)(path), 405, "method_not_allowed")


def test_plain_text_tweet_is_an_unsupported_media_type(author):
    """POST /api/tweets with text/plain is a 415 envelope and creates nothing."""
    before = db_snapshot()
    response = author.client().post("/api/tweets", "hello", content_type="text/plain")

    exact_envelope(response, 415, "unsupported_media_type")
    assert db_snapshot() == before


def test_unsatisfiable_accept_header_is_a_not_acceptable_envelope(author):
    """Asking for a format the API cannot produce is a 406 envelope (in JSON all the same)."""
    exact_envelope(author.client().get("/api/users/me", HTTP_ACCEPT="text/csv"), 406, "not_acceptable")


def test_oversize_json_body_is_refused_from_its_content_length(author, settings):
    """A JSON body over API_MAX_JSON_BYTES is a 413 envelope before it is parsed."""
    settings.API_MAX_JSON_BYTES = 1024
    before = db_snapshot()
    body = '{"tweet_data": "' + "x" * 2000 + '"}'

    response = author.client().post("/api/tweets", body, content_type="application/json")

    exact_envelope(response, 413, "payload_too_large")
    assert db_snapshot() == before


def test_invalid_content_length_is_a_validation_error_envelope(author):
    """A Content-Length that is not a number is refused before anything reads the body."""
    response = author.client().post(
        "/api/tweets", "{}", content_type="application/json", CONTENT_LENGTH="abc"
    )

    exact_envelope(response, 400, "validation_error")


def test_request_for_an_unknown_host_is_a_bad_request_envelope(author):
    """Django's own 400 (a Host outside ALLOWED_HOSTS) is enveloped under /api/ too."""
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_API_KEY=author.key)

    exact_envelope(client.get("/api/tweets", HTTP_HOST="evil.example"), 400, "validation_error")


def test_unexpected_error_in_a_view_is_a_server_error_envelope(author, monkeypatch):
    """A bug in a view answers a 500 envelope without any traceback."""

    def broken(**kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(feed.views, "feed_for", broken)

    body = exact_envelope(author.client().get("/api/tweets"), 500, "server_error")
    assert "secret" not in body["error_message"]


def test_unexpected_error_outside_drf_is_a_server_error_envelope(author, monkeypatch):
    """A bug in middleware under /api/ still answers a 500 envelope, not Django's HTML page."""

    def broken(self, request):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(BodySizeLimitMiddleware, "__call__", broken)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_API_KEY=author.key)

    response = client.get("/api/tweets")

    body = exact_envelope(response, 500, "server_error")
    assert "secret" not in body["error_message"]
    assert response["Cache-Control"] == "private, no-store"


def test_throttled_upload_is_a_429_envelope_with_retry_after(author, png_upload, settings):
    """Over the upload rate: 429 envelope and a Retry-After header in seconds."""
    settings.UPLOAD_THROTTLE_RATE = (1, 60)
    client = author.client()
    assert client.post("/api/medias", {"file": png_upload()}, format="multipart").status_code == 201

    response = client.post("/api/medias", {"file": png_upload()}, format="multipart")

    exact_envelope(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60


def test_error_types_are_documented_in_the_api_docs():
    """Every error_type in the vocabulary appears in the error table of docs/api.md."""
    readme = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
    assert all(f"`{name}` | {status}" in readme for name, status in ERROR_TYPES.items())

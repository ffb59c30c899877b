import pytest

import feed.views
from api.errors import ERROR_TYPES
from api.testing import assert_error
from common import errors


def raising(exc):
    def broken(**kwargs):
        raise exc

    return broken


@pytest.mark.parametrize(
    "exc, status, error_type",
    [
        (errors.Invalid("Bad value."), 400, "validation_error"),
        (errors.NotFound("No such tweet."), 404, "not_found"),
        (errors.NotAllowed("Not yours."), 403, "permission_denied"),
        (errors.Suspended("Suspended until tomorrow."), 403, "account_suspended"),
        (errors.Conflict("Already done."), 409, "conflict"),
        (errors.TooLarge("Too big."), 413, "payload_too_large"),
        (errors.UnsupportedType("Not an image."), 415, "unsupported_media_type"),
        (errors.RateLimited("Slow down.", retry_after=7), 429, "throttled"),
        (errors.Unavailable("Database down.", retry_after=3), 503, "service_unavailable"),
        (errors.StorageUnavailable("Disk full."), 503, "storage_unavailable"),
    ],
)
def test_a_domain_error_from_a_service_is_the_envelope_with_its_status(
    author, monkeypatch, exc, status, error_type
):
    """Services raise Chirp's own errors; the API answers each with its envelope and status."""
    monkeypatch.setattr(feed.views, "feed_for", raising(exc))

    body = assert_error(author.client().get("/api/tweets"), status, error_type)

    assert body["error_message"] == exc.message
    assert ERROR_TYPES[error_type] == status


def test_a_field_error_carries_its_fields_and_reads_like_a_serializer_error(author, monkeypatch):
    """An error on one field names it, exactly as DRF's own validation errors do."""
    monkeypatch.setattr(feed.views, "feed_for", raising(errors.Invalid.on_field("limit", "Too many.")))

    body = assert_error(author.client().get("/api/tweets"), 400, "validation_error")

    assert body["error_message"] == "limit: Too many."
    assert body["fields"] == {"limit": ["Too many."]}


def test_retry_after_goes_with_throttled_and_unavailable_errors(author, monkeypatch):
    """A 429 or 503 says when to come back."""
    monkeypatch.setattr(feed.views, "feed_for", raising(errors.RateLimited(retry_after=42)))
    assert author.client().get("/api/tweets")["Retry-After"] == "42"

    monkeypatch.setattr(feed.views, "feed_for", raising(errors.StorageUnavailable(retry_after=30)))
    assert author.client().get("/api/tweets")["Retry-After"] == "30"


def test_invalid_credentials_is_a_401_with_a_challenge(author, monkeypatch):
    """A 401 carries WWW-Authenticate, as HTTP requires."""
    monkeypatch.setattr(feed.views, "feed_for", raising(errors.InvalidCredentials("Expired.")))

    response = author.client().get("/api/tweets")

    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"]

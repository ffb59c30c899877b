"""Requests outside anything a client should send still get the envelope, a 4xx, and change nothing."""

import pytest
from django.test import Client, override_settings

from api.testing import assert_error, db_snapshot

# One past the largest id a PostgreSQL bigint (and SQLite integer) can hold.
TOO_LARGE_ID = 2**63


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unknown_api_path_is_a_not_found_envelope_for_every_method(author, method):
    """A write to an unknown /api/ path is the 404 envelope, not Django's HTML CSRF page."""
    before = db_snapshot()
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)("/api/no/such/thing", "{}", content_type="application/json")

    assert_error(response, 404, "not_found")
    assert db_snapshot() == before


@override_settings(ROOT_URLCONF="api.tests.csrf_urls")
def test_csrf_failure_under_api_is_an_envelope(db):
    """A CSRF refusal of a plain Django view under /api/ (a future endpoint) is the 403 envelope."""
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/form", {"field": "value"})

    assert_error(response, 403, "permission_denied")


def test_csrf_failure_outside_api_is_an_html_page(db):
    """Outside /api/ (the admin) a CSRF refusal is an HTML page saying so, not the envelope."""
    client = Client(enforce_csrf_checks=True)

    response = client.post("/admin/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert b"This form has expired. Reload the page and try again." in response.content


def test_multipart_body_with_too_many_fields_is_a_validation_error(author):
    """A multipart body of more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields is a 400 envelope, not a 500."""
    before = db_snapshot()
    boundary = "chirpboundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nx\r\n' for i in range(1001)]
    body = "".join(parts) + f"--{boundary}--\r\n"

    response = author.client().post(
        "/api/medias", body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert_error(response, 400, "validation_error")
    assert db_snapshot() == before


def test_a_form_encoded_body_is_an_unsupported_media_type(author):
    """Bodies are JSON (uploads multipart): a form-encoded tweet is a 415 envelope and creates nothing."""
    before = db_snapshot()

    response = author.client().post(
        "/api/tweets", "tweet_data=hello", content_type="application/x-www-form-urlencoded"
    )

    assert_error(response, 415, "unsupported_media_type")
    assert db_snapshot() == before


def test_an_empty_form_password_is_not_silently_ignored(author):
    """PATCH /api/users/me with a blank password in a form was a 200 that changed nothing; now a 415."""
    response = author.client().patch(
        "/api/users/me", "password=", content_type="application/x-www-form-urlencoded"
    )

    assert_error(response, 415, "unsupported_media_type")


def test_multipart_body_with_too_many_files_is_a_validation_error(author):
    """A multipart body of more than DATA_UPLOAD_MAX_NUMBER_FILES files is a 400 envelope, not a 500."""
    before = db_snapshot()
    boundary = "chirpboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f{i}.png"\r\n'
        f"Content-Type: image/png\r\n\r\nx\r\n"
        for i in range(101)
    ]
    body = "".join(parts) + f"--{boundary}--\r\n"

    response = author.client().post(
        "/api/medias", body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert_error(response, 400, "validation_error")
    assert db_snapshot() == before


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", f"/api/tweets/{TOO_LARGE_ID}/likes"),
        ("delete", f"/api/tweets/{TOO_LARGE_ID}/likes"),
        ("delete", f"/api/tweets/{TOO_LARGE_ID}"),
        ("post", f"/api/tweets/{TOO_LARGE_ID}/report"),
        ("get", f"/api/users/{TOO_LARGE_ID}"),
        ("patch", f"/api/users/{TOO_LARGE_ID}"),
        ("post", f"/api/users/{TOO_LARGE_ID}/follow"),
        ("delete", f"/api/users/{TOO_LARGE_ID}/follow"),
        ("post", "/api/tweets/" + "9" * 40 + "/likes"),
    ],
)
def test_an_id_too_large_for_the_database_names_nothing(author, moderator, method, path):
    """An id beyond the database's integer range is a 404 envelope, never a 500."""
    before = db_snapshot()
    client = moderator.client() if method == "patch" else author.client()

    response = getattr(client, method)(path, {}, format="json")

    assert_error(response, 404, "not_found")
    assert db_snapshot() == before


def test_the_largest_id_the_database_holds_is_still_routed(author):
    """2**63 - 1 is a valid id: routed to the view, which answers that no such tweet exists."""
    response = author.client().post(f"/api/tweets/{TOO_LARGE_ID - 1}/likes")

    body = assert_error(response, 404, "not_found")
    assert body["error_message"] != "No such endpoint."

import io
import json
import logging

import pytest
from django.test import override_settings


@pytest.fixture
def log_lines():
    """What the configured console handler writes (the real JSON formatter and request-id filter)."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield read
    handler.setStream(previous)


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "chirp.request"]


def test_each_request_logs_one_json_line_with_its_id(author, log_lines):
    """Method, path, route, status, duration and user id, with the id the response carries."""
    response = author.client().get("/api/users/me")

    [line] = access_lines(log_lines())
    assert response["X-Request-ID"] == line["request_id"]
    assert len(line["request_id"]) == 32
    assert line | {"duration_ms": 0, "time": ""} == {
        "time": "",
        "level": "INFO",
        "logger": "chirp.request",
        "message": "GET /api/users/me 200",
        "request_id": line["request_id"],
        "method": "GET",
        "path": "/api/users/me",
        "endpoint": "users-me",
        "status": 200,
        "duration_ms": 0,
        "db_queries": line["db_queries"],
        "user_id": author.id,
    }
    assert line["duration_ms"] > 0


def test_an_incoming_request_id_is_kept_and_returned(author, log_lines):
    """nginx (or a caller) sets X-Request-ID; the app logs and returns the same id."""
    response = author.client().get("/api/users/me", HTTP_X_REQUEST_ID="edge-4f1c-99")

    assert response["X-Request-ID"] == "edge-4f1c-99"
    assert access_lines(log_lines())[0]["request_id"] == "edge-4f1c-99"


def test_a_request_id_that_could_forge_log_content_is_replaced(author, log_lines):
    """An id with quotes, spaces or newlines is not trusted; a fresh one is generated."""
    response = author.client().get("/api/users/me", HTTP_X_REQUEST_ID='x", "level": "ERROR')

    assert response["X-Request-ID"] != 'x", "level": "ERROR'
    assert access_lines(log_lines())[0]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="ops.tests.error_urls")
def test_an_application_error_is_logged_with_the_requests_id(client, log_lines):
    """The traceback line and the access line share the request id, so one grep finds both."""
    response = client.get("/api/broken", HTTP_X_REQUEST_ID="req-broken-1")

    assert response.status_code == 500
    lines = log_lines()
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert errors
    assert {line["request_id"] for line in errors} == {"req-broken-1"}
    assert any("RuntimeError: the view failed" in line.get("exception", "") for line in errors)
    [access] = access_lines(lines)
    assert (access["status"], access["request_id"]) == (500, "req-broken-1")


def test_no_credential_ever_reaches_the_logs(author, make_user, log_lines):
    """Api keys, bearer tokens, cookies, passwords and query-string tokens are never logged."""
    secrets = {
        "api_key": author.key,
        "wrong_key": "wrong-key-value-7d1e0c",
        "bearer": "eyJhbGciOiJIUzI1NiJ9.bearer-token-value",
        "cookie": "sessionid-value-3a9f",
        "password": "correct-horse-battery-staple",
        "query": "token-in-query-string-51b2",
    }
    api = author.client()
    api.get(f"/api/tweets?token={secrets['query']}")
    api.post("/api/tweets", {"tweet_data": "hi", "password": secrets["password"]}, format="json")
    api.get("/api/users/me", HTTP_AUTHORIZATION=f"Bearer {secrets['bearer']}")
    api.get("/admin/", HTTP_COOKIE=f"sessionid={secrets['cookie']}")
    api.credentials(HTTP_API_KEY=secrets["wrong_key"])
    assert api.get("/api/users/me").status_code == 401

    lines = log_lines()
    text = "\n".join(json.dumps(line) for line in lines)
    assert len(access_lines(lines)) == 5
    for name, secret in secrets.items():
        assert secret not in text, name

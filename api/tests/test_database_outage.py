"""A PostgreSQL outage, for real: a private server the test starts, connects to, then stops."""

import logging

import psycopg
import pytest
from django.db import DatabaseError, OperationalError, connection, connections
from django.db.utils import load_backend
from django.test import Client

from common.database import database_unavailable
from faults.servers import PrivatePostgres


@pytest.fixture(scope="module")
def private_postgres():
    with PrivatePostgres() as server:
        yield server


@pytest.fixture
def database_stopped(private_postgres, django_db_blocker, settings):
    """The app's default connection opened on the private server, which is then stopped."""
    settings.DEBUG = False
    original = connections["default"]
    template = {**original.settings_dict, "ENGINE": "config.postgresql"}
    template.update(HOST="127.0.0.1", PORT=str(private_postgres.port), NAME="postgres", USER="postgres")
    template.update(PASSWORD="", CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True, OPTIONS={}, TEST={})
    wrapper = load_backend("config.postgresql").DatabaseWrapper(template, alias="default")
    with django_db_blocker.unblock():
        connections["default"] = wrapper
        try:
            # A persistent connection, open when the server goes away (a restart, a failover).
            wrapper.ensure_connection()
            private_postgres.stop()
            yield
        finally:
            wrapper.close()
            connections["default"] = original
            private_postgres.start()


def _database_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_api_answers_503_service_unavailable_with_retry_after_when_the_database_is_down(
    database_stopped, caplog
):
    """Each /api/ request in an outage: 503 service_unavailable, Retry-After, one log line, no traceback."""
    client = Client()

    for attempt in range(2):
        caplog.clear()
        # The first request meets the dead persistent connection, the second a refused one.
        response = client.get("/api/tweets", HTTP_API_KEY=f"some-key-{attempt}")

        assert response.status_code == 503
        assert response.json() == {
            "result": False,
            "error_type": "service_unavailable",
            "error_message": "The database is unavailable right now; try again shortly.",
        }
        assert int(response["Retry-After"]) >= 1
        (record,) = _database_records(caplog)
        assert record.name == "chirp.api"
        assert record.getMessage().startswith("Database unavailable: OperationalError: ")
        assert record.exc_info is None


def test_a_page_outside_the_api_answers_a_short_plain_503(database_stopped, caplog):
    """A web page (the admin, with a session to look up) gets a plain 503 and one log line."""
    # As a server would: the response, not the exception the test client re-raises by default.
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-the-database-would-know"

    response = client.get("/admin/")

    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("Chirp is unavailable for a moment")
    assert int(response["Retry-After"]) >= 1
    (record,) = _database_records(caplog)
    assert record.getMessage().startswith("Database unavailable: ")
    assert record.exc_info is None


def test_a_bad_query_is_not_an_outage(db):
    """A missing table (a schema or code bug) stays a server error; only an unreachable database is a 503."""
    with pytest.raises(DatabaseError) as raised, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM chirp_no_such_table")

    assert not database_unavailable(raised.value)


def test_a_statement_the_server_refuses_is_not_an_outage():
    """A protocol violation (SQLSTATE 08P01, what PgBouncer losing a prepared statement gives) is a server
    error, not "Database unavailable"."""
    error = OperationalError('bind message supplies 2 parameters, but prepared statement "_pg3_1" requires 1')
    error.__cause__ = psycopg.errors.ProtocolViolation(str(error))

    assert not database_unavailable(error)

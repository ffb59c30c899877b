import io
import select

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from api.testing import other_connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="persistent connections and pg_terminate_backend are PostgreSQL's",
)


def wsgi_get(application: WSGIHandler, path: str) -> str:
    """A request through the real WSGI entry point, which runs the request_started/finished signals."""
    statuses = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    response = application(environ, start_response)
    b"".join(response)
    response.close()
    return statuses[0]


def terminate(backend_pid: int) -> None:
    """Kill a server process from a separate connection, as a database restart or failover would."""
    with other_connection() as admin:
        # Waits (up to 5 s) until the process has gone, as after a restart: no race with the next request.
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [backend_pid])


@pytest.mark.django_db(transaction=True)
def test_the_app_reconnects_by_itself_after_its_connection_is_killed(settings):
    """A persistent connection killed on the server is health-checked away; the next request succeeds."""
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    application = WSGIHandler()

    assert wsgi_get(application, "/readyz").startswith("200")
    first_backend = connection.connection.info.backend_pid
    assert wsgi_get(application, "/readyz").startswith("200")
    assert connection.connection.info.backend_pid == first_backend  # the connection persists

    terminate(first_backend)

    assert wsgi_get(application, "/readyz").startswith("200")
    assert connection.connection.info.backend_pid != first_backend


@pytest.mark.django_db(transaction=True)
def test_a_sound_connection_passes_the_health_check_without_a_query(monkeypatch):
    """The per-request health check costs no round trip while nothing is waiting on the socket."""
    connection.ensure_connection()
    raw = connection.connection
    opened = []
    real_cursor = raw.cursor

    # Django's own check bypasses Django's cursor wrappers: watch psycopg's connection itself.
    def counting_cursor(*args, **kwargs):
        opened.append(1)
        return real_cursor(*args, **kwargs)

    monkeypatch.setattr(raw, "cursor", counting_cursor)

    assert connection.is_usable() is True
    assert opened == []
    assert raw.execute("SELECT 1").fetchone() == (1,)  # and the connection does work


@pytest.mark.django_db(transaction=True)
def test_a_killed_connection_fails_the_health_check():
    connection.ensure_connection()
    terminate(connection.connection.info.backend_pid)

    assert connection.is_usable() is False
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_harmless_message_on_the_socket_does_not_cost_the_connection():
    """A notice from another session arrives unasked; the real check consumes it and keeps the connection."""
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    connection.connection.execute("LISTEN chirp_health_check_test")
    with other_connection() as other:
        other.execute("NOTIFY chirp_health_check_test")
    poller = select.poll()
    poller.register(connection.connection.pgconn.socket, select.POLLIN)
    assert poller.poll(5000)  # the notification is on the socket

    assert connection.is_usable() is True
    assert connection.connection.info.backend_pid == backend
    connection.connection.execute("UNLISTEN *")

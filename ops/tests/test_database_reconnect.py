import io

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

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
    response = application(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()
    return statuses[0]


def terminate(backend_pid: int) -> None:
    """Kill a server process from a separate connection, as a database restart or failover would."""
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k != "cursor_factory"}, autocommit=True
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])


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

"""SENTRY_DSN: errors reach a Sentry-protocol server, without the failed request's credentials.

The server is a local HTTP listener standing in for Sentry's ingestion endpoint: the SDK's real
transport sends to it, and the test reads the envelopes it received. No network.
"""

import gzip
import io
import json
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from wsgiref.util import setup_testing_defaults

import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler
from django.urls import path
from rest_framework.views import APIView

from ops.error_tracking import init_error_tracking


class FailingView(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def post(self, request):
        request.data  # noqa: B018 - parsed, as a real view would, before it fails
        raise RuntimeError("the view failed")


urlpatterns = [path("api/failing", FailingView.as_view())]

SECRETS = {
    "api_key": "key-0123456789abcdef",
    "bearer": "eyJhbGciOiJIUzI1NiJ9.secret-bearer-token",
    "session": "sessionid-secret-value",
    "csrf": "csrftoken-secret-value",
    "password": "my very secret passphrase",
    "current": "my old secret passphrase",
    "refresh": "eyJrefresh.secret-refresh-token",
}


class Ingest(BaseHTTPRequestHandler):
    envelopes: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # type: ignore[import-not-found]  # optional; only if a server answers br

            body = brotli.decompress(body)
        Ingest.envelopes.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    Ingest.envelopes = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Ingest)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://public-key@127.0.0.1:{server.server_address[1]}/42"
    server.shutdown()
    server.server_close()
    # Back to no error tracking for the rest of the run.
    sentry_sdk.init()


def events(envelopes: list[bytes]) -> list[dict]:
    found = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def post_through_wsgi(path: str, body: dict, headers: dict[str, str]) -> str:
    """A request as gunicorn hands it to Django: through the WSGI handler sentry-sdk wraps."""
    data = json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()},
    }
    setup_testing_defaults(environ)
    environ["HTTP_HOST"] = "localhost"
    statuses: list[str] = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)
        return lambda data: None

    b"".join(WSGIHandler()(environ, start_response))
    return statuses[0]


# Through the real handler, whose end of request closes connections: no test transaction around it.
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("ops.tests.test_error_tracking")
def test_an_error_reaches_sentry_without_keys_tokens_cookies_or_passwords(sentry_server):
    """The failing request's event names the error and the path, and carries no credential."""
    init_error_tracking(dsn=sentry_server, environment="test")

    status = post_through_wsgi(
        "/api/failing",
        {
            "password": SECRETS["password"],
            "current_password": SECRETS["current"],
            "refresh": SECRETS["refresh"],
        },
        {
            "api-key": SECRETS["api_key"],
            "authorization": f"Bearer {SECRETS['bearer']}",
            "cookie": f"sessionid={SECRETS['session']}; csrftoken={SECRETS['csrf']}",
        },
    )
    sentry_sdk.flush(timeout=10)

    assert status.startswith("500")
    received = events(Ingest.envelopes)
    assert received, "no event reached the server"
    event = received[0]
    assert event["environment"] == "test"
    assert "the view failed" in json.dumps(event)
    request = event["request"]
    assert request["url"].endswith("/api/failing") and request["method"] == "POST"
    # Scrubbed, not dropped: the event still shows which credentials the request carried.
    assert request["headers"]["Api-Key"] == "[Filtered]"
    assert request["data"]["password"] == "[Filtered]"
    raw = b"\n".join(Ingest.envelopes).decode()
    leaked = [name for name, secret in SECRETS.items() if secret in raw]
    assert leaked == []


def test_without_sentry_dsn_error_tracking_stays_off():
    """By default no client is set up and nothing is sent anywhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    code = "import django; django.setup(); import sentry_sdk; print(sentry_sdk.get_client().is_active())"

    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "False"


def test_sentry_dsn_turns_error_tracking_on_at_start_up(sentry_server):
    """SENTRY_DSN and SENTRY_ENVIRONMENT in the environment set up the client with them."""
    env = {**os.environ, "SENTRY_DSN": sentry_server, "SENTRY_ENVIRONMENT": "staging"}
    code = (
        "import django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client();"
        " print(c.is_active(), c.options['environment'], c.options['data_collection']['user_info'])"
    )

    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "True staging False"

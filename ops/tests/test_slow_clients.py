"""gunicorn as shipped, facing slow and oversized clients directly: they never hold a thread.

The server is the real thing: gunicorn.conf.py (2 workers of the shipped worker class), the
production settings (DEBUG off), a SQLite database of its own. Its port comes from
CHIRP_TEST_GUNICORN_PORTS (default 8750-8799). The body deadline is shortened to keep the test short.
"""

import http.client
import io
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from faults.servers import free_port, port_range

REPO = Path(__file__).resolve().parents[2]
API_KEY = "slow-clients-test-key-0123456789"
PASSWORD = "slow-clients-test-password"
MIB = 1024 * 1024
WORKERS = 2
BODY_TIMEOUT = 3
BODY_MIN_RATE = 1000


@pytest.fixture(scope="module")
def server_tmp(tmp_path_factory) -> Path:
    """The server's folder: its database, logs, and `spool`, where request bodies would spill to disk."""
    return tmp_path_factory.mktemp("gunicorn")


@pytest.fixture(scope="module")
def server(server_tmp):
    """The port of gunicorn started with the shipped configuration; stopped after the module."""
    tmp = server_tmp
    (tmp / "empty.env").write_text("")
    port = free_port(port_range("CHIRP_TEST_GUNICORN_PORTS", "8750-8799"))
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GUNICORN_", "REDIS_", "PROMETHEUS_"))
    }
    environ |= {
        "ENV_FILE": str(tmp / "empty.env"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "slow-clients-test-secret-key-" + "x" * 40,
        "JWT_SIGNING_KEY": "slow-clients-test-jwt-signing-key-" + "y" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SERVE_MEDIA": "0",
        "DATABASE_URL": f"sqlite:///{tmp / 'chirp.sqlite3'}",
        "CHIRP_DATA_DIR": str(tmp),
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        # Where request bodies would spill to disk: the tests look for files written there.
        "TMPDIR": str(tmp / "spool"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_WORKER_TMP_DIR": str(tmp),
        "GUNICORN_BODY_TIMEOUT": str(BODY_TIMEOUT),
        "GUNICORN_BODY_MIN_RATE": str(BODY_MIN_RATE),
    }
    manage = [sys.executable, "manage.py"]
    (tmp / "spool").mkdir()
    user = ["createuser", "Slow", "--username", "slow", "--api-key", API_KEY, "--password", PASSWORD]
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], user):
        done = subprocess.run(manage + command, cwd=REPO, env=environ, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    log = (tmp / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "config.asgi"],
        cwd=REPO,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while get_me(port, timeout=1) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def get_me(port: int, timeout: float = 10) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/api/users/me", headers={"api-key": API_KEY})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


def upload_head(length: int, *extra_headers: bytes) -> bytes:
    """The head of a multipart POST /api/medias with boundary `b` and a body of `length` bytes."""
    lines = [
        b"POST /api/medias HTTP/1.1",
        b"Host: 127.0.0.1",
        b"api-key: " + API_KEY.encode(),
        b"Content-Type: multipart/form-data; boundary=b",
        b"Content-Length: " + str(length).encode(),
        *extra_headers,
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def upload_body(padding: int = 0) -> bytes:
    """A multipart body with a small PNG in `file`, after a `padding` field of that many bytes."""
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(image, "PNG")
    fields = b'--b\r\nContent-Disposition: form-data; name="padding"\r\n\r\n' + b"." * padding + b"\r\n"
    return fields + (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + image.getvalue() + b"\r\n--b--\r\n"
    )


class SlowClient(threading.Thread):
    """Sends a request's head (or, with `body`, its body) a few bytes a second until cut off."""

    def __init__(self, port: int, *, body: bool):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.body = body
        self.opened = time.monotonic()
        self.cut_after: float | None = None
        self.answer = b""
        self.stop = threading.Event()

    def run(self) -> None:
        if self.body:
            self.sock.sendall(upload_head(100_000))
        else:
            self.sock.sendall(b"GET /api/users/me HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        self.sock.settimeout(0.5)
        try:
            while not self.stop.is_set():
                self.sock.sendall(b"--b" if self.body else b"X-Slow: 1\r\n")
                try:
                    data = self.sock.recv(4096)
                except TimeoutError:
                    continue
                self.answer += data
                if not data:
                    break
        except OSError:
            pass
        self.cut_after = time.monotonic() - self.opened
        self.sock.close()


def test_slow_clients_beyond_every_thread_neither_delay_others_nor_hold_a_body_for_long(server):
    """12 slow heads and 12 slow uploads: p99 < 1 s for others; each upload cut with a 408 at its deadline."""
    heads = [SlowClient(server, body=False) for _ in range(12)]
    uploads = [SlowClient(server, body=True) for _ in range(12)]
    for client in heads + uploads:
        client.start()
    time.sleep(0.5)

    latencies, statuses = [], []
    while time.monotonic() < uploads[0].opened + BODY_TIMEOUT - 0.5:
        started = time.monotonic()
        statuses.append(get_me(server, timeout=5))
        latencies.append(time.monotonic() - started)
    latencies.sort()
    assert all(client.cut_after is None for client in heads + uploads)  # all still trickling meanwhile

    deadline = uploads[0].opened + BODY_TIMEOUT + 3
    for client in uploads:
        client.join(timeout=max(0, deadline - time.monotonic()))
    for client in heads + uploads:
        client.stop.set()
        client.join(timeout=5)
    assert statuses == [200] * len(statuses) and len(statuses) >= 10
    assert latencies[int(len(latencies) * 0.99)] < 1.0, latencies[-5:]
    for client in uploads:
        assert client.cut_after is not None
        assert BODY_TIMEOUT - 0.5 <= client.cut_after <= BODY_TIMEOUT + 2.5, client.cut_after
        assert client.answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), client.answer
        assert b"\r\nconnection: close\r\n" in client.answer.lower()
        assert client.answer.endswith(b"\r\n\r\nThe request took too long to arrive.\n")


def test_a_body_arriving_at_the_minimum_rate_is_served(server):
    """An upload sent in pieces over longer than the grace, but above the minimum rate, is answered."""
    # 1.5 times the minimum rate for longer than the grace.
    body = upload_body(padding=BODY_MIN_RATE * 3 // 2 * (BODY_TIMEOUT + 2))
    with socket.create_connection(("127.0.0.1", server), timeout=30) as sock:
        sock.sendall(upload_head(len(body), b"Connection: close"))
        started = time.monotonic()
        piece = BODY_MIN_RATE * 3 // 8  # every quarter of a second
        for offset in range(0, len(body), piece):
            sock.sendall(body[offset : offset + piece])
            time.sleep(0.25)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk

    assert time.monotonic() - started > BODY_TIMEOUT
    assert answer.startswith(b"HTTP/1.1 201 Created\r\n"), answer[:300]
    assert b'"media_id"' in answer


@pytest.mark.parametrize(
    ("framing", "status"),
    [(b"Transfer-Encoding: chunked", b"400"), (b"Content-Length: 50000000", b"413")],
    ids=["chunked", "over-the-buffer"],
)
def test_bodies_the_loop_does_not_buffer_are_answered_without_waiting_for_them(server, framing, status):
    """A chunked body (Django reads none) or one over the buffer limit: answered at once, closed soon."""
    head = upload_head(0).replace(b"Content-Length: 0", framing)
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(head + b"3\r\n--b\r\n")
        answer = sock.recv(65536)
        answered = time.monotonic() - started
        while sock.recv(65536):  # the rest of the answer, then the close
            pass
        closed = time.monotonic() - started

    assert answer.startswith(b"HTTP/1.1 " + status), answer[:200]
    assert answered < 1.0
    assert closed < 7  # gunicorn drains an unread body for 5 s at most before closing


def test_a_request_head_over_64_kib_is_refused_with_431_before_it_ends(server):
    """Header lines past 64 KiB are not buffered on: 431, and the connection closes."""
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(b"GET /api/users/me HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Padding: 1234567\r\n" * 4000)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk

    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer[:200]


def test_pipelined_and_kept_alive_requests_and_expect_100_continue_are_served(server):
    """Two requests in one packet, then a third on the same connection, then an upload that waits for 100."""
    request = f"GET /api/users/me HTTP/1.1\r\nHost: 127.0.0.1\r\napi-key: {API_KEY}\r\n\r\n".encode()
    body = upload_body()
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        reader = sock.makefile("rb")
        sock.sendall(request * 2)
        first, second = read_response(reader), read_response(reader)
        sock.sendall(request)
        third = read_response(reader)
        sock.sendall(upload_head(len(body), b"Expect: 100-continue"))
        interim = reader.readline()
        assert reader.readline() == b"\r\n"
        sock.sendall(body)
        upload = read_response(reader)

    assert [first[0], second[0], third[0]] == [b"HTTP/1.1 200 OK"] * 3
    assert interim == b"HTTP/1.1 100 Continue\r\n"
    assert upload[0] == b"HTTP/1.1 201 Created"  # and no second 100 Continue before it


def read_response(reader) -> tuple[bytes, bytes]:
    """Status line and body of one response with a Content-Length."""
    status = reader.readline().rstrip(b"\r\n")
    length = 0
    while (line := reader.readline()) != b"\r\n":
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, reader.read(length)


def page_upload_head(path: str, length: int, cookies: str = "csrftoken=" + "c" * 32) -> bytes:
    """The head of a multipart POST to a web page, as a browser sends it, for a body of `length` bytes."""
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Cookie: {cookies}",
        "Content-Type: multipart/form-data; boundary=b",
        f"Content-Length: {length}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or stops for 10 s)."""
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except OSError:
        pass
    return answer


def test_slow_oversized_form_posts_to_the_sign_in_page_are_refused_at_once_and_hold_nothing(server):
    """24 clients posting 12 MiB to /sign-in/ at 5,000 B/s: each gets a 413 at once; others are served."""
    head = page_upload_head("/sign-in/", 12 * MIB)
    clients = [socket.create_connection(("127.0.0.1", server), timeout=10) for _ in range(24)]
    started = time.monotonic()
    for sock in clients:
        sock.sendall(head + b"--b\r\n")
    answers: list[bytes] = []
    for sock in clients:
        answers.append(read_answer(sock))
        sock.close()
    answered = time.monotonic() - started
    others = [get_me(server, timeout=5) for _ in range(5)]

    assert answered < 5, answered  # at once, not when 12 MiB at 5,000 B/s (42 minutes) has arrived
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert b"The request body is too large" in answer
    assert others == [200] * 5


def test_a_400_mib_body_is_refused_before_any_of_it_is_read_or_written(server, server_tmp):
    """Declaring 400 MiB is enough for a 413: nothing of the body is waited for, nothing lands on disk."""
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(page_upload_head("/sign-in/", 400 * MIB))
        answer = read_answer(sock)  # the server answers, and closes, with no byte of the body sent

    assert time.monotonic() - started < 5
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert list((server_tmp / "spool").iterdir()) == []


def test_an_image_over_the_limit_posted_to_compose_is_refused_before_it_is_read(server, server_tmp):
    """Signed in, an 11 MiB image on /compose/ is a 413 page before the server has read the file."""
    session = sign_in(server)
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(page_upload_head("/compose/", 11 * MIB, session) + b"--b\r\n")
        answer = read_answer(sock)

    assert time.monotonic() - started < 5
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"The request body is too large" in answer
    assert list((server_tmp / "spool").iterdir()) == []


def sign_in(port: int) -> str:
    """The Cookie header of a signed-in web session (the sign-in form, as a browser posts it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    csrf = "k" * 32
    form = f"csrfmiddlewaretoken={csrf}&login=slow&password={PASSWORD}"
    headers = {
        "Cookie": f"csrftoken={csrf}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{port}/",
    }
    connection.request("POST", "/sign-in/", body=form, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 302, response.status
    cookies = response.headers.get_all("Set-Cookie") or []
    session = next(cookie for cookie in cookies if cookie.startswith("sessionid="))
    return f"csrftoken={csrf}; {session.split(';')[0]}"


def test_a_connection_whose_body_is_left_unread_is_announced_as_closing(server):
    """A 413 leaves the body on the connection: the answer says `Connection: close`, and it closes."""
    body = b"x" * (200 * 1024)
    head = upload_head(len(body)).replace(b"multipart/form-data; boundary=b", b"application/json")
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(head + body)
        answer = read_answer(sock)

    status, _, rest = answer.partition(b"\r\n")
    headers = rest.split(b"\r\n\r\n")[0].lower().split(b"\r\n")
    assert status == b"HTTP/1.1 413 Payload Too Large", answer[:200]
    assert b"connection: close" in headers

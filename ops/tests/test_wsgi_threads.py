"""ops.wsgi_threads: Django's WSGI handler served to gunicorn's event loop from a few persistent threads."""

import asyncio
import threading
import time

import pytest
from django.db import connection, connections
from django.db.backends.signals import connection_created
from prometheus_client import REGISTRY

from config.wsgi import application as django_application
from ops import middleware, wsgi_threads
from ops.wsgi_threads import WsgiInThreads


def scope(path: str = "/", *, method: str = "GET", query: bytes = b"", headers=()) -> dict:
    return {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "root_path": "",
        "query_string": query,
        "headers": list(headers),
        "server": ("testserver", 80),
        "client": ("10.1.2.3", 40000),
    }


async def call(app, request: dict, body: tuple[bytes, ...] = (b"",)) -> list[dict]:
    """The messages the app sends for `request`, whose body arrives in the pieces of `body`."""
    pieces = [
        {"type": "http.request", "body": piece, "more_body": number < len(body) - 1}
        for number, piece in enumerate(body)
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return pieces.pop(0)

    async def send(message: dict) -> None:
        sent.append(message)

    await app(request, receive, send)
    return sent


def serve(app, *requests: dict) -> list[list[dict]]:
    """`requests` sent to `app` at once, as an event loop with that many connections would."""

    async def together():
        return await asyncio.gather(*(call(app, request) for request in requests))

    return asyncio.run(together())


def body_of(messages: list[dict]) -> bytes:
    return b"".join(message.get("body", b"") for message in messages[1:])


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Thing", "1")])
    return [b"hello, ", b"world"]


def test_a_response_is_sent_whole_in_one_message_after_its_status_and_headers():
    """One hop back to the event loop per request: the start, then the whole body."""
    app = WsgiInThreads(hello, threads=2)

    messages = asyncio.run(call(app, scope()))

    assert messages == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"x-thing", b"1")],
        },
        {"type": "http.response.body", "body": b"hello, world"},
    ]


def test_requests_run_at_the_same_time_up_to_the_thread_count():
    """Requests that wait (on the database, say) overlap in one worker, as many as it has threads."""
    running, most = 0, 0
    lock = threading.Lock()

    def waits(environ, start_response):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1
        start_response("204 No Content", [])
        return []

    for threads in (3, 1):
        most = 0
        started = time.monotonic()
        answers = serve(WsgiInThreads(waits, threads=threads), *[scope()] * 6)
        took = time.monotonic() - started

        assert [messages[0]["status"] for messages in answers] == [204] * 6
        assert most == threads
        assert took < 6 / threads * 0.2 + 0.5


def test_threads_outlive_requests_and_each_request_is_served_in_one_of_them():
    """The app, its response's iteration and its close() all run in the same pool thread."""
    seen: list[tuple[int, int, int]] = []

    class Body:
        def __init__(self, called_in: int):
            self.called_in = called_in

        def __iter__(self):
            self.iterated_in = threading.get_ident()
            yield b"x"

        def close(self):
            seen.append((self.called_in, self.iterated_in, threading.get_ident()))

    def app(environ, start_response):
        start_response("200 OK", [])
        return Body(threading.get_ident())

    served = WsgiInThreads(app, threads=2)
    for _ in range(3):
        serve(served, *[scope()] * 4)

    assert len(seen) == 12
    assert all(called == iterated == closed for called, iterated, closed in seen)
    assert 1 <= len({called for called, _, _ in seen}) <= 2
    assert threading.get_ident() not in {called for called, _, _ in seen}


def test_the_response_is_closed_even_when_its_iteration_fails():
    """close() is Django's request_finished: it must run, or the thread's connection stays in a bad state."""
    closed = []

    class Failing:
        def __iter__(self):
            yield b"a first chunk"
            raise RuntimeError("broken")

        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [])
        return Failing()

    with pytest.raises(RuntimeError, match="broken"):
        asyncio.run(call(WsgiInThreads(app, threads=1), scope()))
    assert closed == [True]


def test_a_large_response_is_sent_from_the_thread_as_it_is_produced(monkeypatch):
    """Past STREAM_AFTER_BYTES the body is not held whole: it leaves while the app still produces it."""
    monkeypatch.setattr(wsgi_threads, "STREAM_AFTER_BYTES", 1000)
    sent_before_the_end: list[int] = []
    messages: list[dict] = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", "2400")])
        yield b"a" * 800
        yield b"b" * 800  # past 1,000 bytes: the start and 1,600 bytes are sent
        sent_before_the_end.append(len(messages))
        yield b"c" * 800

    async def run():
        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            messages.append(message)

        await WsgiInThreads(app, threads=1)(scope(), receive, send)

    asyncio.run(run())

    assert sent_before_the_end == [2]
    assert [message.get("more_body", False) for message in messages[1:]] == [True, False]
    assert body_of(messages) == b"a" * 800 + b"b" * 800 + b"c" * 800


def test_the_environ_carries_the_request_as_pep_3333_says():
    """Path, query, headers (repeated ones joined), client address and the body read whole."""
    seen: dict[str, object] = {}

    def app(environ, start_response):
        seen.update(environ, body=environ["wsgi.input"].read())
        start_response("200 OK", [])
        return []

    request = scope(
        "/api/tweets",
        method="POST",
        query=b"limit=20",
        headers=[
            (b"content-type", b"application/json"),
            (b"content-length", b"11"),
            (b"api-key", b"k"),
            (b"accept", b"text/html"),
            (b"accept", b"application/json"),
        ],
    )
    asyncio.run(call(WsgiInThreads(app, threads=1), request, (b'{"a":', b" 1}")))

    assert seen["REQUEST_METHOD"] == "POST"
    assert (seen["PATH_INFO"], seen["QUERY_STRING"], seen["SCRIPT_NAME"]) == ("/api/tweets", "limit=20", "")
    assert (seen["CONTENT_TYPE"], seen["CONTENT_LENGTH"]) == ("application/json", "11")
    assert seen["HTTP_API_KEY"] == "k"
    assert seen["HTTP_ACCEPT"] == "text/html,application/json"
    assert (seen["REMOTE_ADDR"], seen["SERVER_NAME"], seen["SERVER_PORT"]) == ("10.1.2.3", "testserver", "80")
    assert seen["body"] == b'{"a": 1}'


@pytest.fixture
def opened_by_thread():
    """How many database connections each thread opened while the test ran."""
    opened: dict[int, int] = {}

    def count(sender, connection, **kwargs):
        opened[threading.get_ident()] = opened.get(threading.get_ident(), 0) + 1

    connection_created.connect(count)
    yield opened
    connection_created.disconnect(count)


def on_every_thread(app: WsgiInThreads, work) -> None:
    """Runs `work` once in each of the app's threads (they meet at a barrier, so none runs it twice)."""
    barrier = threading.Barrier(app.threads, timeout=10)

    def job():
        barrier.wait()
        work()

    for future in [app.executor.submit(job) for _ in range(app.threads)]:
        future.result()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("max_age", [60, 0])
def test_each_thread_keeps_its_database_connection_between_requests_as_conn_max_age_says(
    make_user, opened_by_thread, max_age, monkeypatch
):
    """Django's request signals run in the request's thread: with CONN_MAX_AGE each of the two
    threads connects once for 12 requests; without it, every request connects and closes again."""
    monkeypatch.setitem(connections.settings[connection.alias], "CONN_MAX_AGE", max_age)
    monkeypatch.setattr(middleware, "_open_by_thread", {})  # counts from other tests' threads left out
    user = make_user("Threaded")
    opened_by_thread.clear()  # the test's own connection, which made the user
    app = WsgiInThreads(django_application, threads=2)
    me = scope("/api/users/me", headers=[(b"api-key", user.key.encode()), (b"host", b"testserver")])

    try:
        answers = [answer for _ in range(6) for answer in serve(app, me, me)]
        statuses = [messages[0]["status"] for messages in answers]
        opened = dict(opened_by_thread)
        gauge = REGISTRY.get_sample_value("chirp_db_connections_open")
    finally:
        on_every_thread(app, connections.close_all)
        app.executor.shutdown()

    assert statuses == [200] * 12
    assert threading.get_ident() not in opened
    # Django never closes the SQLite test database's in-memory connection (that would drop it).
    if max_age or getattr(connection, "is_in_memory_db", lambda: False)():
        assert list(opened.values()) in ([1], [1, 1])
        # The gauge counts every thread's connection, not only the last request's thread's.
        assert gauge == len(opened)
    else:
        assert sum(opened.values()) == 12

"""A WSGI app served to an ASGI server from a small pool of persistent threads.

gunicorn's asgi worker reads each request in its event loop (ops.body_gate decides what of the
body is read); only then is Django's WSGI handler run, in one of `threads` threads of the worker
process. The threads outlive requests, so each keeps its own database connection between them
(Django's connections are per thread, opened and closed on request_started/request_finished in
the thread that serves the request), and while one thread waits on PostgreSQL or Redis another
runs: a worker overlaps up to `threads` requests, as gunicorn's threaded worker did, but a slow
client still holds only a socket, never a thread.

asgiref's `WsgiToAsgi` did this in one thread per process (it runs the app thread-sensitively),
so each worker waited out every round trip alone, and it crosses back to the event loop for each
message of the response. Here a thread returns the whole response in one hop; only a response
larger than STREAM_AFTER_BYTES is sent from the thread as it is produced, waiting when the
client's socket is full, as asgiref's adapter did for every response.

Each request is served from start to end (the app's call, its response's iteration and close())
in one thread, so the request_finished signal closes that thread's connections and clears its
request id (ops.apps), and the next request on the thread starts clean.
"""

import asyncio
import io
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from tempfile import SpooledTemporaryFile
from typing import IO, Any

from ops.body_gate import Message, Receive, Scope, Send

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# A request body is kept in memory up to this size, then in a temporary file (as asgiref's adapter).
SPOOL_MEMORY_BYTES = 64 * 1024
# A response is returned to the event loop whole up to this size; a larger one (a file, a stream) is
# sent from the thread piece by piece, so that it is never held in memory whole.
STREAM_AFTER_BYTES = 1024 * 1024


class WsgiInThreads:
    """The ASGI app: `wsgi_app` run in a pool of `threads` threads, one request at a time each."""

    def __init__(self, wsgi_app: WsgiApp, *, threads: int):
        self.wsgi_app = wsgi_app
        self.threads = threads
        # Threads start as requests need them (at most `threads`) and then stay, with their
        # connections, for the life of the worker process.
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="django")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"only HTTP is served, not {scope['type']!r}")
        body = await _read_body(receive)
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self.executor, self._serve, scope, body, loop, send)
        if not response.started:
            await send(response.start_message())
        await send({"type": "http.response.body", "body": b"".join(response.pending)})

    def _serve(
        self, scope: Scope, body: IO[bytes], loop: asyncio.AbstractEventLoop, send: Send
    ) -> "_Response":
        """In a pool thread: the app's call and its whole response; returns what is left to send."""
        response = _Response(loop, send)
        # The body is closed here, not by the event loop: should the client go away and the
        # server cancel the request, the thread may still be reading it.
        with body:
            chunks = self.wsgi_app(_environ(scope, body), response.start_response)
            try:
                for chunk in chunks:
                    response.write(chunk)
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()  # Django's request_finished: this thread's connections are closed or kept
        if response.status is None:
            raise RuntimeError("the WSGI app returned without calling start_response()")
        return response


class _Response:
    """One response as the app produces it in a thread: status, headers, and the body not yet sent."""

    def __init__(self, loop: asyncio.AbstractEventLoop, send: Send):
        self.loop = loop
        self.send = send
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.started = False  # the status line has been sent (only a large response is, by the thread)
        self.pending: list[bytes] = []
        self.pending_bytes = 0

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info=None
    ) -> Callable[[bytes], None]:
        if exc_info is not None and self.started:
            raise exc_info[1].with_traceback(exc_info[2])
        if self.status is not None and exc_info is None:
            raise RuntimeError("start_response() called twice without exc_info")
        self.status = int(status.split(" ", 1)[0])
        self.headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
        return self.write

    def start_message(self) -> Message:
        return {"type": "http.response.start", "status": self.status, "headers": self.headers}

    def write(self, chunk: bytes) -> None:
        if self.status is None:
            raise RuntimeError("the WSGI app wrote its body before calling start_response()")
        if not chunk:
            return
        self.pending.append(chunk)
        self.pending_bytes += len(chunk)
        if self.pending_bytes > STREAM_AFTER_BYTES:
            if not self.started:
                self._send_now(self.start_message())
                self.started = True
            self._send_now({"type": "http.response.body", "body": b"".join(self.pending), "more_body": True})
            self.pending, self.pending_bytes = [], 0

    def _send_now(self, message: Message) -> None:
        """From the thread: hand `message` to the event loop and wait until the server has taken it."""

        async def send() -> None:
            await self.send(message)

        asyncio.run_coroutine_threadsafe(send(), self.loop).result()


async def _read_body(receive: Receive) -> IO[bytes]:
    message = await receive()
    if not message.get("more_body"):
        return io.BytesIO(message.get("body", b""))
    spool = SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115 (closed by the caller)
    spool.write(message.get("body", b""))
    while message.get("more_body"):
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away: the app sees what arrived, and its answer goes nowhere
        spool.write(message.get("body", b""))
    spool.seek(0)
    return spool


def _environ(scope: Scope, body: IO[bytes]) -> dict[str, Any]:
    """The WSGI environ of an ASGI HTTP scope (PEP 3333; as asgiref's adapter builds it)."""
    script_name = scope.get("root_path", "").encode().decode("latin-1")
    path_info = scope["path"].encode().decode("latin-1")
    if path_info.startswith(script_name):
        path_info = path_info[len(script_name) :]
    server = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": scope["query_string"].decode("ascii"),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1] if server[1] is not None else 0),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if scope.get("client"):
        environ["REMOTE_ADDR"] = scope["client"][0]
    for name, value in scope["headers"]:
        key = name.decode("latin-1").upper().replace("-", "_")
        if key not in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            key = "HTTP_" + key
        text = value.decode("latin-1")
        # A repeated header's values are joined with commas (RFC 9110, section 5.3).
        environ[key] = f"{environ[key]},{text}" if key in environ else text
    return environ

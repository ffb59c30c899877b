"""gunicorn's threaded worker, with each request read by the event loop before a thread gets it.

The stock gthread worker waits for a connection's first bytes in its event loop, then hands the
connection to a pool thread that reads the request head and body with blocking reads. A client
that sends one header line a second, or an upload a few bytes at a time, holds that thread for
as long as it likes; a handful of them hold every thread of every worker.

Here the event loop reads the head, and a body with a Content-Length up to GUNICORN_BODY_BUFFER_MAX,
without blocking, into a buffer (spilled to a temporary file past 256 KiB), and a thread only
gets the request once it is all there: slow clients cost a socket and a buffer, never a thread.
They are cut too, with a 408 and the connection closed:

- the head must be complete GUNICORN_HEADER_TIMEOUT seconds after the connection opened (for
  a kept-alive connection: after its first byte; the wait before it is GUNICORN_KEEPALIVE);
- the body must arrive at GUNICORN_BODY_MIN_RATE bytes a second on average, after a grace of
  GUNICORN_BODY_TIMEOUT seconds: by then + n / rate seconds, n bytes must be in.

Bodies this loop does not buffer (chunked, or longer than the buffer, which Chirp refuses from
the Content-Length without reading them) are read by the thread under the same rate, through
socket timeouts. TLS and HTTP/2 are left to the stock worker: the loop reads plain HTTP/1 bytes,
and Chirp's TLS ends at the proxy in front.
"""

import contextlib
import errno
import re
import selectors
import socket
import tempfile
import time
from dataclasses import dataclass
from functools import partial

from gunicorn.http.parser import RequestParser
from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers import gthread

# Larger heads are refused (431) without reading on: nginx's default accepts 32 KiB.
MAX_HEAD_BYTES = 64 * 1024
# A body buffer stays in memory up to this size, then moves to a temporary file.
SPOOL_MEMORY_BYTES = 256 * 1024
_RECV_BYTES = 64 * 1024
# How long a connection answered with a 408 or 431 is drained before it is closed.
_LINGER_SECONDS = 2.0
# Deadlines are checked this often (and at least once a second, when the event loop wakes).
_SWEEP_SECONDS = 0.25
# A worker whose threads all have a request leaves a new connection to the other workers this long;
# if none took it by then, it takes it anyway.
ACCEPT_YIELD_SECONDS = 0.005

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d{1,15})[ \t]*(?=\r\n)", re.IGNORECASE)
_TRANSFER_ENCODING = re.compile(rb"\r\ntransfer-encoding:", re.IGNORECASE)
_EXPECT_CONTINUE = re.compile(rb"\r\nexpect:[ \t]*100-continue[ \t]*(?=\r\n)", re.IGNORECASE)
_HTTP_11 = re.compile(rb"^[^\r\n]* HTTP/1\.1\r\n")


def _closing_response(status: str, text: str) -> bytes:
    """A plain-text answer the loop sends itself, before closing the connection."""
    body = text.encode() + b"\n"
    headers = f"Connection: close\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}"
    return f"HTTP/1.1 {status}\r\n{headers}\r\n\r\n".encode() + body


_TIMEOUT_RESPONSE = _closing_response("408 Request Timeout", "The request took too long to arrive.")
_HEAD_TOO_LARGE_RESPONSE = _closing_response(
    "431 Request Header Fields Too Large", "The request head is too large."
)


@dataclass(frozen=True)
class Limits:
    """How long a client may take to send its request (gunicorn.conf.py sets them from GUNICORN_*)."""

    header_timeout: int = 10
    body_timeout: int = 10
    body_min_rate: int = 4096
    body_buffer_max: int = 11 * 1024 * 1024

    def body_deadline(self, started: float, received: int) -> float:
        return started + self.body_timeout + received / self.body_min_rate


class RateLimitedUnreader(SocketUnreader):
    """Replays what the event loop buffered, then reads the socket under the body rate limit."""

    def __init__(self, sock, buffered, limits: Limits):
        super().__init__(sock)
        self.buffered = buffered
        self.limits = limits
        self.started = time.monotonic()
        self.received = 0

    def chunk(self, size_hint=None):
        data = self.buffered.read(max(size_hint or 0, self.mxchunk)) if self.buffered else b""
        if data:
            return data
        remaining = self.limits.body_deadline(self.started, self.received) - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the client sent its request too slowly")
        # gunicorn bounds its drain of an unread body with a timeout of its own: the shorter wins.
        prior = self.sock.gettimeout()
        self.sock.settimeout(remaining if prior is None else min(prior, remaining))
        try:
            data = super().chunk(size_hint)
        finally:
            self.sock.settimeout(prior)
        self.received += len(data)
        return data


class Reading:
    """A connection whose next request the event loop is reading."""

    def __init__(self, conn, deadline: float, kept_alive: bool):
        self.conn = conn
        self.deadline = deadline
        self.kept_alive = kept_alive
        self.head = bytearray()
        self.head_end = -1
        self.body: tempfile.SpooledTemporaryFile[bytes] | None = None
        self.body_length = 0
        self.body_received = 0
        self.body_started = 0.0
        self.continue_sent = False
        self.draining = False


class GuardedThreadWorker(gthread.ThreadWorker):
    """gthread whose threads only ever get requests that have fully arrived (see the module)."""

    limits = Limits()

    @classmethod
    def with_limits(cls, limits: Limits) -> type["GuardedThreadWorker"]:
        """This worker class with other limits, for gunicorn.conf.py's worker_class."""
        return type(cls.__name__, (cls,), {"limits": limits})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reading: dict[object, Reading] = {}
        self.next_sweep = 0.0
        self.linger_until: float | None = None
        self.listeners_closed = False
        # TLS records and HTTP/2 frames are not what the loop parses: the stock worker serves those.
        self.guarding = not self.cfg.is_ssl and self.cfg.http2_cleartext == "off"
        self.yield_started: float | None = None
        # Requests handed to the thread pool and not finished yet.
        self.in_threads = 0

    def _yielding(self) -> bool:
        return self.yield_started is not None and time.monotonic() - self.yield_started < ACCEPT_YIELD_SECONDS

    def busy(self) -> bool:
        """As many requests as threads: in the pool, or arriving (idle kept-alive connections don't count)."""
        arriving = sum(1 for state in self.reading.values() if not (state.kept_alive and not state.head))
        return self.in_threads + arriving >= self.cfg.threads

    def enqueue_req(self, conn):
        self.in_threads += 1
        super().enqueue_req(conn)

    def wait_for_and_dispatch_events(self, timeout):
        # During a yield, look at the listener again as soon as it ends.
        if self._yielding():
            timeout = min(timeout, ACCEPT_YIELD_SECONDS)
        super().wait_for_and_dispatch_events(timeout)

    def accept(self, listener) -> bool:
        """Take one connection off the listener; False when none was waiting.

        Every worker is woken for a new connection and the first to call accept() gets it, busy or
        not; a kept-alive client (nginx's upstream pool, a benchmark) then stays on that worker. Left
        alone, the 16 connections of a load test settled on two or three of five workers (seen:
        7/7/2, 8/8, 9/6/1) while the others idled, each busy worker's threads sharing one GIL.
        So a busy worker first leaves the connection to the others for ACCEPT_YIELD_SECONDS, then
        takes it if it is still waiting: connections go to the least loaded workers, and none ever
        waits longer than that for a worker that has not got to it.
        """
        if self.alive and self.guarding and self.busy():
            now = time.monotonic()
            if self.yield_started is None or now - self.yield_started > 4 * ACCEPT_YIELD_SECONDS:
                self.yield_started = now  # a new connection: leave it to the others for a moment
            if now - self.yield_started < ACCEPT_YIELD_SECONDS:
                self.set_accept_enabled(False)
                return False
            # Still waiting after the yield: nobody less busy got to it.
        self.yield_started = None
        try:
            client_sock, client_addr = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return e.errno == errno.ECONNABORTED
        self.nr_conns += 1
        conn = gthread.TConn(self.cfg, client_sock, client_addr, listener.getsockname())
        if self.guarding:
            self._read_next(conn, b"", time.monotonic() + self.limits.header_timeout, kept_alive=False)
        else:
            client_sock.setblocking(True)
            self.enqueue_req(conn)
        return True

    def set_accept_enabled(self, enabled):
        # The event loop asks for accepting again on its next turn; during a yield, not yet.
        if enabled and self.alive and self._yielding():
            return
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            self._close_listeners()

    def _close_listeners(self) -> None:
        """On a graceful stop: take every connection already queued on the listeners, then close them.

        The kernel keeps queueing connections on a listening socket while any process holds it open,
        and resets them when the last one closes it. The stock worker stops accepting at once but
        closes its listeners only after its in-flight requests, so every request sent meanwhile was
        reset (seen under load: a few per SIGTERM). Draining the queue and closing straight away
        serves those, and leaves later connections refused, which a load balancer retries elsewhere.
        """
        if self.listeners_closed:
            return
        self.listeners_closed = True
        for listener in self.sockets:
            listener.setblocking(False)
            while self.accept(listener):
                pass
            listener.close()

    def _read_next(self, conn, data: bytes, deadline: float, *, kept_alive: bool) -> None:
        """Watch the connection until its next request is in; `data` is what already arrived."""
        conn.sock.setblocking(False)
        state = Reading(conn, deadline, kept_alive)
        self.reading[conn] = state
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, state))
        if data:
            self._received(state, data)

    def _on_readable(self, state: Reading, _sock) -> None:
        try:
            data = state.conn.sock.recv(_RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(state)
        elif not state.draining:
            self._received(state, data)

    def _received(self, state: Reading, data: bytes) -> None:
        now = time.monotonic()
        if state.head_end < 0:
            if state.kept_alive and not state.head:
                state.deadline = now + self.limits.header_timeout
            state.head += data
            end = state.head.find(b"\r\n\r\n")
            if end < 0:
                if len(state.head) > MAX_HEAD_BYTES:
                    self._drop(state, _HEAD_TOO_LARGE_RESPONSE)
                return
            if end + 4 > MAX_HEAD_BYTES:
                self._drop(state, _HEAD_TOO_LARGE_RESPONSE)
                return
            state.head_end = end + 4
            head = bytes(state.head[: state.head_end])
            length = _CONTENT_LENGTH.search(head)
            body_length = int(length[1]) if length else 0
            if _TRANSFER_ENCODING.search(head) or body_length > self.limits.body_buffer_max:
                self._dispatch(state, _BytesSource(bytes(state.head)), b"")
                return
            if not body_length:
                self._dispatch(state, _BytesSource(head), bytes(state.head[state.head_end :]))
                return
            # Closed once a thread has read it, or when the connection is dropped.
            state.body = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
            state.body.write(head)
            state.body_length = body_length
            state.body_started = now
            data = bytes(state.head[state.head_end :])
            del state.head[state.head_end :]
            if not data and _EXPECT_CONTINUE.search(head) and _HTTP_11.match(head):
                # The client waits for this before it sends the body.
                self._send(state.conn, b"HTTP/1.1 100 Continue\r\n\r\n")
                state.continue_sent = True
        missing = state.body_length - state.body_received
        assert state.body is not None, "a request with a body to read has its spool"
        state.body.write(data[:missing])
        state.body_received += min(len(data), missing)
        if state.body_received == state.body_length:
            state.body.seek(0)
            self._dispatch(state, state.body, data[missing:])
            return
        state.deadline = self.limits.body_deadline(state.body_started, state.body_received)

    def _dispatch(self, state: Reading, request, surplus: bytes) -> None:
        """Hand a request that has arrived (or whose body a thread reads) to the thread pool."""
        self._forget(state)
        conn = state.conn
        conn.data_ready = True
        conn.buffered_request = request
        conn.surplus = surplus
        conn.continue_sent = state.continue_sent
        self.enqueue_req(conn)

    def handle(self, conn):
        if not self.guarding:
            return super().handle(conn)
        conn.init()
        # A fresh parser per request, reading what the loop buffered: the request it parses is
        # complete, or the rest of its body is read under the rate limit.
        conn.parser = RequestParser(self.cfg, conn.sock, conn.client)
        conn.parser.unreader = RateLimitedUnreader(conn.sock, conn.buffered_request, self.limits)
        try:
            return super().handle(conn)
        finally:
            conn.buffered_request.close()

    def handle_request(self, req, conn):
        if getattr(conn, "continue_sent", False):
            req._expected_100_continue = False
        return super().handle_request(req, conn)

    def finish_request(self, conn, fs):
        self.in_threads -= 1
        if not self.guarding:
            return super().finish_request(conn, fs)
        try:
            keep_alive = fs.result() is True if not fs.cancelled() else False
        except Exception:
            keep_alive = False
        if not keep_alive:
            self.nr_conns -= 1
            conn.close()
            return
        data = conn.parser.unreader.take_buffered() + conn.surplus
        self._read_next(conn, data, time.monotonic() + self.cfg.keepalive, kept_alive=True)

    def murder_pending(self):
        """Cut connections past their deadline; when stopping, idle ones after a short linger."""
        super().murder_pending()
        now = time.monotonic()
        if now < self.next_sweep:
            return
        self.next_sweep = now + _SWEEP_SECONDS
        if not self.alive and self.linger_until is None:
            # As the stock worker: a request already on its way is still answered (and closed).
            self.linger_until = now + gthread.STOP_KEEPALIVE_LINGER
        stopping = self.linger_until is not None and now >= self.linger_until
        for state in list(self.reading.values()):
            idle = not state.head
            if now >= state.deadline or (idle and stopping):
                self._drop(state, None if idle or state.draining else _TIMEOUT_RESPONSE)

    def _drop(self, state: Reading, response: bytes | None = None) -> None:
        """Close the connection, or answer it, half-close it and close it once drained."""
        if state.body is not None:
            state.body.close()
            state.body = None
        if response is None:
            self._forget(state)
            self.nr_conns -= 1
            state.conn.close()
            return
        self._send(state.conn, response)
        # Closing with unread bytes from the client would reset the connection, and the client
        # could lose the answer: read and discard them until the client closes, or for a while.
        with contextlib.suppress(OSError):
            state.conn.sock.shutdown(socket.SHUT_WR)
        state.draining = True
        state.deadline = time.monotonic() + _LINGER_SECONDS

    def _forget(self, state: Reading) -> None:
        self.reading.pop(state.conn, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(state.conn.sock)

    @staticmethod
    def _send(conn, data: bytes) -> None:
        """Best effort, never blocking: a small response fits the socket's send buffer."""
        with contextlib.suppress(OSError):
            conn.sock.send(data)


class _BytesSource:
    """A request head (whose body a thread reads) with the file interface the unreader uses."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, size: int) -> bytes:
        data, self.data = self.data[:size], self.data[size:]
        return data

    def close(self) -> None:
        self.data = b""

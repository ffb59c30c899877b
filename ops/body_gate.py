"""ASGI middleware in front of Chirp's WSGI app: a request's body arrives whole, or not at all.

gunicorn's asgi worker reads requests in its event loop and hands them to this gate; asgiref's
WsgiToAsgi behind it runs Django's WSGI handler in the worker's thread once the body is in. So a
thread never waits on a client, and the gate decides, from the head alone, what is read:

- a body larger than request_body_limit() allows for its path, or one of unknown length (chunked,
  which Django's WSGI request never reads), is not read at all: the app sees the head with an
  empty body and refuses it (web.middleware.BodySizeLimitMiddleware answers 413 from the declared
  length), and the answer says `Connection: close`, as the unread body cannot be skipped cheaply;
- any other body must arrive at `min_rate` bytes a second on average after a grace of `timeout`
  seconds (by then + n / min_rate seconds, n bytes must be in), or the client gets a 408 and the
  connection closes.
"""

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ops.body_limits import request_body_limit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

_TIMEOUT_BODY = b"The request took too long to arrive.\n"


class _ClientTooSlow(Exception):
    """The body fell behind the minimum rate."""


class _ClientGone(Exception):
    """The client went away (or stopped sending for longer than the server waits) mid-body."""


class RequestBodyGate:
    def __init__(self, app: App, *, timeout: float, min_rate: float):
        self.app = app
        self.timeout = timeout
        self.min_rate = min_rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length, chunked, content_type = _framing(scope["headers"])
        if not length and not chunked:
            return await self.app(scope, receive, send)
        if chunked or length < 0 or length > request_body_limit(scope["path"], content_type):
            return await self.app(scope, _no_body, _closing(send))
        loop = asyncio.get_running_loop()
        started = loop.time()
        received = 0

        async def timed_receive() -> Message:
            nonlocal received
            due = started + self.timeout + received / self.min_rate
            try:
                async with asyncio.timeout_at(due):
                    message = await receive()
            except TimeoutError:
                raise _ClientTooSlow from None
            if message["type"] == "http.disconnect":
                raise _ClientGone
            received += len(message.get("body", b""))
            return message

        try:
            await self.app(scope, timed_receive, send)
        except _ClientTooSlow:
            headers = [
                (b"content-type", b"text/plain"),
                (b"content-length", str(len(_TIMEOUT_BODY)).encode()),
                (b"connection", b"close"),
            ]
            await send({"type": "http.response.start", "status": 408, "headers": headers})
            await send({"type": "http.response.body", "body": _TIMEOUT_BODY})
        except _ClientGone:
            return None


def _framing(headers: list[tuple[bytes, bytes]]) -> tuple[int, bool, str]:
    """Declared Content-Length (0 if none, -1 if malformed), chunked or not, and Content-Type."""
    length, chunked, content_type = 0, False, ""
    for name, value in headers:
        name = name.lower()
        if name == b"content-length":
            length = int(value) if value.strip().isdigit() else -1
        elif name == b"transfer-encoding":
            chunked = True
        elif name == b"content-type":
            content_type = value.decode("latin-1").lower()
    return length, chunked, content_type


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _closing(send: Send) -> Send:
    """`send`, with `Connection: close` on the response: the body left on the connection is not read."""

    async def send_closing(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
        await send(message)

    return send_closing

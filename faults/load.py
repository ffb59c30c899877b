"""A small load generator: threads, one http.client connection per request, bounded in count and time.

Each request is recorded with its start and end (monotonic seconds), its outcome (an HTTP status or
the name of the socket error) and, for an acknowledged write, what the server acknowledged, so a
scenario can check afterwards that every acknowledged write is in the database.
"""

from __future__ import annotations

import http.client
import json
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Account:
    user_id: int
    key: str
    username: str = ""
    password: str = ""


@dataclass
class Result:
    kind: str
    started: float
    ended: float
    # An HTTP status, or the exception's class name when no response came (ConnectionResetError...).
    outcome: int | str
    # ("tweet", tweet_id) or ("like", user_id, tweet_id) for an acknowledged write.
    ack: tuple | None = None
    body: dict | None = None
    retry_after: str | None = None

    @property
    def latency(self) -> float:
        return self.ended - self.started

    @property
    def ok(self) -> bool:
        return isinstance(self.outcome, int) and 200 <= self.outcome < 300


@dataclass
class Client:
    """Speaks to one Chirp over plain HTTP as the TLS proxy in front of it would."""

    port: int
    timeout: float = 10.0

    def request(
        self,
        method: str,
        path: str,
        *,
        key: str | None = None,
        body: dict | None = None,
        file: bytes | None = None,
    ):
        """(status or error name, parsed JSON body or None, headers) of one request on a fresh connection.

        `body` goes as JSON; `file` as a multipart upload in the field `file`.
        """
        headers = {"X-Forwarded-Proto": "https", "Connection": "close"}
        if key:
            headers["api-key"] = key
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if file is not None:
            boundary = secrets.token_hex(16)
            payload = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload.png"\r\n'
                    f"Content-Type: image/png\r\n\r\n"
                ).encode()
                + file
                + f"\r\n--{boundary}--\r\n".encode()
            )
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, payload, headers)
            response = connection.getresponse()
            data = response.read()
            try:
                parsed = json.loads(data) if data else None
            except ValueError:
                parsed = None
            # Header names are case-insensitive: an ASGI server sends them lower-case.
            return response.status, parsed, {name.lower(): value for name, value in response.getheaders()}
        except (OSError, http.client.HTTPException) as exc:
            return type(exc).__name__, None, {}
        finally:
            connection.close()


@dataclass
class Load:
    """Run `actions` (name -> weight) from `threads` threads until stopped, `duration` or `max_requests`."""

    client: Client
    accounts: list[Account]
    tweet_ids: list[int]
    actions: dict[str, int]
    threads: int = 6
    duration: float = 30.0
    max_requests: int = 20_000
    results: list[Result] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []

    def start(self) -> Load:
        self.deadline = time.monotonic() + self.duration
        for number in range(self.threads):
            worker = threading.Thread(target=self._loop, args=(number,), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def stop(self) -> list[Result]:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=self.client.timeout + 5)
        return self.results

    def _loop(self, number: int) -> None:
        rng = random.Random(number)
        account = self.accounts[number % len(self.accounts)]
        state: dict = {"next": None, "liked": set()}
        kinds = list(self.actions)
        weights = list(self.actions.values())
        while not self._stop.is_set() and time.monotonic() < self.deadline:
            with self._lock:
                if len(self.results) >= self.max_requests:
                    return
            kind = rng.choices(kinds, weights)[0]
            result = ACTIONS[kind](self, account, rng, state)
            with self._lock:
                self.results.append(result)

    def _timed(self, kind: str, method: str, path: str, *, key=None, body=None, ack=None) -> Result:
        started = time.monotonic()
        outcome, parsed, headers = self.client.request(method, path, key=key, body=body)
        result = Result(
            kind, started, time.monotonic(), outcome, body=parsed, retry_after=headers.get("retry-after")
        )
        if result.ok and ack is not None:
            result.ack = ack(parsed)
        return result


def _tweet(load: Load, account: Account, rng: random.Random, state: dict) -> Result:
    text = f"fault test {rng.random():.12f}"
    return load._timed(
        "tweet", "POST", "/api/tweets", key=account.key, body={"tweet_data": text, "tweet_media_ids": []},
        ack=lambda body: ("tweet", body["tweet_id"]),
    )  # fmt: skip


def _like(load: Load, account: Account, rng: random.Random, state: dict) -> Result:
    """Like a tweet this thread has not liked yet (never unliked: every acknowledged like must stay)."""
    candidates = [tweet for tweet in load.tweet_ids if tweet not in state["liked"]] or load.tweet_ids
    tweet = rng.choice(candidates)
    state["liked"].add(tweet)
    return load._timed(
        "like", "POST", f"/api/tweets/{tweet}/likes", key=account.key,
        ack=lambda body: ("like", account.user_id, tweet),
    )  # fmt: skip


def _like_or_unlike(load: Load, account: Account, rng: random.Random, state: dict) -> Result:
    tweet = rng.choice(load.tweet_ids)
    method = "DELETE" if tweet in state["liked"] else "POST"
    state["liked"] ^= {tweet}
    return load._timed("like/unlike", method, f"/api/tweets/{tweet}/likes", key=account.key)


def _feed(load: Load, account: Account, rng: random.Random, state: dict) -> Result:
    return load._timed(
        "feed page", "GET", f"/api/tweets?offset={rng.randint(1, 2)}&limit=10", key=account.key
    )


def _cursor(load: Load, account: Account, rng: random.Random, state: dict) -> Result:
    """The next cursor page, or a first one when the walk ended (or failed)."""
    path = state["next"] or "/api/tweets?cursor=&limit=5"
    result = load._timed("cursor page", "GET", path, key=account.key)
    state["next"] = result.body.get("next") if result.ok and result.body else None
    return result


def _login(load: Load, account: Account, rng: random.Random, state: dict) -> Result:
    return load._timed(
        "login", "POST", "/api/auth/token", body={"username": account.username, "password": account.password}
    )


ACTIONS: dict[str, Callable[[Load, Account, random.Random, dict], Result]] = {
    "tweet": _tweet,
    "like": _like,
    "like/unlike": _like_or_unlike,
    "feed page": _feed,
    "cursor page": _cursor,
    "login": _login,
}

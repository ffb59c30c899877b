"""Login throttling: the one mechanism every door that checks a password uses (the API's token
endpoint, the admin login, the web sign-in); and the password reset requests' throttle.

Three counters in the default cache, each a window that starts at its first hit:
- per client address, every attempt (one address spraying many accounts);
- per account and address, failed attempts (guessing one account from one place);
- per account from anywhere, failed attempts, in a short window (guessing from many addresses).
An account is counted as itself whichever login names it (username or email, any letter case),
an unknown login by its normalised spelling. There is no hard lockout: a correct password is
refused only while a window is full, and the owner's own address is only ever held back by the
per-account ceiling's short window however many wrong passwords others type.
"""

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from accounts.models import User
from common.errors import RateLimited

T = TypeVar("T")


def client_address(request) -> str:
    """The client's address: X-Forwarded-For only as far as NUM_PROXIES trusts it, else the peer."""
    return BaseThrottle().get_ident(request) or ""


def _account_ident(login: str) -> str:
    # Usernames are matched by their lower case, so every spelling of one, known or not, is one
    # key; an email is resolved to its account's username (one indexed query).
    normalised = (login or "").strip().lower()
    if "@" in normalised:
        username = User.objects.with_email(normalised).values_list("username", flat=True).first()
        if username is not None:
            normalised = username.lower()
    # Hashed: any characters are safe in a cache key, and the cache holds no login names.
    return hashlib.sha256(normalised.encode()).hexdigest()


def _key(kind: str, *parts: str) -> str:
    return f"chirp:login:{kind}:" + hashlib.sha256("\0".join(parts).encode()).hexdigest()


LOGIN_THROTTLED = "Too many login attempts; try again later."

# (limit, window in seconds), from settings.LOGIN_THROTTLE_RATES.
Rate = tuple[int, int]


def _counters(*, account: str, address: str) -> dict[str, tuple[str, Rate]]:
    rates = settings.LOGIN_THROTTLE_RATES
    return {
        "address": (_key("address", address), rates["address"]),
        "account_address": (_key("account_address", account, address), rates["account_address"]),
        "account": (_key("account", account), rates["account"]),
    }


def _live(entry, now: float, rate: Rate) -> tuple[float, int] | None:
    """(window start, count) of a counter whose window is still open."""
    if not entry or now >= entry[0] + rate[1]:
        return None
    return entry[0], entry[1]


def _check(
    counters: dict[str, tuple[str, Rate]],
    now: float,
    message: str = "Too many login attempts; try again later.",
) -> dict:
    entries = cache.get_many([key for key, _ in counters.values()])
    waits = [
        entry[0] + rate[1] - now
        for key, rate in counters.values()
        if (entry := _live(entries.get(key), now, rate)) is not None and entry[1] >= rate[0]
    ]
    if waits:
        raise RateLimited(message, retry_after=int(max(waits)) + 1)
    return entries


def _increment(key: str, rate: Rate, entries: dict, now: float) -> None:
    # A read-then-write: concurrent attempts may undercount by their number, not more.
    start, count = _live(entries.get(key), now, rate) or (now, 0)
    cache.set(key, (start, count + 1), timeout=max(1, int(start + rate[1] - now) + 1))


def _record(counters: dict[str, tuple[str, Rate]], entries: dict, now: float, *, succeeded: bool) -> None:
    kinds = ("address",) if succeeded else ("address", "account_address", "account")
    for kind in kinds:
        _increment(*counters[kind], entries, now)
    if succeeded and entries.get(counters["account_address"][0]):
        cache.delete(counters["account_address"][0])


def login_throttle_check(*, login: str, address: str) -> None:
    """Before checking a password: RateLimited(retry_after=...) while a window is full, so a refused
    attempt costs no password hashing and learns nothing about the password."""
    _check(_counters(account=_account_ident(login), address=address), time.time())


def login_attempt_record(*, login: str, address: str, succeeded: bool) -> None:
    """After checking a password, with its outcome: count the attempt (a failure also against the
    account); a success clears the failures of that account from that address."""
    counters = _counters(account=_account_ident(login), address=address)
    entries = cache.get_many([key for key, _ in counters.values()])
    _record(counters, entries, time.time(), succeeded=succeeded)


def login_attempt(*, login: str, address: str, check: Callable[[], T | None]) -> T | None:
    """The whole throttled login for a door: refuse early while a window is full (RateLimited), else
    run `check` (the password check, returning the user or None) and record its outcome; returns it.

        user = login_attempt(login=username, address=client_address(request),
                             check=lambda: authenticate(request, username=username, password=password))
    """
    counters = _counters(account=_account_ident(login), address=address)
    entries = _check(counters, time.time())
    result = check()
    _record(counters, entries, time.time(), succeeded=result is not None)
    return result


def password_reset_throttle_check(*, email: str, address: str) -> None:
    """Count a password reset request per client address and per email address asked for (known
    or not, so that a refusal reveals nothing); RateLimited past either limit (before sending)."""
    rates = settings.PASSWORD_RESET_THROTTLE_RATES
    counters = {
        "address": (_key("reset_address", address), rates["address"]),
        "email": (_key("reset_email", email.strip().lower()), rates["email"]),
    }
    now = time.time()
    entries = _check(counters, now, "Too many password reset requests; try again later.")
    for key, rate in counters.values():
        _increment(key, rate, entries, now)


UPLOADS_THROTTLED = "Too many uploads; try again later."


def upload_throttle_check(*, user_id: int, count: int = 1) -> None:
    """Count `count` image uploads of a user against UPLOAD_THROTTLE_RATE, whichever door they come
    through (one per API request, all the images of a web post at once); RateLimited, counting
    none of them, when they do not all fit in the window."""
    rate = settings.UPLOAD_THROTTLE_RATE
    key = _key("uploads", str(user_id))
    now = time.time()
    start, used = _live(cache.get(key), now, rate) or (now, 0)
    if used + count > rate[0]:
        raise RateLimited(UPLOADS_THROTTLED, retry_after=int(start + rate[1] - now) + 1)
    cache.set(key, (start, used + count), timeout=max(1, int(start + rate[1] - now) + 1))

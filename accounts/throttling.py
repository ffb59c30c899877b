"""Login throttling: the one mechanism every door that checks a password uses (the API's token
endpoint, the admin login, the web sign-in); and the password reset requests' throttle.

Three counters in the default cache:
- per client address, every attempt (one address spraying many accounts): refuses while full;
- per account and address, failed attempts (guessing one account from one place): refuses while
  full; only the guessing address is held back;
- per account from anywhere, failed attempts (guessing from many addresses): it never locks the
  account. Past a burst of `limit` failures it paces the account's password checks to its average
  rate, one per window/limit seconds (20/15m: one per 45 s; a generic cell rate algorithm), for
  every address that has failed at the account within the account-and-address window. The pace
  spares an address the account signed in from in the last 30 days and an address without such a
  failure: the owner's first try from anywhere is checked, however many wrong passwords others
  typed. The price: an attacker gets one unpaced guess per fresh address per window
  (account_address's, an hour), on top of the pace's bound.
An account is counted as itself whichever login names it (username or email, any letter case),
an unknown login by its normalised spelling.
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


# How long an address stays known to an account after a successful login from it.
KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600


def _counters(*, account: str, address: str) -> dict[str, tuple[str, Rate]]:
    rates = settings.LOGIN_THROTTLE_RATES
    return {
        "address": (_key("address", address), rates["address"]),
        "account_address": (_key("account_address", account, address), rates["account_address"]),
        # Its entry is the account's theoretical arrival time (a float), not a window.
        "account": (_key("account_pace", account), rates["account"]),
        "known": (_key("known", account, address), (0, KNOWN_ADDRESS_SECONDS)),
    }


def _pace(rate: Rate) -> tuple[float, float]:
    """(interval, burst tolerance) of the per-account pacing: `limit` failures at once, then one
    per window/limit seconds."""
    limit, window = rate
    interval = window / max(1, limit)
    return interval, window - interval


def _paced(counters: dict[str, tuple[str, Rate]], entries: dict, now: float) -> bool:
    """Whether the per-account pace applies to this address: not to one the account signed in from
    lately, nor to one without a failure at this account in the account-and-address window (so
    the owner's first try from anywhere is checked; an address that has failed is paced)."""
    if entries.get(counters["known"][0]):
        return False
    key, rate = counters["account_address"]
    return _live(entries.get(key), now, rate) is not None


def _live(entry, now: float, rate: Rate) -> tuple[float, int] | None:
    """(window start, count) of a counter whose window is still open."""
    if not entry or now >= entry[0] + rate[1]:
        return None
    return entry[0], entry[1]


# The login counters that are not windows: the account's pace (a time) and the known-address mark.
_NOT_WINDOWS = ("account", "known")


def _check(
    counters: dict[str, tuple[str, Rate]],
    now: float,
    message: str = "Too many login attempts; try again later.",
) -> dict:
    entries = cache.get_many([key for key, _ in counters.values()])
    waits = []
    for kind, (key, rate) in counters.items():
        entry = _live(entries.get(key), now, rate) if kind not in _NOT_WINDOWS else None
        if entry is not None and entry[1] >= rate[0]:
            waits.append(entry[0] + rate[1] - now)
    if "account" in counters and _paced(counters, entries, now):
        key, rate = counters["account"]
        _, tolerance = _pace(rate)
        arrival = entries.get(key)
        if arrival is not None and arrival - now > tolerance:
            waits.append(arrival - tolerance - now)
    if waits:
        raise RateLimited(message, retry_after=int(max(waits)) + 1)
    return entries


def _increment(key: str, rate: Rate, entries: dict, now: float) -> None:
    # A read-then-write: concurrent attempts may undercount by their number, not more.
    start, count = _live(entries.get(key), now, rate) or (now, 0)
    cache.set(key, (start, count + 1), timeout=max(1, int(start + rate[1] - now) + 1))


def _record(counters: dict[str, tuple[str, Rate]], entries: dict, now: float, *, succeeded: bool) -> None:
    kinds = ("address",) if succeeded else ("address", "account_address")
    for kind in kinds:
        _increment(*counters[kind], entries, now)
    if succeeded:
        if entries.get(counters["account_address"][0]):
            cache.delete(counters["account_address"][0])
        key, (_, seconds) = counters["known"]
        cache.set(key, True, timeout=seconds)
        return
    key, rate = counters["account"]
    interval, _ = _pace(rate)
    arrival = max(entries.get(key) or now, now) + interval
    cache.set(key, arrival, timeout=max(1, int(arrival - now) + 1))


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

"""Brute-force protection of POST /api/auth/token."""

import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from rest_framework.test import APIClient

from ops.cache import FailoverRedisCache

PASSWORD = "correct horse battery staple"


_SECONDS = {"second": 1, "minute": 60, "hour": 3600}


def _rate(text: str) -> tuple[int, int]:
    limit, period = text.split("/")
    return int(limit), _SECONDS[period]


@pytest.fixture
def rates(settings):
    """Small limits so a test reaches them: 3 per account, 5 per address."""

    def apply(
        account: str = "3/hour",
        address: str = "5/minute",
        num_proxies: int | None = None,
        account_address: str = "100/hour",
    ) -> None:
        settings.LOGIN_THROTTLE_RATES = {
            "account": _rate(account),
            "address": _rate(address),
            "account_address": _rate(account_address),
        }
        if num_proxies is not None:
            settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}

    return apply


@pytest.fixture
def ada(make_user):
    return make_user("Ada Lovelace", username="ada", email="ada@example.com", password=PASSWORD)


def attempt(username: str = "ada", password: str = "wrong", address: str = "10.0.0.1", **headers):
    return APIClient().post(
        "/api/auth/token",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **headers,
    )


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert response.json()["result"] is False
    assert response.json()["error_type"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_past_the_account_limit_an_address_that_failed_waits_for_the_pace(ada, make_user, rates):
    """Past the account limit an address that failed at it waits one interval, even with the right
    password; other accounts are free."""
    rates(account="3/hour")
    make_user("Bob", username="bob", password=PASSWORD)
    for n in range(3):
        assert attempt(address=f"10.0.0.{n}").status_code == 401

    response = attempt(password=PASSWORD, address="10.0.0.2")

    assert_throttled(response)
    assert int(response["Retry-After"]) <= 1201
    assert attempt(username="bob", password=PASSWORD, address="10.0.0.99").status_code == 200


def test_the_account_limit_ignores_the_letter_case_of_the_login(ada, rates):
    """`ADA` and `ada` count against the same account."""
    rates(account="3/hour")
    for username in ("ada", "ADA", "Ada"):
        attempt(username=username, address="10.0.0.7")

    assert_throttled(attempt(username="aDa", address="10.0.0.7"))


def test_too_many_attempts_from_one_address_are_429_whatever_the_account(ada, rates):
    """Spraying many usernames from one address hits the address limit."""
    rates(account="100/hour", address="5/minute")
    for n in range(5):
        assert attempt(username=f"user{n}").status_code == 401

    assert_throttled(attempt(password=PASSWORD))
    assert attempt(password=PASSWORD, address="10.0.0.2").status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_address_limit(ada, rates):
    """By default (NUM_PROXIES=0) the header is ignored: the peer address is the client."""
    rates(account="100/hour", address="5/minute")
    for n in range(5):
        attempt(username=f"user{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert_throttled(attempt(password=PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200"))


def test_behind_one_proxy_clients_are_told_apart_by_x_forwarded_for(ada, rates):
    """With NUM_PROXIES=1 the address the proxy appended is the client, whatever the client prepended."""
    rates(account="100/hour", address="5/minute", num_proxies=1)
    for n in range(5):
        attempt(username=f"user{n}", address="10.9.9.9", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 198.51.100.1")

    assert_throttled(attempt(password=PASSWORD, address="10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.1"))
    response = attempt(password=PASSWORD, address="10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert response.status_code == 200


def test_throttle_counters_live_in_a_cache_shared_by_processes():
    """Never a per-process memory cache: the database table here, Redis when configured."""
    assert isinstance(caches["default"], DatabaseCache)


def _settings_in_subprocess(env: dict, expression: str) -> subprocess.CompletedProcess:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        # ENV_FILE: never the developer's `.env` (scripts/serve writes one with DEBUG=1).
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PATH": "/usr/bin:/bin",
            "ENV_FILE": os.devnull,
            **env,
        },
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        timeout=60,
    )


def test_redis_url_selects_djangos_redis_cache(tmp_path):
    """REDIS_URL switches the cache to Redis."""
    result = _settings_in_subprocess(
        {"DEBUG": "1", "CHIRP_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/3"},
        "(__import__('django.core.cache').core.cache.caches['default'], settings.CACHES['default'])",
    )

    assert result.returncode == 0, result.stderr
    # Django's Redis cache, behind Chirp's breaker and fallback (ops/cache.py).
    assert "<ops.cache.FailoverRedisCache object" in result.stdout
    assert issubclass(FailoverRedisCache, RedisCache)
    assert "redis://127.0.0.1:6379/3" in result.stdout


@pytest.mark.parametrize(
    ("jwt_key", "error"),
    [
        (None, "JWT_SIGNING_KEY must be set"),
        ("same-as-the-secret-key-and-long-enough-0123", "must differ from SECRET_KEY"),
        ("too-short", "at least 32 characters"),
    ],
)
def test_production_refuses_to_start_without_a_proper_jwt_signing_key(tmp_path, jwt_key, error):
    """With DEBUG off, JWT_SIGNING_KEY is required, distinct from SECRET_KEY and long enough."""
    env = {
        "DEBUG": "0",
        "CHIRP_DATA_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "chirp.example.com",
        "SECRET_KEY": "same-as-the-secret-key-and-long-enough-0123",
    }
    if jwt_key is not None:
        env["JWT_SIGNING_KEY"] = jwt_key

    result = _settings_in_subprocess(env, "settings.SIMPLE_JWT['ALGORITHM']")

    assert result.returncode != 0
    assert error in result.stderr


def test_production_starts_with_its_own_jwt_signing_key(tmp_path):
    """The positive case of the check above: a distinct, long key is accepted and used."""
    env = {
        "DEBUG": "0",
        "CHIRP_DATA_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "chirp.example.com",
        "SECRET_KEY": "a-production-secret-key-0123456789abcdef",
        "JWT_SIGNING_KEY": "a-separate-jwt-signing-key-0123456789abcdef",
    }

    result = _settings_in_subprocess(
        env, "settings.SIMPLE_JWT['SIGNING_KEY'], settings.SIMPLE_JWT['ALGORITHM']"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["a-separate-jwt-signing-key-0123456789abcdef", "HS256"]


def test_username_and_email_count_against_the_same_account(ada, rates):
    """Switching between the username and the email (any letter case) does not buy more guesses."""
    rates(account="3/hour")
    for n, login in enumerate(("ada", "ada@example.com", "ADA@Example.com")):
        field = "email" if "@" in login else "username"
        APIClient().post(
            "/api/auth/token", {field: login, "password": "wrong"}, format="json", REMOTE_ADDR=f"10.1.0.{n}"
        )

    assert_throttled(attempt(password=PASSWORD, address="10.1.0.2"))


def test_wrong_passwords_from_elsewhere_do_not_hold_the_owner_back(ada, rates):
    """An attacker filling the per-account ceiling paces only addresses that failed; the guessing
    addresses wait one interval (12 s of 5/minute), not the window."""
    rates(account="5/minute", account_address="10/hour")
    with time_machine.travel("2026-11-28 09:00:00+00:00", tick=False) as clock:
        for n in range(5):
            assert attempt(address=f"203.0.113.{n}").status_code == 401

        assert attempt(password=PASSWORD, address="10.0.0.1").status_code == 200
        refused = attempt(address="203.0.113.4")
        assert_throttled(refused)
        assert int(refused["Retry-After"]) <= 13

        clock.shift(13)
        assert attempt(address="203.0.113.4").status_code == 401


def test_guessing_from_one_address_is_held_to_the_account_and_address_limit(ada, rates):
    """One address gets 3 wrong passwords an hour at an account; the owner elsewhere is unaffected."""
    rates(account="100/minute", account_address="3/hour")
    for _ in range(3):
        assert attempt(address="203.0.113.7").status_code == 401

    assert_throttled(attempt(password=PASSWORD, address="203.0.113.7"))
    assert attempt(password=PASSWORD, address="10.0.0.1").status_code == 200


def test_a_successful_login_clears_the_owners_own_typos(ada, rates):
    """Failures from an address are forgiven once the right password comes from there."""
    rates(account="100/minute", account_address="3/hour", address="100/minute")
    for _ in range(2):
        attempt(address="10.0.0.1")
    assert attempt(password=PASSWORD, address="10.0.0.1").status_code == 200

    for _ in range(2):
        assert attempt(address="10.0.0.1").status_code == 401
    assert attempt(password=PASSWORD, address="10.0.0.1").status_code == 200


def admin_login(username: str, password: str, address: str = "10.0.0.1"):
    client = Client()
    response = client.post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )
    return client, response


def test_the_admin_login_is_throttled_like_the_api(make_user, rates):
    """Wrong passwords at the admin are refused past the limit, the right one too, with a clear message."""
    rates(account="3/hour")
    make_user("Root", username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    for n in range(3):
        _, response = admin_login("root", "wrong", address=f"10.2.0.{n}")
        assert response.status_code == 200

    client, response = admin_login("root", PASSWORD, address="10.2.0.2")

    assert response.status_code == 200
    assert "Too many login attempts; try again in" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_api_and_the_admin_share_one_count_per_account(make_user, rates):
    """Failures at one door count at the other: the API refuses after wrong passwords at the admin."""
    rates(account="3/hour")
    make_user("Root", username="root", email="root@example.com", password=PASSWORD, is_staff=True)
    for n in range(3):
        admin_login("root", "wrong", address=f"10.3.0.{n}")

    assert_throttled(attempt(username="root", password=PASSWORD, address="10.3.0.2"))


def test_the_admin_login_address_limit_counts_every_account(make_user, rates):
    """Spraying usernames at the admin from one address hits the address limit."""
    rates(account="100/hour", address="5/minute")
    make_user("Root", username="root", password=PASSWORD, is_staff=True)
    for n in range(5):
        admin_login(f"user{n}", "wrong")

    _, response = admin_login("root", PASSWORD)
    assert "Too many login attempts" in response.content.decode()
    _, response = admin_login("root", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302


def test_a_malformed_login_rate_stops_start_up_naming_the_variable(tmp_path):
    """THROTTLE_LOGIN_* must read like 10/hour or 20/15m."""
    result = _settings_in_subprocess(
        {"DEBUG": "1", "CHIRP_DATA_DIR": str(tmp_path), "THROTTLE_LOGIN_ACCOUNT": "ten per hour"},
        "settings.LOGIN_THROTTLE_RATES",
    )

    assert result.returncode != 0
    assert "THROTTLE_LOGIN_ACCOUNT='ten per hour' is not a rate" in result.stderr


def test_login_rates_read_counts_of_units(tmp_path):
    """`20/15m` is 20 per 15 minutes; the defaults hold otherwise."""
    result = _settings_in_subprocess(
        {"DEBUG": "1", "CHIRP_DATA_DIR": str(tmp_path), "THROTTLE_LOGIN_ACCOUNT": "20/15m"},
        "sorted(settings.LOGIN_THROTTLE_RATES.items())",
    )

    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip()
        == "[('account', (20, 900)), ('account_address', (10, 3600)), ('address', (30, 60))]"
    )

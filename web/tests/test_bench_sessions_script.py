"""The benchmark's web sessions (bench/sessions.py, bench code that builds on Chirp's)."""

import importlib.util
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

_spec = importlib.util.spec_from_file_location(
    "bench_sessions", Path(settings.BASE_DIR) / "bench" / "sessions.py"
)
assert _spec and _spec.loader
bench_sessions = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_sessions)


def test_each_cookie_opens_the_home_page_signed_in_as_its_keys_user(tmp_path, author, outsider, make_tweet):
    make_tweet(author, "benchmark me")
    keys = tmp_path / "keys.txt"
    keys.write_text(f"{author.key}\n{outsider.key}\n")
    cookies = tmp_path / "cookies.txt"

    assert bench_sessions.sessions_write(keys, cookies, 1) == 1

    [line] = cookies.read_text().splitlines()
    name, value = line.split("=", 1)
    client = Client()
    client.cookies[name] = value
    assert "benchmark me" in client.get("/").content.decode()


def test_a_key_of_nobody_is_an_error_not_a_missing_session(tmp_path, db):
    keys = tmp_path / "keys.txt"
    keys.write_text("nobody's key\n")
    with pytest.raises(SystemExit):
        bench_sessions.sessions_write(keys, tmp_path / "cookies.txt")

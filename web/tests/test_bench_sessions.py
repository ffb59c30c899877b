import pytest
from django.core.management import CommandError, call_command
from django.test import Client


def test_bench_sessions_writes_a_signed_in_cookie_per_user(tmp_path, author, outsider, make_tweet):
    """Each cookie the command writes opens the home page signed in as its key's user."""
    make_tweet(author, "benchmark me")
    keys = tmp_path / "keys.txt"
    keys.write_text(f"{author.key}\n{outsider.key}\n")
    cookies = tmp_path / "cookies.txt"
    call_command("bench_sessions", str(keys), str(cookies), "--count", "1", stdout=None)
    lines = cookies.read_text().splitlines()
    assert len(lines) == 1
    name, value = lines[0].split("=", 1)
    client = Client()
    client.cookies[name] = value
    assert "benchmark me" in client.get("/").content.decode()


def test_bench_sessions_refuses_an_unknown_key(tmp_path, db):
    """A key of nobody is an error, not a silently missing session."""
    keys = tmp_path / "keys.txt"
    keys.write_text("nobody's key\n")
    with pytest.raises(CommandError):
        call_command("bench_sessions", str(keys), str(tmp_path / "cookies.txt"))

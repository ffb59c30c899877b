"""The web sessions' store (accounts.sessions): Django's database sessions, read by a compiled statement."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.sessions import SessionStore


def test_the_pages_use_chirps_session_store():
    """settings name this store, so every page and the admin read sessions through it."""
    assert settings.SESSION_ENGINE == "accounts.sessions"


def test_a_saved_session_reads_back_in_one_query(db):
    """What a request stored, the next one reads, with one statement."""
    stored = SessionStore()
    stored["answer"] = 42
    stored.create()
    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(stored.session_key)["answer"] == 42
    assert len(queries) == 1


def test_an_expired_session_reads_as_empty_and_forgets_its_key(db):
    """A session past its expiry date is no session: empty, and a new key when next saved."""
    stored = SessionStore()
    stored["answer"] = 42
    stored.create()
    Session.objects.filter(session_key=stored.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    read = SessionStore(stored.session_key)
    assert "answer" not in read
    assert read.session_key is None


def test_an_unknown_key_reads_as_empty(db):
    """A made-up cookie signs nobody in."""
    read = SessionStore("nosuchsessionkey0000000000000000")
    assert dict(read.items()) == {}
    assert read.session_key is None


def test_a_signed_out_session_cookie_no_longer_signs_in(db, make_user):
    """After sign-out the old cookie, replayed by anyone who copied it, opens the sign-in page."""
    person = make_user("Ada Lovelace", username="ada")
    browser = Client()
    browser.force_login(person.user)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    browser.post("/sign-out/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert b'name="password"' in replay.get("/").content

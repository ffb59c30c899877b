"""Password reset by email: requested over the API or the web page, delivered by Django's SMTP
backend to a real SMTP server (aiosmtpd, in a process of its own), spent on the web page or the API."""

import re
from typing import Any

import pytest
from django.test import Client
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.tests.smtp_server import body_of
from api.testing import assert_error

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase 7"
LINK = re.compile(r"https?://testserver/password-reset/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/")


@pytest.fixture
def ada(make_user):
    return make_user("Ada Lovelace", username="ada", email="ada.reset@example.com", password=PASSWORD)


def ask(client, email: str):
    return client.post("/api/auth/password-reset", {"email": email}, content_type="application/json")


def link_in(message) -> re.Match:
    match = LINK.search(body_of(message))
    assert match, body_of(message)
    return match


def set_password_on_the_page(link: re.Match, password: str) -> tuple[Client, Any]:
    """Open the emailed link in a browser-like client and submit a new password."""
    browser = Client()
    opened = browser.get(link.group(0))
    # The token leaves the address bar for the session before the form is shown.
    assert opened.status_code == 302
    assert link["token"] not in opened["Location"]
    form = browser.get(opened["Location"])
    assert form.status_code == 200
    assert b"Set a new password" in form.content
    return browser, browser.post(opened["Location"], {"new_password": password})


def log_in(password: str, login: str = "ada"):
    return Client().post(
        "/api/auth/token", {"username": login, "password": password}, content_type="application/json"
    )


def test_emailed_link_sets_a_new_password(ada, mail_to_smtp):
    """The person gets the link by email, sets a new password with it, and signs in with that only."""
    response = ask(Client(), "Ada.Reset@Example.com")

    assert response.status_code == 200
    assert response.json() == {"result": True}
    message = mail_to_smtp.wait_for("ada.reset@example.com")
    assert message["Subject"] == "Reset your Chirp password"
    assert message["From"] == "chirp@localhost"
    link = link_in(message)
    browser, done = set_password_on_the_page(link, NEW_PASSWORD)
    assert done.status_code == 302 and done["Location"] == "/"
    assert "Your new password is set" in browser.get("/").content.decode()
    assert log_in(NEW_PASSWORD).status_code == 200
    assert log_in(PASSWORD).status_code == 401


def test_link_works_only_once(ada, mail_to_smtp):
    """A used link is refused on the page and over the API."""
    ask(Client(), ada.user.email)
    link = link_in(mail_to_smtp.wait_for(ada.user.email))
    set_password_on_the_page(link, NEW_PASSWORD)

    again = Client().get(link.group(0), follow=True)
    assert again.status_code == 400
    assert "invalid, expired or already used" in again.content.decode()
    response = Client().post(
        "/api/auth/password-reset/confirm",
        {"uid": link["uid"], "token": link["token"], "password": "yet another passphrase 9"},
        content_type="application/json",
    )
    assert_error(response, 401, "authentication_failed")
    assert log_in(NEW_PASSWORD).status_code == 200


def test_api_sets_the_password_with_the_emailed_uid_and_token(ada, mail_to_smtp):
    """A client without the web page spends the link's parts on POST /api/auth/password-reset/confirm."""
    ask(Client(), ada.user.email)
    link = link_in(mail_to_smtp.wait_for(ada.user.email))

    response = Client().post(
        "/api/auth/password-reset/confirm",
        {"uid": link["uid"], "token": link["token"], "password": NEW_PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert log_in(NEW_PASSWORD).status_code == 200


def test_unknown_address_gets_the_same_answer_and_no_mail(ada, mail_to_smtp):
    """Nobody learns from the answer whether an address has an account."""
    known = ask(Client(), ada.user.email)
    unknown = ask(Client(), "nobody.here@example.com")

    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    mail_to_smtp.wait_for(ada.user.email)
    assert mail_to_smtp.messages("nobody.here@example.com") == []


def test_accounts_without_a_password_or_deactivated_get_no_mail(make_user, mail_to_smtp):
    """Accounts signing in elsewhere (no password) and deactivated ones cannot reset a password."""
    make_user("Key Only", email="key.only@example.com")
    gone = make_user("Gone Person", email="gone.person@example.com", password=PASSWORD)
    User.objects.filter(pk=gone.id).update(is_active=False)

    for address in ("key.only@example.com", "gone.person@example.com"):
        assert ask(Client(), address).status_code == 200
    # A request that does send proves the server was reached in the meantime.
    make_user("Control", email="control.reset@example.com", password=PASSWORD)
    ask(Client(), "control.reset@example.com")
    mail_to_smtp.wait_for("control.reset@example.com")
    assert mail_to_smtp.messages("key.only@example.com") == []
    assert mail_to_smtp.messages("gone.person@example.com") == []


def test_reset_ends_the_other_sessions_and_tokens(ada, mail_to_smtp):
    """After a reset, sessions, JWTs and refresh tokens from before no longer work."""
    session = Client()
    assert session.post("/sign-in/", {"login": "ada", "password": PASSWORD}).status_code == 302
    assert session.get("/settings/").status_code == 200
    tokens = log_in(PASSWORD).json()

    ask(Client(), ada.user.email)
    set_password_on_the_page(link_in(mail_to_smtp.wait_for(ada.user.email)), NEW_PASSWORD)

    assert session.get("/settings/")["Location"].startswith("/?next=")
    bearer = Client().get("/api/users/me", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert_error(bearer, 401, "authentication_failed")
    refresh = Client().post(
        "/api/auth/token/refresh", {"refresh": tokens["refresh"]}, content_type="application/json"
    )
    assert_error(refresh, 401, "authentication_failed")


def test_weak_password_is_refused_and_the_link_still_works(ada, mail_to_smtp):
    """The password validators apply; a refused password does not spend the link."""
    ask(Client(), ada.user.email)
    link = link_in(mail_to_smtp.wait_for(ada.user.email))

    _browser, refused = set_password_on_the_page(link, "12345678")
    assert refused.status_code == 400
    assert "too common" in refused.content.decode()
    response = Client().post(
        "/api/auth/password-reset/confirm",
        {"uid": link["uid"], "token": link["token"], "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "uid",
    ["", "!!", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw", "OTIyMzM3MjAzNjg1NDc3NTgwOA", "AA", "x" * 70],
)
def test_forged_links_are_refused_without_a_server_error(ada, uid):
    """Garbage, huge ids (past 2^63-1), NUL bytes: a 401 envelope over the API, a message on the page."""
    response = Client().post(
        "/api/auth/password-reset/confirm",
        {"uid": uid, "token": "abc-def", "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code in (400, 401)
    assert response.json()["result"] is False
    if uid:
        page = Client().get(f"/password-reset/{uid}/abc-def/", follow=True)
        assert page.status_code == 400
        assert "invalid, expired or already used" in page.content.decode()


def test_a_valid_uid_with_a_forged_token_is_refused(ada):
    """A real account's uid with a made-up token sets nothing."""
    uid = urlsafe_base64_encode(str(ada.id).encode())
    response = Client().post(
        "/api/auth/password-reset/confirm",
        {"uid": uid, "token": "cv2x3b-0123456789abcdef0123456789abcdef", "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert_error(response, 401, "authentication_failed")
    assert log_in(PASSWORD).status_code == 200


def test_requests_are_throttled_per_address_asked_for(ada, mail_to_smtp, settings):
    """Past the limit a 429 comes, for known and unknown addresses alike, and no more mail."""
    settings.PASSWORD_RESET_THROTTLE_RATES = {"address": (100, 3600), "email": (2, 3600)}
    for _ in range(2):
        assert ask(Client(), ada.user.email).status_code == 200
        assert ask(Client(), "unknown.person@example.com").status_code == 200

    assert_error(ask(Client(), ada.user.email), 429, "throttled")
    assert_error(ask(Client(), "UNKNOWN.person@example.com"), 429, "throttled")
    mail_to_smtp.wait_for(ada.user.email, count=2)
    assert len(mail_to_smtp.messages(ada.user.email)) == 2


def test_requests_are_throttled_per_client_address(ada, settings):
    """One client asking for many addresses is held back, on the web page too."""
    settings.PASSWORD_RESET_THROTTLE_RATES = {"address": (3, 3600), "email": (100, 3600)}
    for number in range(3):
        assert ask(Client(), f"someone{number}@example.com").status_code == 200

    page = Client().post("/password-reset/", {"email": "someone9@example.com"})
    assert page.status_code == 429
    assert "Too many attempts" in page.content.decode()


def test_a_mail_server_that_is_down_changes_nothing_in_the_answer(ada, smtp_server, settings, caplog):
    """Delivery failures are logged for the operator, never shown (they would reveal the account)."""
    for name, value in smtp_server.settings().items():
        setattr(settings, name, value)
    settings.EMAIL_PORT = 1

    response = ask(Client(), ada.user.email)

    assert response.status_code == 200
    assert "could not be sent" in caplog.text


def test_the_sign_in_page_offers_a_password_reset(db):
    """ "Forgot password?" leads from the sign-in page to the request form."""
    page = Client().get("/")
    assert 'href="/password-reset/"' in page.content.decode()
    form = Client().get("/password-reset/")
    assert form.status_code == 200
    assert "Email me a link" in form.content.decode()


def test_the_web_form_gives_the_same_message_for_any_address(ada, mail_to_smtp):
    """The page's answer does not tell known addresses from unknown ones."""
    client = Client()
    for address in (ada.user.email, "nobody.there@example.com"):
        page = client.post("/password-reset/", {"email": address}, follow=True)
        assert page.status_code == 200
        assert "an email with a link to set a new password is on its way" in page.content.decode()
    assert "Set a new password" not in page.content.decode()
    mail_to_smtp.wait_for(ada.user.email)


def test_without_local_login_only_superusers_get_a_link(ada, make_user, mail_to_smtp, settings):
    """With LOCAL_LOGIN off, passwords sign in superusers only, and only they may reset one."""
    settings.LOCAL_LOGIN = False
    make_user("Root", email="root.reset@example.com", password=PASSWORD, is_superuser=True, is_staff=True)

    for address in (ada.user.email, "root.reset@example.com"):
        assert ask(Client(), address).status_code == 200

    mail_to_smtp.wait_for("root.reset@example.com")
    assert mail_to_smtp.messages(ada.user.email) == []

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.services import deactivation_store, suspension_store
from dataset.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS

PASSWORD = "a long passphrase 42"


@pytest.fixture
def ada(make_user):
    return make_user("Ada Lovelace", username="ada", email="ada@example.com", password=PASSWORD)


def sign_in(client, login, password=PASSWORD, **extra):
    return client.post("/sign-in/", {"login": login, "password": password, **extra})


def test_anonymous_visitor_sees_the_sign_in_form_at_root(client, db):
    """`/` is the sign-in page for anonymous visitors, with a labelled form and a Sign in button."""
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_login">Username or email</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert ">Sign in</button>" in html


@pytest.mark.parametrize("path", ["/compose/", "/people/", "/settings/", "/people/1/", "/tweets/1/report/"])
def test_anonymous_visitor_is_sent_to_sign_in(client, db, path):
    """Every page but the sign-in page redirects an anonymous visitor to it, remembering where to."""
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/?next={path}"


def test_colleague_signs_in_with_username(client, ada):
    """The right username and password open a session; `/` then shows the feed."""
    response = sign_in(client, "ada")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "What&#39;s happening?" in client.get("/").content.decode()


def test_colleague_signs_in_with_email_in_any_case(client, ada):
    """The email works in place of the username, like at the API's login."""
    assert sign_in(client, "ADA@example.com").status_code == 302


def test_sign_in_returns_to_the_page_asked_for(client, ada):
    """After signing in the visitor lands on the page that sent them to sign in."""
    response = sign_in(client, "ada", next="/people/")
    assert response["Location"] == "/people/"


def test_sign_in_never_redirects_to_another_site(client, ada):
    """A `next` pointing elsewhere is ignored (no open redirect)."""
    response = sign_in(client, "ada", next="https://evil.example/")
    assert response["Location"] == "/"


def test_wrong_password_is_refused_with_the_apis_message(client, ada):
    """A wrong password keeps the visitor out, with the API's message."""
    response = sign_in(client, "ada", "not the password")
    assert response.status_code == 400
    assert "The username or password is wrong." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_deactivated_account_gets_the_wrong_password_message(client, ada):
    """A deactivated account is refused like a wrong password, revealing nothing (as the API does)."""
    deactivation_store(user=ada.user)
    response = sign_in(client, "ada")
    assert response.status_code == 400
    assert "The username or password is wrong." in response.content.decode()


def test_suspended_account_is_told_until_when(client, ada):
    """A suspended account is refused with the API's "suspended until ..." message."""
    until = timezone.now() + timedelta(days=2)
    suspension_store(user=ada.user, until=until)
    response = sign_in(client, "ada")
    assert response.status_code == 403
    assert (
        f"This account is suspended until {timezone.localtime(until).isoformat()}."
        in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_suspension_while_signed_in_ends_the_session(signed_in, ada):
    """A colleague suspended while signed in is signed out at the next page, with the message."""
    client = signed_in(ada)
    suspension_store(user=ada.user, until=timezone.now() + timedelta(hours=1))
    response = client.get("/people/", follow=True)
    assert "This account is suspended until" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_colleague_deactivated_while_signed_in_is_signed_out_at_the_next_page(signed_in, ada):
    """The session's user is read again on every page: once the account is inactive (here set in
    the database directly, as a directory sync may), the next page is the sign-in form, and a page
    for members only sends there too."""
    client = signed_in(ada)
    assert "Sign out" in client.get("/").content.decode()
    User.objects.filter(pk=ada.id).update(is_active=False)
    assert '<label for="id_password">Password</label>' in client.get("/").content.decode()
    assert client.get("/people/").status_code == 302


def test_sign_in_shares_the_apis_login_throttle(client, ada, settings):
    """Failed attempts at one account count against the same per-account limit as the API's, and
    are refused past it, even the right password."""
    settings.LOGIN_THROTTLE_RATES = {**settings.LOGIN_THROTTLE_RATES, "account": (2, 3600)}
    api = client.post(
        "/api/auth/token", {"username": "ada", "password": "wrong"}, content_type="application/json"
    )
    assert api.status_code == 401
    assert sign_in(client, "ada", "wrong").status_code == 400
    response = sign_in(client, "ada")
    assert response.status_code == 429
    assert "Too many attempts; try again in" in response.content.decode()


def test_sign_in_form_requires_the_csrf_token(csrf_client, ada):
    """A sign-in post without the CSRF token is refused."""
    assert sign_in(csrf_client, "ada").status_code == 403


def test_sign_in_form_works_with_the_csrf_token(csrf_client, ada):
    """With the token from the page, as a browser sends it, the same post signs in."""
    csrf_client.get("/")
    token = csrf_client.cookies["csrftoken"].value
    assert sign_in(csrf_client, "ada", csrfmiddlewaretoken=token).status_code == 302


def test_sign_out_ends_the_session(signed_in, ada):
    """Sign out is a POST that ends the session; `/` is the sign-in page again."""
    client = signed_in(ada)
    response = client.post("/sign-out/", follow=True)
    assert "You are signed out." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_is_not_a_get(signed_in, ada):
    """A link (GET) cannot sign anyone out: only the form can."""
    assert signed_in(ada).get("/sign-out/").status_code == 405


def test_demo_users_sign_in_with_the_password_seed_demo_prints(client, db):
    """seed_demo prints the demo users' password, and each of them signs in with it."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert f"sign in at / with the password: {DEMO_PASSWORD}" in out.getvalue()
    for username, _, _ in DEMO_USERS:
        assert sign_in(client, username, DEMO_PASSWORD).status_code == 302


def test_seed_demo_gives_a_password_to_demo_users_seeded_without_one(client, make_user):
    """Demo users made before they had passwords get one when seed_demo runs again."""
    make_user("Demo User", username="demo", api_key="test")
    call_command("seed_demo", stdout=io.StringIO())
    assert sign_in(client, "demo", DEMO_PASSWORD).status_code == 302

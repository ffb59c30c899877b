"""Account rules that every door (API, web, admin, importer) reaches through one function."""

from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.models import SUSPENDED_INDEFINITELY, ApiKey, User
from accounts.services import suspension_store, user_create
from api.permissions import IsActiveUser
from common.errors import Invalid, Suspended
from web.auth import user_sign_in_check

PASSWORD = "correct horse battery staple"


def _api_refusal(user) -> Suspended:
    request = RequestFactory().get("/api/users/me")
    request.user = user
    with pytest.raises(Suspended) as refusal:
        IsActiveUser().has_permission(request, None)
    return refusal.value


def _web_refusal(user) -> Suspended:
    request = RequestFactory().post("/sign-in")
    with pytest.raises(Suspended) as refusal:
        user_sign_in_check(request, login=user.username, password=PASSWORD)
    return refusal.value


@pytest.mark.parametrize("indefinitely", [True, False])
def test_the_api_and_the_web_refuse_a_suspension_with_the_same_end(make_user, indefinitely):
    """An indefinite suspension has no end date (None) at every door; a timed one its end."""
    person = make_user("Sam", username="sam", password=PASSWORD).user
    until = (
        SUSPENDED_INDEFINITELY if indefinitely else timezone.now().replace(microsecond=0) + timedelta(days=1)
    )
    suspension_store(user=person, until=until)

    api, web = _api_refusal(person), _web_refusal(person)

    assert (api.until, api.message) == (web.until, web.message)
    assert api.until == (None if indefinitely else until)


def test_user_create_refuses_an_email_taken_in_another_letter_case(make_user):
    """The creation rules live in the service, so every door gets a field error, not a crash."""
    make_user("Ada", email="ada@example.com")

    with pytest.raises(Invalid) as refusal:
        user_create(name="Other Ada", email="ADA@Example.com")

    assert list(refusal.value.fields or {}) == ["email"]


def test_user_create_refuses_a_taken_username(make_user):
    make_user("Ada", username="ada")

    with pytest.raises(Invalid) as refusal:
        user_create(name="Other Ada", username="ada")

    assert list(refusal.value.fields or {}) == ["username"]


def test_user_create_refuses_a_password_the_validators_refuse(db):
    with pytest.raises(Invalid) as refusal:
        user_create(name="Ada", username="ada", password="ada")

    assert list(refusal.value.fields or {}) == ["password"]
    assert not User.objects.exists()


def test_staff_sign_in_to_the_admin_with_their_email_as_over_the_api(make_user):
    """Every door that checks a password finds the account by its email, in any letter case."""
    make_user("Mo", username="mo", email="mo@example.com", password=PASSWORD, is_staff=True)
    api = Client().post(
        "/api/auth/token", {"email": "MO@example.com", "password": PASSWORD}, content_type="application/json"
    )
    assert api.status_code == 200

    client = Client()
    response = client.post("/admin/login/", {"username": "MO@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_user_added_in_the_admin_gets_an_api_key_shown_once(make_user):
    """The admin's "add user" runs user_create like the API and the command: the key works."""
    superuser = make_user("Sue", username="sue", is_staff=True, is_superuser=True).user
    client = Client()
    client.force_login(superuser)

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "name": "New Bie",
            "email": "newbie@example.com",
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
        follow=True,
    )

    user = User.objects.get(username="newbie")
    assert ApiKey.objects.filter(user=user, revoked_at__isnull=True).count() == 1
    [key] = [
        str(message).split("api key: ", 1)[1].split(" ", 1)[0]
        for message in response.context["messages"]
        if "api key: " in str(message)
    ]
    assert Client().get("/api/users/me", HTTP_API_KEY=key).json()["user"]["name"] == "New Bie"


def test_an_email_taken_in_another_case_is_refused_in_the_admin_add_form(make_user):
    make_user("Ada", email="ada@example.com")
    superuser = make_user("Sue", username="sue", is_staff=True, is_superuser=True).user
    client = Client()
    client.force_login(superuser)

    response = client.post(
        "/admin/accounts/user/add/",
        {"username": "ada2", "name": "Ada Two", "email": "ADA@example.com", "usable_password": "false"},
    )

    assert response.status_code == 200
    assert "Another user already has this email address." in response.content.decode()
    assert not User.objects.filter(username="ada2").exists()


def test_a_user_added_in_the_admin_with_a_password_logs_in_with_it(make_user):
    superuser = make_user("Sue", username="sue", is_staff=True, is_superuser=True).user
    client = Client()
    client.force_login(superuser)

    client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "name": "New Bie",
            "email": "",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    login = Client().post(
        "/api/auth/token", {"username": "newbie", "password": PASSWORD}, content_type="application/json"
    )
    assert login.status_code == 200

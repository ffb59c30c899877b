"""The admin is closed to suspended and deactivated staff, whatever session they hold."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from accounts.models import SUSPENDED_INDEFINITELY, User
from accounts.services import deactivation_store, suspension_store

PASSWORD = "correct horse battery staple"


def test_a_suspended_moderators_session_no_longer_opens_the_admin(make_user):
    """Suspended mid-session: the next admin page is the login, and the user list refuses them."""
    mod = make_user("Mo", username="mo", password=PASSWORD, is_staff=True, is_superuser=True)
    victim = make_user("Vic", username="vic")
    client = Client()
    client.force_login(mod.user)
    assert client.get("/admin/").status_code == 200

    suspension_store(user=mod.user, until=timezone.now() + timedelta(hours=1))

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    posted = client.post(
        "/admin/accounts/user/",
        {"action": "suspend_indefinitely", "_selected_action": [victim.id], "reason": "x", "confirm": "yes"},
    )
    assert posted.status_code == 302
    assert User.objects.get(pk=victim.id).suspended_until is None


def test_a_suspended_moderator_is_told_why_at_the_admin_login(make_user):
    """The right password of a suspended account gets a clear message, and no session."""
    mod = make_user("Mo", username="mo", password=PASSWORD, is_staff=True)
    suspension_store(user=mod.user, until=SUSPENDED_INDEFINITELY)
    client = Client()

    response = client.post("/admin/login/", {"username": "mo", "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 200
    assert "This account is suspended indefinitely. The admin is closed to it." in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_deactivated_moderators_session_no_longer_opens_the_admin(make_user):
    """Deactivation closes the admin too (Django's own rule, kept by Chirp's site)."""
    mod = make_user("Mo", username="mo", password=PASSWORD, is_staff=True)
    client = Client()
    client.force_login(mod.user)

    deactivation_store(user=mod.user)

    assert client.get("/admin/").status_code == 302


def test_a_suspension_that_has_ended_opens_the_admin_again(make_user):
    """An expired suspension is no suspension."""
    mod = make_user("Mo", username="mo", password=PASSWORD, is_staff=True)
    suspension_store(user=mod.user, until=timezone.now() - timedelta(minutes=1))
    client = Client()

    response = client.post("/admin/login/", {"username": "mo", "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

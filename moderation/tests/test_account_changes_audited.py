"""Passwords are a superuser's to set, never one's own through staff tools; every staff change to an
account is in the audit log with what changed, whichever door it came through."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from common.errors import NotAllowed
from moderation.models import AuditEntry
from moderation.services import MODERATORS_GROUP, user_account_update
from moderation.tests.conftest import run_action

PASSWORD = "correct horse battery staple"
USERS = "/admin/accounts/user/"


def login(username: str, password: str) -> int:
    return (
        APIClient()
        .post("/api/auth/token", {"username": username, "password": password}, format="json")
        .status_code
    )


def test_a_moderator_cannot_set_a_users_password_through_the_api(moderator, make_user):
    """Like the admin: setting someone's password is impersonation, a 403 for non-superusers."""
    person = make_user("Pat", username="pat", password=PASSWORD)

    response = moderator.client().patch(
        f"/api/users/{person.id}", {"password": "taken over 12345"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error_type"] == "permission_denied"
    assert login("pat", PASSWORD) == 200
    assert not AuditEntry.objects.exists()


def test_nobody_sets_their_own_password_through_user_management(make_user):
    """Not even a superuser: their own password changes with the current one, at /api/users/me."""
    root = make_user("Root", username="root", is_staff=True, is_superuser=True, password=PASSWORD)

    response = root.client().patch(f"/api/users/{root.id}", {"password": "no current one 123"}, format="json")

    assert response.status_code == 400
    assert login("root", PASSWORD) == 200


def test_every_account_change_through_the_api_is_audited_with_old_and_new_values(make_user, author):
    """Name, email, staff rights and a password set: one entry each request, saying what changed."""
    root = make_user("Root", username="root", is_staff=True, is_superuser=True)
    client = root.client()

    client.patch(f"/api/users/{author.id}", {"name": "Ada King", "email": "ada@example.com"}, format="json")
    client.patch(f"/api/users/{author.id}", {"is_staff": True}, format="json")
    client.patch(f"/api/users/{author.id}", {"is_staff": False}, format="json")
    client.patch(f"/api/users/{author.id}", {"password": "a brand new passphrase"}, format="json")

    entries = AuditEntry.objects.order_by("id")
    assert [(e.action, e.moderator_id, e.target_user_id) for e in entries] == [
        ("account_change", root.id, author.id)
    ] * 4
    assert [e.details for e in entries] == [
        {"name": ["Ada Author", "Ada King"], "email": ["", "ada@example.com"]},
        {"is_staff": [False, True]},
        {"is_staff": [True, False]},
        {"password": "set"},
    ]
    assert "a brand new passphrase" not in str(list(entries.values()))


def test_a_suspension_is_audited_with_its_end(moderator_client, author):
    """The audit log says until when (or indefinitely) an account was suspended."""
    until = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    run_action(
        moderator_client,
        USERS,
        "suspend_until",
        [author.id],
        reason="Cool off.",
        until=until.strftime("%Y-%m-%dT%H:%M"),
    )
    run_action(moderator_client, USERS, "suspend_indefinitely", [author.id], reason="Again.")

    details = list(AuditEntry.objects.order_by("id").values_list("details", flat=True))
    assert details == [
        {"until": until.isoformat(), "previously_until": None},
        {"until": "indefinitely", "previously_until": until.isoformat()},
    ]
    page = moderator_client.get("/admin/moderation/auditentry/").content.decode()
    assert "until: indefinitely" in page


def test_the_admin_change_form_saves_through_the_audited_workflow(superuser_client, superuser, author):
    """Renaming and granting staff in the change form are audited like the API's changes."""
    response = superuser_client.post(
        f"{USERS}{author.id}/change/",
        {"username": "author", "name": "Ada King", "email": "ada@example.com", "is_staff": "on"},
    )

    assert response.status_code == 302
    user = User.objects.get(pk=author.id)
    assert (user.name, user.email, user.is_staff) == ("Ada King", "ada@example.com", True)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.moderator_id, entry.target_user_id) == (
        "account_change",
        superuser.id,
        author.id,
    )
    assert entry.details == {
        "name": ["Ada Author", "Ada King"],
        "email": ["", "ada@example.com"],
        "is_staff": [False, True],
    }


def test_a_superuser_cannot_drop_their_own_rights_in_the_change_form(superuser_client, superuser):
    """Their own privilege fields are read-only: posting them changes nothing."""
    superuser_client.post(
        f"{USERS}{superuser.id}/change/",
        {"username": "superuser", "name": "Sue", "email": "", "is_staff": ""},
    )

    user = User.objects.get(pk=superuser.id)
    assert user.is_staff and user.is_superuser


def test_a_password_set_in_the_admin_is_audited_and_ends_the_users_sessions(
    superuser_client, superuser, make_user
):
    """The admin's password form goes through the workflow: audited, and old JWTs stop working."""
    person = make_user("Pat", username="pat", password=PASSWORD)
    tokens = (
        APIClient().post("/api/auth/token", {"username": "pat", "password": PASSWORD}, format="json").json()
    )
    new = "another long passphrase"

    response = superuser_client.post(
        f"{USERS}{person.id}/password/", {"password1": new, "password2": new, "usable_password": "true"}
    )

    assert response.status_code == 302
    assert login("pat", new) == 200
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert bearer.get("/api/users/me").status_code == 401
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.moderator_id, entry.details) == (
        "account_change",
        superuser.id,
        {"password": "set"},
    )


def test_a_moderator_still_cannot_reach_the_admin_password_form(moderator_client, author):
    """The admin refuses non-superusers the password form (unchanged)."""
    assert (
        moderator_client.post(
            f"{USERS}{author.id}/password/", {"password1": "x", "password2": "x"}
        ).status_code
        == 403
    )
    assert Client().get(f"{USERS}{author.id}/password/").status_code == 302


def test_a_superuser_cannot_set_their_own_password_in_the_user_admin(make_user):
    """Their own password changes with the current one (the admin's "change password"), not here."""
    root = make_user("Root", username="root", is_staff=True, is_superuser=True, password=PASSWORD)
    client = Client()
    client.force_login(root.user)
    new = "another long passphrase"

    response = client.post(
        f"{USERS}{root.id}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
        follow=True,
    )

    assert "Change your own password from your profile" in response.content.decode()
    assert login("root", PASSWORD) == 200
    assert not AuditEntry.objects.exists()


def test_granting_a_group_in_the_admin_change_form_is_audited(superuser_client, superuser, author):
    """Groups are privileges like staff status (one PRIVILEGE_FIELDS): the change goes through the
    audited workflow, with the old and new groups."""
    moderators = Group.objects.get(name=MODERATORS_GROUP)

    response = superuser_client.post(
        f"{USERS}{author.id}/change/",
        {"username": "author", "name": "Ada Author", "email": "", "groups": [str(moderators.pk)]},
    )

    assert response.status_code == 302
    assert list(User.objects.get(pk=author.id).groups.values_list("name", flat=True)) == [MODERATORS_GROUP]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.moderator_id, entry.target_user_id) == (
        "account_change",
        superuser.id,
        author.id,
    )
    assert entry.details == {"groups": [[], [MODERATORS_GROUP]]}


def test_a_moderator_cannot_grant_groups_through_the_workflow(moderator, author):
    """The workflow itself refuses privilege changes to non-superusers, whichever door calls it."""
    moderators = Group.objects.get(name=MODERATORS_GROUP)

    with pytest.raises(NotAllowed):
        user_account_update(moderator=moderator.user, user=author.user, reason="x", groups=[moderators])

    assert not author.user.groups.exists()

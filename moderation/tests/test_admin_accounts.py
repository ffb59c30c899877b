from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import SUSPENDED_INDEFINITELY, User
from accounts.services import suspension_store
from moderation.models import AuditEntry
from moderation.tests.conftest import messages_of, run_action

USERS = "/admin/accounts/user/"


def test_suspend_until_blocks_the_api_until_that_time_and_not_after(moderator_client, author):
    """A timed suspension: 403 naming the end time while it lasts, the api works again after it."""
    until = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    with time_machine.travel(until - timedelta(days=1), tick=False) as clock:
        response = run_action(
            moderator_client,
            USERS,
            "suspend_until",
            [author.id],
            reason="Cooling off.",
            until=until.strftime("%Y-%m-%dT%H:%M"),
        )
        assert messages_of(response) == ["Suspended: Ada Author (@author)."]

        clock.move_to(until - timedelta(seconds=1))
        blocked = author.client().get("/api/users/me")
        assert blocked.status_code == 403
        assert blocked.json() == {
            "result": False,
            "error_type": "account_suspended",
            "error_message": f"This account is suspended until {until.isoformat()}.",
        }

        clock.move_to(until)
        assert author.client().get("/api/users/me").status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target_user_id, entry.reason) == ("suspend", author.id, "Cooling off.")


def test_a_suspended_authors_tweets_leave_feeds_until_the_suspension_ends(tweet, author, follower):
    """Followers stop seeing a suspended author's tweets, and see them again once it ends."""
    now = timezone.now()
    suspension_store(user=author.user, until=now + timedelta(hours=1))

    assert follower.client().get("/api/tweets").json()["tweets"] == []
    with time_machine.travel(now + timedelta(hours=1, seconds=1)):
        assert [t["id"] for t in follower.client().get("/api/tweets").json()["tweets"]] == [tweet.id]


def test_suspend_until_refuses_a_time_in_the_past(moderator_client, author):
    """A suspension that would already be over is refused on the confirmation page."""
    response = moderator_client.post(
        USERS,
        {
            "action": "suspend_until",
            "_selected_action": [author.id],
            "reason": "x",
            "until": "2000-01-01T00:00",
            "confirm": "yes",
        },
    )

    assert "Choose a time in the future." in response.content.decode()
    author.user.refresh_from_db()
    assert author.user.suspended_until is None


def test_suspend_indefinitely_then_lift_it(moderator_client, author):
    """Indefinite suspension says so on every call; lifting it restores access; both are logged."""
    run_action(moderator_client, USERS, "suspend_indefinitely", [author.id], reason="Harassment.")
    author.user.refresh_from_db()
    assert author.user.suspended_until == SUSPENDED_INDEFINITELY
    response = author.client().get("/api/tweets")
    assert (response.status_code, response.json()["error_message"]) == (
        403,
        "This account is suspended indefinitely.",
    )

    lifted = run_action(moderator_client, USERS, "unsuspend", [author.id], reason="Apologised.")

    assert messages_of(lifted) == ["Unsuspended: Ada Author (@author)."]
    assert author.client().get("/api/tweets").status_code == 200
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "suspend",
        "unsuspend",
    ]


def test_deactivate_then_reactivate(moderator_client, author):
    """Deactivated: the key is refused with 401. Reactivated: it works again, suspension lifted."""
    run_action(moderator_client, USERS, "deactivate", [author.id], reason="Left the company.")
    assert author.client().get("/api/tweets").status_code == 401
    suspension_store(user=author.user, until=SUSPENDED_INDEFINITELY)

    response = run_action(moderator_client, USERS, "reactivate", [author.id], reason="Rehired.")

    assert messages_of(response) == ["Reactivated: Ada Author (@author)."]
    assert author.client().get("/api/tweets").status_code == 200
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "deactivate",
        "reactivate",
    ]


def test_replacing_the_api_key_shows_the_new_key_once_and_revokes_the_old(moderator_client, author):
    """The message carries the new key, which works; the old key gets 401."""
    response = run_action(moderator_client, USERS, "replace_api_key", [author.id], reason="Key leaked.")

    [message] = messages_of(response)
    new_key = message.split(": ", 1)[1].split(" ", 1)[0]
    assert author.client().get("/api/tweets").status_code == 401
    assert Client().get("/api/tweets", HTTP_API_KEY=new_key).status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target_user_id) == ("key_replacement", author.id)
    assert new_key not in entry.reason + entry.target_repr


def test_user_admin_filters_suspended_users(moderator_client, author, outsider):
    """The "suspended" filter lists the users whose suspension is in force now."""
    suspension_store(user=author.user, until=timezone.now() + timedelta(days=1))
    suspension_store(user=outsider.user, until=timezone.now() - timedelta(days=1))

    response = moderator_client.get(USERS, {"suspended": "yes"})

    assert [row.pk for row in response.context["cl"].result_list] == [author.id]


@pytest.mark.parametrize("field", ["is_staff", "is_superuser"])
def test_moderator_cannot_make_anyone_staff(moderator_client, author, field):
    """Privilege fields are read-only for moderators: posting them changes nothing."""
    page = moderator_client.get(f"{USERS}{author.id}/change/")
    assert page.status_code == 200
    assert f'name="{field}"' not in page.content.decode()

    response = moderator_client.post(
        f"{USERS}{author.id}/change/",
        {"username": "author", "name": "Ada Author", "email": "", field: "on", "groups": ["1"]},
    )

    assert response.status_code == 302
    user = User.objects.get(pk=author.id)
    assert (user.is_staff, user.is_superuser, user.groups.count()) == (False, False, 0)


def test_moderator_cannot_edit_staff_accounts_or_set_passwords(moderator_client, superuser, author):
    """No changing other staff (their passwords included), and no setting anyone's password."""
    assert moderator_client.post(f"{USERS}{superuser.id}/change/", {"name": "x"}).status_code == 403
    assert moderator_client.get(f"{USERS}{superuser.id}/password/").status_code == 403
    assert moderator_client.get(f"{USERS}{author.id}/password/").status_code == 403


def test_moderator_actions_skip_staff_accounts(moderator_client, superuser):
    """Bulk account actions leave staff accounts alone for a moderator, and say so."""
    response = run_action(moderator_client, USERS, "suspend_indefinitely", [superuser.id], reason="x")

    assert "Skipped 1 staff account." in messages_of(response)
    superuser.user.refresh_from_db()
    assert superuser.user.suspended_until is None
    assert not AuditEntry.objects.exists()


def test_superuser_can_grant_staff(superuser_client, author):
    """Only superusers see and change the privilege fields."""
    response = superuser_client.post(
        f"{USERS}{author.id}/change/",
        {"username": "author", "name": "Ada Author", "email": "", "is_staff": "on"},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=author.id).is_staff


def test_non_staff_users_are_sent_away_from_the_admin(author):
    """A logged-in employee without staff rights is redirected to the admin login."""
    client = Client()
    client.force_login(author.user)

    for url in ("/admin/", "/admin/moderation/reportedtweet/", USERS):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_deleting_a_user_in_the_admin_is_audited(superuser_client, superuser, author):
    """Only superusers delete accounts; the audit log keeps who it was."""
    response = superuser_client.post(f"{USERS}{author.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=author.id).exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.moderator_id, entry.target_user_id) == ("deletion", superuser.id, author.id)
    assert "Ada Author (@author)" in entry.target_repr


def test_moderators_cannot_delete_users(moderator_client, author):
    """Deletion is not part of the Moderators group's rights."""
    assert moderator_client.post(f"{USERS}{author.id}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=author.id).exists()

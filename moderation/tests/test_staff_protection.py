"""Only a superuser acts on staff accounts, and nobody changes their own status: at every door.

The attacker is a member of the Moderators group; the targets are the superuser, another
moderator, a staff user outside the group, and the moderator themselves.
"""

import pytest

from accounts.models import User
from moderation.models import AuditEntry
from moderation.services import moderator_add, report_create
from moderation.tests.conftest import messages_of, run_action
from tweets.models import Tweet
from tweets.services import tweet_create

USERS = "/admin/accounts/user/"
QUEUE = "/admin/moderation/reportedtweet/"
TWEETS = "/admin/tweets/tweet/"


@pytest.fixture
def other_moderator(make_user):
    person = make_user("Otto Othermod", username="othermod")
    moderator_add(user=person.user)
    return person


@pytest.fixture
def staff_user(make_user):
    return make_user("Stan Staff", username="staff", is_staff=True)


@pytest.fixture
def targets(moderator_client, moderator, superuser, other_moderator, staff_user):
    """Every account a moderator must not act on: three other staff accounts and their own."""
    return [superuser, other_moderator, staff_user, moderator]


def untouched(*people) -> bool:
    """Active, not suspended, still staff, and no audit entry about them."""
    users = User.objects.filter(pk__in=[person.id for person in people])
    return (
        all(user.is_active and user.is_staff and user.suspended_until is None for user in users)
        and not AuditEntry.objects.filter(target_user_id__in=[person.id for person in people]).exists()
    )


def test_moderator_cannot_suspend_or_deactivate_staff_or_themselves_through_the_api(targets):
    """PATCH and DELETE /api/users/<id>: 403 envelope for other staff, 400 for one's own account."""
    moderator = targets[-1]
    client = moderator.client()

    for target in targets:
        expected = 400 if target is moderator else 403
        for body in ({"is_active": False}, {"name": "Owned"}, {"email": "owned@example.com"}):
            if target is moderator and "is_active" not in body:
                continue  # one's own name and email stay editable
            response = client.patch(f"/api/users/{target.id}", body, format="json")
            assert response.status_code == expected, (target.user.username, body)
            assert response.json()["result"] is False
        assert client.delete(f"/api/users/{target.id}").status_code == expected

    assert untouched(*targets)
    assert not User.objects.filter(name="Owned").exists()


@pytest.mark.parametrize("action", ["suspend_indefinitely", "deactivate", "unsuspend", "replace_api_key"])
def test_moderator_cannot_act_on_staff_or_themselves_from_the_user_list(
    moderator_client, targets, author, action
):
    """The user list's actions skip every staff account, naming each, and still act on the others."""
    response = run_action(moderator_client, USERS, action, [t.id for t in targets] + [author.id], reason="x")

    messages = messages_of(response)
    assert "Skipped 4 staff accounts." in messages
    refusals = " ".join(messages[2:])
    for target in targets:
        assert str(target.user) in refusals
    assert untouched(*targets)
    assert AuditEntry.objects.filter(target_user_id=author.id).exists()


def test_moderator_cannot_open_the_change_form_of_staff(
    moderator_client, superuser, other_moderator, staff_user
):
    """Another staff account's change form is read-only, and posting to it is a 403."""
    for target in (superuser, other_moderator, staff_user):
        page = moderator_client.get(f"{USERS}{target.id}/change/").content.decode()
        assert 'name="name"' not in page and 'name="email"' not in page
        response = moderator_client.post(f"{USERS}{target.id}/change/", {"username": "x", "name": "Owned"})
        assert response.status_code == 403
    assert untouched(superuser, other_moderator, staff_user)


def test_moderator_cannot_hide_and_suspend_staff_from_the_queue(moderator_client, targets, author, outsider):
    """The queue's "hide and suspend" refuses staff authors and one's own account, and says so."""
    staff_tweets = [
        tweet_create(author=t.user, content=f"by {t.user.username}", media_ids=[]) for t in targets
    ]
    plain = tweet_create(author=author.user, content="by a plain author", media_ids=[])
    for tweet in [*staff_tweets, plain]:
        report_create(reporter=outsider.user, tweet_id=tweet.id, reason="spam")

    response = run_action(
        moderator_client,
        QUEUE,
        "hide_tweets_and_suspend_authors",
        [t.id for t in [*staff_tweets, plain]],
        reason="Leak.",
        duration="24h",
    )

    messages = messages_of(response)
    assert messages[0] == "Hid 1 tweet and suspended Ada Author (@author) (24 hours)."
    for target in targets:
        assert str(target.user) in " ".join(messages[1:]) or f"by {target.user.username}" in " ".join(
            messages[1:]
        )
    assert untouched(*targets)
    assert not Tweet.objects.filter(pk__in=[t.pk for t in staff_tweets], hidden_at__isnull=False).exists()
    assert Tweet.objects.get(pk=plain.pk).hidden_at is not None
    assert User.objects.get(pk=author.id).suspended_until is not None


def test_moderator_cannot_hide_staff_tweets_from_the_queue_or_the_tweet_list(
    moderator_client, superuser, other_moderator, staff_user, outsider
):
    """Hiding a staff author's tweet is a superuser's call, from the queue and from the tweet list."""
    tweets = [
        tweet_create(author=t.user, content="staff says", media_ids=[])
        for t in (superuser, other_moderator, staff_user)
    ]
    for tweet in tweets:
        report_create(reporter=outsider.user, tweet_id=tweet.id, reason="spam")
    ids = [t.id for t in tweets]

    from_queue = run_action(moderator_client, QUEUE, "hide_tweets", ids, reason="x")
    from_list = run_action(moderator_client, TWEETS, "hide_tweets", ids, reason="x")

    assert "Hid 0 tweets; their reports are closed." in messages_of(from_queue)
    assert "Hid 0 tweets." in messages_of(from_list)
    assert any("Only a superuser can act on a staff account." in m for m in messages_of(from_list))
    assert not Tweet.objects.filter(pk__in=ids, hidden_at__isnull=False).exists()
    assert not AuditEntry.objects.exists()


def test_moderator_cannot_unhide_a_staff_authors_tweet_a_superuser_hid(
    moderator_client, superuser_client, staff_user
):
    """Unhiding is refused too; the superuser's decision stands."""
    tweet = tweet_create(author=staff_user.user, content="hidden by root", media_ids=[])
    run_action(superuser_client, TWEETS, "hide_tweets", [tweet.id], reason="Root's call.")

    response = run_action(moderator_client, TWEETS, "unhide_tweets", [tweet.id], reason="x")

    assert "Unhid 0 tweets; they are back in feeds." in messages_of(response)
    assert Tweet.objects.get(pk=tweet.pk).hidden_at is not None


def test_a_superuser_acts_on_staff_but_not_on_themselves(superuser_client, superuser, other_moderator):
    """The superuser may suspend a moderator, never their own account."""
    response = run_action(
        superuser_client, USERS, "suspend_indefinitely", [other_moderator.id, superuser.id], reason="x"
    )

    messages = messages_of(response)
    assert messages[0] == "Suspended indefinitely: Otto Othermod (@othermod)."
    assert "Not applied to Sue Superuser (@superuser): You cannot do this to your own account." in messages
    assert User.objects.get(pk=other_moderator.id).suspended_until is not None
    assert User.objects.get(pk=superuser.id).suspended_until is None

"""The moderation cast: a moderator who logs into the admin, and tweets to moderate."""

import pytest
from django.test import Client

from moderation.services import moderator_add
from tweets.services import tweet_create


@pytest.fixture
def moderator_client(moderator) -> Client:
    """The admin as seen by a member of the Moderators group (staff, not superuser)."""
    moderator_add(user=moderator.user)
    client = Client()
    client.force_login(moderator.user)
    return client


@pytest.fixture
def superuser(make_user):
    return make_user("Sue Superuser", username="superuser", is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(superuser) -> Client:
    client = Client()
    client.force_login(superuser.user)
    return client


@pytest.fixture
def tweet(author):
    return tweet_create(author=author.user, content="the customer list is attached", media_ids=[])


def run_action(client: Client, url: str, action: str, ids: list[int], **form):
    """Pick an admin action for the selected rows, then confirm it with `form` on the
    intermediate page; returns the page the admin lands on afterwards."""
    selection = {"action": action, "_selected_action": [str(pk) for pk in ids]}
    page = client.post(url, {**selection, "index": "0"})
    assert page.status_code == 200, page
    assert b'name="reason"' in page.content
    return client.post(url, {**selection, **form, "confirm": "yes"}, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]

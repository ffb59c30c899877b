import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from moderation.models import AuditEntry
from moderation.services import tweet_hide

AUDIT = "/admin/moderation/auditentry/"


@pytest.fixture
def entry(moderator, tweet):
    tweet_hide(moderator=moderator.user, tweet=tweet, reason="Leak.")
    return AuditEntry.objects.get()


@pytest.mark.parametrize("client_fixture", ["moderator_client", "superuser_client"])
def test_audit_entries_cannot_be_added_changed_or_deleted_in_the_admin(request, client_fixture, entry):
    """Read-only for everyone, superusers included: no add, no edit, no delete, no bulk delete."""
    client = request.getfixturevalue(client_fixture)

    assert client.get(AUDIT).status_code == 200
    assert client.get(f"{AUDIT}add/").status_code == 403
    detail = client.get(f"{AUDIT}{entry.id}/change/")
    assert detail.status_code == 200
    assert 'name="reason"' not in detail.content.decode()
    assert client.post(f"{AUDIT}{entry.id}/change/", {"reason": "rewritten"}).status_code == 403
    assert client.post(f"{AUDIT}{entry.id}/delete/", {"post": "yes"}).status_code == 403
    client.post(AUDIT, {"action": "delete_selected", "_selected_action": [entry.id], "post": "yes"})
    assert AuditEntry.objects.get().reason == "Leak."


def test_audit_log_filters_by_moderator_action_and_date(moderator_client, entry, moderator):
    """The filters a moderator needs to answer "who did what and when"."""
    for params in (
        {"moderator__id__exact": moderator.id},
        {"action__exact": "hide"},
        {"created_at__gte": "2000-01-01 00:00:00+00:00"},
    ):
        response = moderator_client.get(AUDIT, params)
        assert [row.pk for row in response.context["cl"].result_list] == [entry.pk], params

    assert list(moderator_client.get(AUDIT, {"action__exact": "suspend"}).context["cl"].result_list) == []


def test_moderators_group_has_exactly_the_moderation_permissions(db):
    """The data migration's group: what moderating needs, nothing that grants rights."""
    codenames = set(Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True))

    assert codenames == {
        "view_user",
        "change_user",
        "view_apikey",
        "view_follow",
        "view_tweet",
        "change_tweet",
        "view_like",
        "view_media",
        "view_reportedtweet",
        "change_reportedtweet",
        "view_report",
        "view_auditentry",
    }


def test_add_moderator_command_grants_and_removes_the_role(outsider):
    """`manage.py add_moderator` makes a user staff in the Moderators group; --remove undoes it."""
    call_command("add_moderator", "outsider")
    outsider.user.refresh_from_db()
    assert outsider.user.is_staff
    assert list(outsider.user.groups.values_list("name", flat=True)) == ["Moderators"]
    assert not outsider.user.is_superuser

    call_command("add_moderator", "outsider", "--remove")
    outsider.user.refresh_from_db()
    assert not outsider.user.is_staff
    assert not outsider.user.groups.exists()


def test_add_moderator_command_refuses_an_unknown_user(db):
    """A typo in the username is an error, not a silent no-op."""
    with pytest.raises(CommandError, match="No user @nobody"):
        call_command("add_moderator", "nobody")


def test_audit_log_names_the_person_and_quotes_the_post_with_links(moderator_client, entry, tweet):
    """ "Ada Lovelace (@ada) · “the post's words”", each linked, not "user #2 · tweet #32"."""
    page = moderator_client.get(AUDIT).content.decode()
    author = tweet.author
    person = f"<bdi>{author.name}</bdi> (@{author.username})"
    assert f'<a href="/admin/accounts/user/{author.pk}/change/">{person}</a>' in page
    assert f'<a href="/admin/tweets/tweet/{tweet.pk}/change/">“<bdi>' in page
    assert f"user #{author.pk}" not in page and f"tweet #{tweet.pk}</a>" not in page


def test_audit_log_falls_back_to_the_record_once_the_post_is_gone(moderator_client, entry, tweet):
    """The entry outlives what it is about: deleted, it shows what was recorded at the time."""
    tweet.delete()
    page = moderator_client.get(AUDIT).content.decode()
    assert f"/admin/tweets/tweet/{tweet.pk}/" not in page
    assert f"<bdi>{entry.target_repr}</bdi> (as recorded)" in page
    assert f"/admin/accounts/user/{tweet.author.pk}/change/" in page

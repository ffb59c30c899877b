import pytest
from django.db import IntegrityError, transaction

from accounts.models import Follow
from api.testing import assert_error, db_snapshot


def follows() -> set[tuple[int, int]]:
    return set(Follow.objects.values_list("follower_id", "followee_id"))


def test_user_can_follow_another_user(author, outsider):
    """POST follow answers result true and the follow shows in both profiles."""
    response = outsider.client().post(f"/api/users/{author.id}/follow")

    assert response.status_code == 200
    assert response.json() == {"result": True}
    assert follows() == {(outsider.id, author.id)}
    profile = outsider.client().get(f"/api/users/{author.id}").json()["user"]
    assert profile["followers"] == [{"id": outsider.id, "name": "Olga Outsider"}]


def test_following_twice_keeps_a_single_follow(author, follower):
    """Following an already followed user succeeds and counts nothing twice."""
    response = follower.client().post(f"/api/users/{author.id}/follow")

    assert response.status_code == 200
    assert response.json() == {"result": True}
    assert follows() == {(follower.id, author.id)}


def test_user_can_unfollow(author, follower):
    """DELETE follow removes the follow."""
    response = follower.client().delete(f"/api/users/{author.id}/follow")

    assert response.status_code == 200
    assert response.json() == {"result": True}
    assert follows() == set()


def test_unfollowing_a_user_not_followed_succeeds(author, outsider):
    """Unfollowing someone you do not follow is a no-op with result true."""
    response = outsider.client().delete(f"/api/users/{author.id}/follow")

    assert response.status_code == 200
    assert response.json() == {"result": True}
    assert follows() == set()


def test_user_cannot_follow_themselves(author):
    """Following yourself is a 400 envelope and creates nothing."""
    before = db_snapshot()

    assert_error(author.client().post(f"/api/users/{author.id}/follow"), 400, "validation_error")

    assert db_snapshot() == before


@pytest.mark.parametrize("method", ["post", "delete"])
def test_following_an_unknown_user_is_not_found(author, method):
    """Following or unfollowing a user id that does not exist is a 404."""
    before = db_snapshot()

    assert_error(getattr(author.client(), method)("/api/users/999999/follow"), 404, "not_found")

    assert db_snapshot() == before


def test_following_a_deactivated_user_is_not_found(author, outsider):
    """A deactivated account cannot gain followers."""
    outsider.user.is_active = False
    outsider.user.save()

    assert_error(author.client().post(f"/api/users/{outsider.id}/follow"), 404, "not_found")
    assert follows() == set()


def test_database_refuses_self_follow_and_duplicate_follow(author, follower):
    """The constraints hold even for code that bypasses the services."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower=author.user, followee=author.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower=follower.user, followee=author.user)

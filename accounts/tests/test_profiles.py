import pytest

from accounts.services import follow_add
from api.testing import assert_error


def test_me_shows_my_profile_with_whom_i_follow(author, follower):
    """GET /api/users/me answers the contract's Profile of the key's owner."""
    response = follower.client().get("/api/users/me")

    assert response.status_code == 200
    assert response.json() == {
        "result": True,
        "user": {
            "id": follower.id,
            "name": "Fred Follower",
            "followers": [],
            "following": [{"id": author.id, "name": "Ada Author"}],
            "username": "follower",
            "avatar": f"/avatars/initials/FF-{follower.id % 8}.svg",
            "bio": "",
            "title": "",
            "department": "",
            "language": "",
            "time_zone": "",
        },
    }


def test_user_profile_lists_their_followers(author, follower, outsider):
    """GET /api/users/<id> shows anyone's profile, followers included."""
    response = outsider.client().get(f"/api/users/{author.id}")

    assert response.status_code == 200
    assert response.json() == {
        "result": True,
        "user": {
            "id": author.id,
            "name": "Ada Author",
            "followers": [{"id": follower.id, "name": "Fred Follower"}],
            "following": [],
            "username": "author",
            "avatar": f"/avatars/initials/AA-{author.id % 8}.svg",
            "bio": "",
            "title": "",
            "department": "",
        },
    }


def test_unknown_user_profile_is_not_found(author):
    """An id that names no user is a 404 envelope."""
    assert_error(author.client().get("/api/users/999999"), 404, "not_found")


def test_deactivated_user_profile_is_not_found(author, outsider):
    """A deactivated account is gone for everyone else."""
    outsider.user.is_active = False
    outsider.user.save()

    assert_error(author.client().get(f"/api/users/{outsider.id}"), 404, "not_found")


def test_deactivated_follower_is_not_listed(author, follower):
    """Followers whose account is deactivated disappear from profiles."""
    follower.user.is_active = False
    follower.user.save()

    response = author.client().get("/api/users/me")

    assert response.json()["user"]["followers"] == []


@pytest.mark.parametrize("crowd", [1, 12])
def test_profile_query_count_does_not_grow_with_followers(
    make_user, author, crowd, django_assert_num_queries
):
    """A profile costs the same queries for one follower as for many."""
    for index in range(crowd):
        fan = make_user(f"Fan {index}")
        follow_add(follower=fan.user, followee_id=author.id)
        follow_add(follower=author.user, followee_id=fan.id)
    client = author.client()

    # 1. api key + user (authentication), 2. the user row for <id>, 3. followers and following.
    with django_assert_num_queries(3):
        response = client.get(f"/api/users/{author.id}")

    assert len(response.json()["user"]["followers"]) == crowd
    assert len(response.json()["user"]["following"]) == crowd

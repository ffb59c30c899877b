"""GET /api/users: the colleague directory."""

import pytest

from accounts.services import deactivation_store, follow_add


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["users"]]


def test_directory_lists_active_users_with_counts_and_whether_i_follow_them(author, follower, outsider):
    """Each row: id, name, follower and following counts, followed_by_me; no account fields."""
    response = follower.client().get("/api/users")

    assert response.status_code == 200
    body = response.json()
    assert body["result"] is True
    assert body["count"] == 3
    assert body["next"] is None and body["previous"] is None
    assert [tuple(row.values()) for row in body["users"]] == [
        (author.id, "Ada Author", 1, 0, True),
        (follower.id, "Fred Follower", 0, 1, False),
        (outsider.id, "Olga Outsider", 0, 0, False),
    ]
    assert list(body["users"][0]) == ["id", "name", "followers_count", "following_count", "followed_by_me"]


def test_directory_hides_deactivated_users_and_their_follows(author, follower, outsider):
    """A deactivated user is neither listed nor counted."""
    deactivation_store(user=follower.user)

    response = outsider.client().get("/api/users")

    assert names(response) == ["Ada Author", "Olga Outsider"]
    assert response.json()["users"][0]["followers_count"] == 0


def test_directory_searches_by_name_ignoring_case(author, follower, outsider):
    """`?search=` matches part of the name."""
    response = outsider.client().get("/api/users", {"search": "FOLL"})

    assert names(response) == ["Fred Follower"]
    assert response.json()["count"] == 1


def test_directory_is_paginated_by_page_number(make_user, outsider):
    """`page` and `page_size` walk the list; links point to the neighbouring pages."""
    for n in range(5):
        make_user(f"Colleague {n}")
    client = outsider.client()

    first = client.get("/api/users", {"page_size": 2})
    third = client.get("/api/users", {"page_size": 2, "page": 3})

    assert first.json()["count"] == 6
    assert names(first) == ["Colleague 0", "Colleague 1"]
    assert "page=2" in first.json()["next"]
    assert names(third) == ["Colleague 4", "Olga Outsider"]
    assert third.json()["next"] is None
    assert client.get("/api/users", {"page": 4, "page_size": 2}).status_code == 404
    assert client.get("/api/users", {"page": 0}).status_code == 400
    assert client.get("/api/users", {"page_size": 101}).status_code == 400


def test_directory_query_count_does_not_grow_with_users_or_follows(
    make_user, outsider, django_assert_num_queries
):
    """Three queries whatever the page holds."""
    people = [make_user(f"Colleague {n}") for n in range(6)]
    for person in people:
        for other in people:
            if other is not person:
                follow_add(follower=person.user, followee_id=other.id)
        follow_add(follower=outsider.user, followee_id=person.id)
    client = outsider.client()

    # 1. the api key and its user, 2. COUNT for the paginator, 3. the page with counts and followed_by_me
    with django_assert_num_queries(3):
        response = client.get("/api/users")

    assert response.json()["users"][0] == {
        "id": people[0].id,
        "name": "Colleague 0",
        "followers_count": 6,
        "following_count": 5,
        "followed_by_me": True,
    }


def test_staff_see_account_fields_and_can_include_inactive_users(author, follower, moderator):
    """Email, username, status and suspension for staff; `include_inactive=1` lists deactivated users."""
    deactivation_store(user=follower.user)
    client = moderator.client()

    active_only = client.get("/api/users")
    everyone = client.get("/api/users", {"include_inactive": 1})

    assert names(active_only) == ["Ada Author", "Mo Moderator"]
    assert names(everyone) == ["Ada Author", "Fred Follower", "Mo Moderator"]
    row = everyone.json()["users"][1]
    assert row["is_active"] is False
    assert set(row) == {
        "id", "name", "followers_count", "following_count", "followed_by_me",
        "username", "email", "is_active", "is_staff", "suspended_until",
    }  # fmt: skip


def test_non_staff_cannot_include_inactive_users(outsider):
    """`include_inactive` is a staff privilege: 403."""
    response = outsider.client().get("/api/users", {"include_inactive": 1})

    assert response.status_code == 403
    assert response.json()["error_type"] == "permission_denied"


@pytest.mark.usefixtures("author")
def test_directory_needs_credentials(anonymous):
    """Anonymous requests are a 401."""
    assert anonymous.get("/api/users").status_code == 401

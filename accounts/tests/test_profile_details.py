"""Profiles beyond the contract: username, avatar, bio, title and department, through every door."""

import pytest
from django.test import Client

from accounts.avatars import initials
from api.testing import assert_error

PROFILE_FIELDS = {"id", "name", "followers", "following", "username", "avatar", "bio", "title", "department"}


def test_people_edit_their_bio_title_and_department_over_the_api(author, outsider):
    """PATCH /api/users/me sets them; anyone's GET /api/users/<id> shows them."""
    response = author.client().patch(
        "/api/users/me",
        {"bio": "  Engines and numbers.  ", "title": "Analyst", "department": "Research"},
        format="json",
    )

    assert response.status_code == 200
    seen = outsider.client().get(f"/api/users/{author.id}").json()["user"]
    assert set(seen) == PROFILE_FIELDS
    assert (seen["bio"], seen["title"], seen["department"]) == ("Engines and numbers.", "Analyst", "Research")
    assert seen["username"] == "author"
    cleared = author.client().patch("/api/users/me", {"title": ""}, format="json").json()["user"]
    assert (cleared["title"], cleared["department"]) == ("", "Research")


@pytest.mark.parametrize(
    "body",
    [{"bio": "x" * 501}, {"title": "x" * 151}, {"department": 7}, {"title": "a\x00b"}, {"bio": None}],
)
def test_bad_profile_values_are_refused_and_change_nothing(author, body):
    """Too long, wrong types, NUL bytes: a 400 envelope, the profile as it was."""
    response = author.client().patch("/api/users/me", body, format="json")

    assert_error(response, 400, "validation_error")
    author.user.refresh_from_db()
    assert (author.user.bio, author.user.title, author.user.department) == ("", "", "")


def test_every_profile_has_an_avatar_image_of_the_initials(author, outsider):
    """The avatar URL loads as-is as an image: the person's initials, cached for long."""
    url = outsider.client().get(f"/api/users/{author.id}").json()["user"]["avatar"]

    response = Client().get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert ">AA</text>" in response.content.decode()
    assert "immutable" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ada Lovelace", "AL"),
        ("Grace Brewster Murray Hopper", "GH"),
        ("Linus", "L"),
        ("Анна Петрова", "АП"),
        ("--", "?"),
    ],
)
def test_initials_are_the_first_and_last_names_first_letters(name, expected):
    """The generated avatar shows the first letters of the first and last names."""
    assert initials(name) == expected


def test_avatar_urls_are_safe_for_any_name(make_user):
    """Markup in a name never reaches the image as markup; unknown avatars are 404s."""
    person = make_user("<script> &x")
    url = person.client().get("/api/users/me").json()["user"]["avatar"]
    body = Client().get(url).content.decode()
    assert "<script" not in body.split("<text", 1)[1]
    assert Client().get("/avatars/initials/ABC-1.svg").status_code == 404
    assert Client().get("/avatars/initials/AB-99.svg").status_code == 404


def test_the_settings_page_edits_the_profile(make_user):
    """Settings has a profile form; the service's length rule shows beside the field."""
    person = make_user("Page Person", username="pageperson", password="page person passphrase 1")
    client = Client()
    client.force_login(person.user)

    page = client.get("/settings/")
    assert "Job title" in page.content.decode()
    saved = client.post(
        "/settings/profile/", {"bio": "Hello", "title": "Engineer", "department": "Platform"}, follow=True
    )

    assert saved.status_code == 200
    assert "Your profile is saved." in saved.content.decode()
    person.user.refresh_from_db()
    assert (person.user.bio, person.user.title, person.user.department) == ("Hello", "Engineer", "Platform")
    refused = client.post("/settings/profile/", {"bio": "x" * 501, "title": "", "department": ""})
    assert refused.status_code == 400
    assert "500 characters" in refused.content.decode()


def test_the_profile_page_shows_title_department_and_bio(make_user):
    """Colleagues see the title, department and bio on the profile page."""
    person = make_user("Shown Person", username="shown")
    person.client().patch(
        "/api/users/me", {"bio": "I build things.", "title": "Builder", "department": "Works"}, format="json"
    )
    viewer = make_user("Viewer")
    client = Client()
    client.force_login(viewer.user)

    page = client.get(f"/people/{person.id}/").content.decode()

    assert "I build things." in page and "Builder" in page and "Works" in page

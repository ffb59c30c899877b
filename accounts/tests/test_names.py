"""Display names that hide, impersonate or reorder (issue 25 item 12): one rule,
accounts.services.name_clean, at every door that sets a name."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.models import User

ZERO_WIDTH = "\u200b\u200c\u200d\u2060"
RLO = "\u202e"


@pytest.fixture
def grace(make_user):
    """The administrator whose name others would borrow."""
    return make_user("Grace Hopper", username="grace", is_staff=True, is_superuser=True)


def rename_over_api(person, name: str):
    return person.client().patch("/api/users/me", {"name": name}, format="json")


def rename_on_settings_page(person, name: str):
    browser = Client()
    browser.force_login(person.user)
    return browser.post("/settings/name/", {"name": name})


@pytest.mark.parametrize("rename", [rename_over_api, rename_on_settings_page])
def test_a_name_of_only_zero_width_characters_is_refused(author, rename):
    response = rename(author, ZERO_WIDTH)
    assert response.status_code == 400
    assert "A name needs at least one visible character." in response.content.decode()
    author.user.refresh_from_db()
    assert author.user.name == "Ada Author"


@pytest.mark.parametrize(
    "lookalike",
    [
        "Grace Hopper",
        "grace hopper",
        "GRACE  HOPPER",
        "Gr\u0430ce Hopper",
        f"Grace{ZERO_WIDTH} Hopper",
        "Grâce Hopper",
    ],
)
@pytest.mark.parametrize("rename", [rename_over_api, rename_on_settings_page])
def test_nobody_takes_a_name_that_looks_like_the_administrators(grace, author, rename, lookalike):
    """The same letters whatever their case, accents, zero-width characters or script."""
    response = rename(author, lookalike)
    assert response.status_code == 400
    assert "This name looks like a staff member&#x27;s" in response.content.decode() or (
        "This name looks like a staff member's" in response.content.decode()
    )
    author.user.refresh_from_db()
    assert author.user.name == "Ada Author"


def test_colleagues_may_share_a_name_and_staff_keep_their_own(grace, author, outsider):
    assert rename_over_api(author, "Olga Outsider").status_code == 200
    assert rename_over_api(grace, "GRACE HOPPER").status_code == 200


def test_an_unterminated_right_to_left_override_is_stripped_from_a_name(author):
    assert rename_over_api(author, f"Grace {RLO}reppoH").status_code == 200
    author.user.refresh_from_db()
    assert author.user.name == "Grace reppoH"


def test_createuser_refuses_an_invisible_name(db):
    with pytest.raises(CommandError, match="visible character"):
        call_command("createuser", ZERO_WIDTH, stdout=io.StringIO())
    assert not User.objects.exists()


def test_the_admin_refuses_a_staff_lookalike_name_beside_the_field(grace, author):
    admin = Client()
    admin.force_login(grace.user)
    page = admin.get(f"/admin/accounts/user/{author.id}/change/")
    form = {
        field: value
        for field, value in re.findall(
            r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page.content.decode()
        )
        if field not in ("csrfmiddlewaretoken",)
    }
    response = admin.post(
        f"/admin/accounts/user/{author.id}/change/",
        {
            **form,
            "username": "author",
            "name": "Grace Hopper",
            "email": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert "This name looks like a staff member" in response.content.decode()
    author.user.refresh_from_db()
    assert author.user.name == "Ada Author"


def test_the_admin_isolates_bidirectional_text(db):
    """Every admin page loads the stylesheet that isolates names and texts."""
    sue = User.objects.create_superuser("sue", "sue@example.com", "pw-123456789", name="Sue")
    admin = Client()
    admin.force_login(sue)
    page = admin.get("/admin/accounts/user/").content.decode()
    assert "common/admin-bidi.css" in page

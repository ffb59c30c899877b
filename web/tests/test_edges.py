"""The web door at its edges, as an attacker meets it: ids past 64 bits, NUL bytes, someone else's
post, an old session after reactivation, and what a shared cache may keep."""

import pytest
from django.test import Client

from accounts.models import User
from moderation.models import Report
from moderation.services import user_deactivate, user_reactivate
from tweets.models import Tweet

PAST_64_BITS = 2**63
RLO = "\u202e"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", f"/tweets/{PAST_64_BITS}/like/"),
        ("post", f"/tweets/{PAST_64_BITS}/unlike/"),
        ("get", f"/tweets/{PAST_64_BITS}/delete/"),
        ("post", f"/tweets/{PAST_64_BITS}/delete/"),
        ("get", f"/tweets/{PAST_64_BITS}/report/"),
        ("post", f"/tweets/{PAST_64_BITS}/report/"),
        ("get", f"/people/{PAST_64_BITS}/"),
        ("post", f"/people/{PAST_64_BITS}/follow/"),
        ("post", f"/people/{PAST_64_BITS}/unfollow/"),
    ],
)
def test_an_id_past_64_bits_is_a_not_found_page(signed_in, outsider, method, path):
    """Such an id names nothing: the page says "not found", as for any unknown id, never a 500."""
    response = getattr(signed_in(outsider), method)(path, {"reason": "spam"})
    assert response.status_code == 404
    assert "Not found: it may have been deleted." in response.content.decode()


def test_a_nul_byte_in_a_post_is_refused_with_a_message(signed_in, author):
    """The text's NUL byte is refused beside the field, as the API refuses it; nothing is posted."""
    response = signed_in(author).post("/compose/", {"text": "hello\x00world"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert not Tweet.objects.exists()


def test_the_api_refuses_a_nul_byte_in_a_post_the_same_way(author):
    response = author.client().post("/api/tweets", {"tweet_data": "hello\x00world"}, format="json")
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.json()["error_message"]
    assert not Tweet.objects.exists()


# --- Someone else's post, one's own post --------------------------------------------------------


def test_asking_to_delete_someone_elses_post_is_refused_like_deleting_it(
    signed_in, outsider, author, make_tweet
):
    """GET of another's delete page is the POST's refusal (403 and its message), not a confirmation."""
    tweet = make_tweet(author, "not yours")
    client = signed_in(outsider)
    asked = client.get(f"/tweets/{tweet.pk}/delete/")
    posted = client.post(f"/tweets/{tweet.pk}/delete/")
    assert (asked.status_code, posted.status_code) == (403, 403)
    for response in (asked, posted):
        assert "Only the author can delete a tweet." in response.content.decode()
    assert "<form" not in asked.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert Tweet.objects.filter(pk=tweet.pk).exists()


def test_nobody_can_report_their_own_post_on_a_page(signed_in, author, make_tweet):
    """The report page of one's own post refuses, for GET and POST alike; nothing is filed."""
    tweet = make_tweet(author, "mine")
    client = signed_in(author)
    asked = client.get(f"/tweets/{tweet.pk}/report/")
    posted = client.post(f"/tweets/{tweet.pk}/report/", {"reason": "spam"})
    assert (asked.status_code, posted.status_code) == (400, 400)
    for response in (asked, posted):
        assert "You cannot report your own post." in response.content.decode()
    assert not Report.objects.exists()


def test_nobody_can_report_their_own_post_over_the_api(author, make_tweet):
    tweet = make_tweet(author, "mine")
    response = author.client().post(f"/api/tweets/{tweet.pk}/report", {"reason": "spam"}, format="json")
    assert response.status_code == 400
    assert response.json()["error_message"] == "You cannot report your own post."
    assert not Report.objects.exists()


# --- Sessions -----------------------------------------------------------------------------------


def test_a_session_from_before_a_deactivation_stays_ended_after_reactivation(signed_in, author, make_user):
    """Deactivation ends web sessions for good, as a password change does: reactivated, the user
    signs in again."""
    boss = make_user("Sue Superuser", username="sue", is_staff=True, is_superuser=True)
    browser = signed_in(author)
    assert browser.get("/settings/").status_code == 200
    user_deactivate(moderator=boss.user, user=author.user, reason="Left.")
    assert browser.get("/settings/").status_code == 302
    user_reactivate(moderator=boss.user, user=author.user, reason="Back.")
    response = browser.get("/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/?next=") or "sign-in" in response["Location"]


def test_rotating_the_api_key_on_the_settings_page_keeps_that_session(signed_in, author):
    browser = signed_in(author)
    browser.post("/settings/api-key/")
    assert browser.get("/settings/").status_code == 200


# --- Caching ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/people/", "/settings/", "/compose/"])
def test_signed_in_pages_may_not_be_stored_by_any_cache(signed_in, author, path):
    response = signed_in(author).get(path)
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives


def test_the_sign_in_page_and_static_files_keep_their_caching(client: Client):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


# --- Pages isolate every name and text ------------------------------------------------------------


def test_a_right_to_left_name_does_not_reorder_the_liked_by_line(
    signed_in, author, outsider, follower, make_tweet
):
    """Even a name stored before the rule (an open override) stays inside its own isolate."""
    User.objects.filter(pk=outsider.id).update(name=f"{RLO}Grace Hopper")
    make_tweet(author, f"mine {RLO}reversed", likers=[outsider, follower])
    html = signed_in(follower).get("/").content.decode()
    assert f"<bdi>{RLO}Grace Hopper</bdi>" in html
    assert "<bdi>Fred Follower</bdi>" in html
    assert "<bdi>Ada Author</bdi>" in html
    # The tweet's own open override was stripped when it was posted.
    assert "mine reversed" in html

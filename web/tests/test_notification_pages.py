"""The notifications page, the navigation's unread count and the Settings for notifications."""

import re

from moderation.services import user_deactivate, user_suspend
from notifications.models import Mute
from notifications.selectors import unread_count
from tweets.services import like_add


def test_page_groups_likes_links_post_and_people_and_marks_read(
    signed_in, make_user, author, make_tweet, django_assert_num_queries
):
    """Five likes of a post: one entry naming the latest three with links, "and 2 others"."""
    tweet = make_tweet(author)
    fans = [make_user(f"Fan {n}") for n in range(5)]
    for fan in fans:
        like_add(user=fan.user, tweet_id=tweet.id)
    client = signed_in(author)
    assert client.get("/notifications/unread/").json() == {"unread": 1}

    # Session, user; the newest rows' groups, those groups' rows; marking them read.
    with django_assert_num_queries(5):
        response = client.get("/notifications/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="card notification unread"') == 1
    assert f'<a href="/people/{fans[4].id}/">Fan 4</a>, <a href="/people/{fans[3].id}/">Fan 3</a>' in html
    assert "and 2 others" in html
    assert f'<a href="/tweets/{tweet.id}/">liked your post</a>' in html
    assert unread_count(user=author.user) == 0
    assert client.get("/notifications/unread/").json() == {"unread": 0}


def test_two_people_read_as_a_and_b(signed_in, make_user, author, make_tweet):
    tweet = make_tweet(author)
    ada, bob = make_user("Ada"), make_user("Bob")
    like_add(user=ada.user, tweet_id=tweet.id)
    like_add(user=bob.user, tweet_id=tweet.id)
    html = signed_in(author).get("/notifications/").content.decode()
    assert f'<a href="/people/{bob.id}/">Bob</a> and <a href="/people/{ada.id}/">Ada</a>' in html


def test_navigation_links_notifications_with_the_poll_url(signed_in, author):
    html = signed_in(author).get("/").content.decode()
    assert re.search(r'<a href="/notifications/"[^>]* data-notifications="/notifications/unread/"', html)


def test_a_bad_cursor_is_a_message_not_an_error(signed_in, author):
    response = signed_in(author).get("/notifications/?cursor=nope", follow=True)
    assert response.status_code == 200
    assert "Invalid cursor." in response.content.decode()


def test_settings_mute_and_digest(signed_in, author, outsider, make_tweet):
    """Muting likes in Settings stops like notifications; the choices show checked afterwards."""
    client = signed_in(author)
    response = client.post("/settings/notifications/", {"muted": ["like"], "digest": "on"})
    assert response.status_code == 302
    assert list(Mute.objects.filter(user=author.user).values_list("kind", flat=True)) == ["like"]
    like_add(user=outsider.user, tweet_id=make_tweet(author).id)
    assert unread_count(user=author.user) == 0
    html = client.get("/settings/").content.decode()
    assert re.search(r'<input type="checkbox" name="muted" value="like"[^>]*checked', html)
    assert re.search(r'<input type="checkbox" name="digest"[^>]*checked', html)


def test_settings_refuse_an_unknown_kind(signed_in, author):
    response = signed_in(author).post("/settings/notifications/", {"muted": ["tweet_hidden"]})
    assert response.status_code == 400
    assert not Mute.objects.exists()


def test_the_unread_count_needs_a_session(client, db):
    assert client.get("/notifications/unread/").status_code == 302


def test_the_page_and_the_badge_leave_out_suspended_and_deactivated_people(
    signed_in, make_user, author, moderator, make_tweet, django_assert_num_queries
):
    """Five likes, two of the likers hidden since: the page names the other three without "and
    others"; a suspended person's follow shows nowhere; the badge counts what the page shows."""
    tweet = make_tweet(author)
    fans = [make_user(f"Fan {n}") for n in range(5)]
    for fan in fans:
        like_add(user=fan.user, tweet_id=tweet.id)
    assert fans[4].client().post(f"/api/users/{author.id}/follow").status_code == 200
    user_suspend(moderator=moderator.user, user=fans[4].user, reason="spam", indefinitely=True)
    user_deactivate(moderator=moderator.user, user=fans[3].user, reason="left the company")
    client = signed_in(author)
    assert client.get("/notifications/unread/").json() == {"unread": 1}

    # Session, user; the newest rows' groups, those groups' rows; marking them read.
    with django_assert_num_queries(5):
        html = client.get("/notifications/").content.decode()

    assert html.count('class="card notification') == 1
    assert (
        f'<a href="/people/{fans[2].id}/">Fan 2</a>, <a href="/people/{fans[1].id}/">Fan 1</a> and '
        f'<a href="/people/{fans[0].id}/">Fan 0</a>'
    ) in html
    assert "other" not in html
    assert "Fan 4" not in html and "Fan 3" not in html
    assert "followed you" not in html


def test_a_page_of_hidden_people_only_says_nothing_yet(signed_in, make_user, author, moderator, make_tweet):
    spammer = make_user("Sam Spammer")
    like_add(user=spammer.user, tweet_id=make_tweet(author).id)
    user_suspend(moderator=moderator.user, user=spammer.user, reason="spam", indefinitely=True)
    client = signed_in(author)
    assert client.get("/notifications/unread/").json() == {"unread": 0}
    html = client.get("/notifications/").content.decode()
    assert "Nothing yet" in html
    assert "Sam Spammer" not in html


def _text(html: str) -> str:
    """The page's words as read: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" :", ":").replace(" ,", ",")


def test_the_russian_page_names_people_after_the_action_without_gender_marks(
    signed_in, make_user, author, outsider, make_tweet
):
    """In Russian each sentence names the people after the action, in a form that needs no one's
    gender, for one person or many."""
    author.user.language = "ru"
    author.user.save(update_fields=["language"])
    liked, alone = make_tweet(author, "liked"), make_tweet(author, "alone")
    fans = [make_user(f"Fan {n}") for n in range(5)]
    for fan in fans:
        like_add(user=fan.user, tweet_id=liked.id)
    like_add(user=fans[0].user, tweet_id=alone.id)
    assert outsider.client().post(f"/api/users/{author.id}/follow").status_code == 200
    client = outsider.client()
    reply = client.post("/api/tweets", {"tweet_data": "Да", "in_reply_to": alone.id}, format="json")
    assert reply.status_code == 201
    assert client.post("/api/tweets", {"tweet_data": "@author привет"}, format="json").status_code == 201

    html = signed_in(author).get("/notifications/").content.decode()

    text = _text(html)
    assert "Вас упомянули: Olga Outsider" in text  # noqa: RUF001
    assert "Ответ на ваш пост: Olga Outsider" in text
    assert "На вас подписались: Olga Outsider" in text  # noqa: RUF001
    assert "Ваш пост понравился: Fan 0" in text
    assert "Ваш пост понравился: Fan 4, Fan 3, Fan 2 и ещё 2" in text
    assert f'<a href="/tweets/{liked.id}/">Ваш пост понравился</a>' in html
    assert not re.search(r"\((-?[а-яё]{1,3})\)", text)  # noqa: RUF001


def test_no_russian_string_marks_gender_with_brackets():
    """No bracketed gender ending such as "ответил(а)" or "подписался(-ась)": the notifications'
    sentences, and every other Russian string, are worded so that nobody's gender is needed."""  # noqa: RUF002
    from pathlib import Path

    po = (Path(__file__).resolve().parents[1] / "locale/ru/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    translations = [line for line in po.splitlines() if line.startswith(("msgstr", '"'))]
    marked = [line for line in translations if re.search(r"[а-яё]\((-?[а-яё]{1,3})\)", line)]  # noqa: RUF001
    assert marked == []
    assert any("На вас подписались: %(who)s" in line for line in translations)  # noqa: RUF001

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Follow, User
from accounts.services import follow_add
from media.models import Media
from moderation.models import Report
from tweets.models import Like, Tweet
from tweets.selectors import trending_tags
from tweets.services import tweet_create

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def postgres(on_postgresql: int, elsewhere: int) -> int:
    return on_postgresql if connection.vendor == "postgresql" else elsewhere


def articles(response) -> list[str]:
    return re.findall(r'<article class="card tweet" id="tweet-(\d+)"', response.content.decode())


# --- Feed ------------------------------------------------------------------------------------


def test_feed_shows_followed_and_own_tweets_most_liked_first(
    signed_in, follower, author, outsider, make_tweet
):
    """The home feed has the API's ranking: followed colleagues and own tweets, most liked first."""
    quiet = make_tweet(author, "quiet")
    popular = make_tweet(author, "popular", likers=[outsider])
    own = make_tweet(follower, "mine")
    make_tweet(outsider, "not followed")
    response = signed_in(follower).get("/")
    assert articles(response) == [str(popular.pk), str(own.pk), str(quiet.pk)]
    html = response.content.decode()
    assert f'href="/people/{author.id}/"><bdi>Ada Author</bdi></a>' in html
    assert "not followed" not in html


def test_feed_tabs_show_whom_a_suspension_hides_at_the_time_of_each_request(
    signed_in, make_user, follower, author, make_tweet
):
    """A post whose author's suspension is over shows on Top and Latest, with the replies it has;
    a reply by someone suspended shows and counts once their suspension is over too. (The cards
    are read by a statement compiled once per process: the time it checks is each request's.)"""
    sam = make_user("Sam Suspended", username="sam")
    follow_add(follower=follower.user, followee_id=sam.id)
    post = make_tweet(author, "back from a break")
    tweet_create(author=sam.user, content="welcome back", media_ids=[], in_reply_to=post.pk)
    User.objects.filter(pk=author.id).update(suspended_until=timezone.now() - timedelta(days=1))
    User.objects.filter(pk=sam.id).update(suspended_until=timezone.now() + timedelta(days=1))
    client = signed_in(follower)
    for path in ("/", "/latest/"):
        html = client.get(path).content.decode()
        assert "back from a break" in html and ">0 replies<" in html
        assert "welcome back" not in html

    User.objects.filter(pk=sam.id).update(suspended_until=timezone.now() - timedelta(seconds=1))
    for path in ("/", "/latest/"):
        html = client.get(path).content.decode()
        assert "back from a break" in html and ">1 reply<" in html
        assert "welcome back" in html


def test_feed_shows_thumbnails_linking_to_the_full_image_with_alt_text(
    signed_in, author, make_media, make_tweet
):
    """Each image is a thumbnail with alt text, linked to the full image."""
    media = make_media(author)
    make_tweet(author, "with a picture", media=[media])
    html = signed_in(author).get("/").content.decode()
    media.refresh_from_db()
    assert f'<a href="/media/{media.file.name}" data-viewer><img src="/media/{media.thumbnail.name}"' in html
    assert 'alt="Image 1 of the post by Ada Author (opens the full image)"' in html


def test_feed_page_queries_do_not_grow_with_tweets(
    signed_in, author, follower, outsider, make_media, make_tweet, django_assert_num_queries
):
    """The feed page runs a fixed number of queries, however many tweets, likes and images it shows."""
    client = signed_in(follower)
    for n in range(3):
        make_tweet(author, f"tweet {n}", media=[make_media(author)], likers=[outsider, follower])
    trending_tags()
    # Session, user; the Top tab's ids (tweet_top_idx; no cursor snapshot until "Load more"); the
    # page's tweets (with the viewer's like and open report), their first five likers, images (on
    # PostgreSQL one statement); the Trending tags counted before, read from the cache (the
    # database cache here, Redis in production: tweets/tests/test_trending.py).
    expected = postgres(5, 7)
    with django_assert_num_queries(expected):
        client.get("/")
    for n in range(5):
        make_tweet(author, f"more {n}", media=[make_media(author)], likers=[outsider])
    with django_assert_num_queries(expected):
        assert len(articles(client.get("/"))) == 8
    # The Latest tab: session, user; the page's ids (feed_latest_ids); its cards (rows, first
    # likers, images); Trending: as many as Top.
    with django_assert_num_queries(expected):
        assert len(articles(client.get("/latest/"))) == 8


def test_with_redis_the_trending_box_costs_home_latest_and_tag_pages_no_query(
    private_redis, signed_in, author, follower, make_tweet, django_assert_num_queries
):
    """As deployed (Redis): the Trending list, once counted, is a cache read, not a database query."""
    make_tweet(author, "#launch day")
    client = signed_in(follower)
    for path in ("/", "/latest/", "/tags/launch/"):
        client.get(path)
    # Session, user; Top's ids; the cards (rows, first likers, images: on PostgreSQL one statement).
    with django_assert_num_queries(postgres(4, 6)):
        assert '<a href="/tags/launch/">#launch</a>' in client.get("/").content.decode()
    # Session, user; the page's ids; the cards.
    with django_assert_num_queries(postgres(4, 6)):
        client.get("/latest/")
    # Session, user; the cards.
    with django_assert_num_queries(5):
        client.get("/tags/launch/")


def test_every_form_of_the_home_page_carries_the_one_csrf_token(signed_in, author, follower, make_tweet):
    """The frame's, the compose box's and each card's forms carry the page's CSRF token, masked
    once: a token made anew for each form would cost a random string per form."""
    for n in range(3):
        make_tweet(author, f"tweet {n}")
    html = signed_in(follower).get("/").content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    # Sign out, compose, and a like form per card.
    assert len(tokens) >= 5
    assert len(set(tokens)) == 1


def test_load_more_continues_without_duplicates_while_likes_change(
    signed_in, follower, author, outsider, make_tweet, settings
):
    """ "Load more" walks the order fixed at the first page: no tweet twice, none skipped, as likes change."""
    from web import views

    tweets = [make_tweet(author, f"tweet {n}") for n in range(views.FEED_PAGE_SIZE + 5)]
    client = signed_in(follower)
    first = client.get("/")
    link = re.search(r'href="(\?after=[^"]+)" data-load-more', first.content.decode())
    assert link
    # The last tweet becomes the most liked meanwhile: it must not appear twice nor be skipped.
    client.post(f"/tweets/{tweets[0].pk}/like/")
    rest = client.get(f"/{link[1]}&partial=1")
    seen = articles(first) + articles(rest)
    assert sorted(seen) == sorted(str(t.pk) for t in tweets)
    assert len(seen) == len(set(seen))
    assert "data-load-more" not in rest.content.decode()


def test_load_more_walks_every_page_once(signed_in, follower, author, make_tweet):
    """Past the first "Load more", the pages follow the cursor: 45 tweets in three pages, each once."""
    from web import views

    tweets = {str(make_tweet(author, f"tweet {n}").pk) for n in range(2 * views.FEED_PAGE_SIZE + 5)}
    client = signed_in(follower)
    page, seen = client.get("/"), []
    while True:
        seen += articles(page)
        link = re.search(r'href="(\?[^"]+)" data-load-more', page.content.decode())
        if not link:
            break
        page = client.get("/" + link[1].replace("&amp;", "&") + "&partial=1")
    assert sorted(seen) == sorted(tweets) and len(seen) == len(set(seen))


def test_broken_load_more_link_is_a_message(signed_in, follower):
    """A "Load more" link cut or edited by hand brings the colleague back to the top, saying so."""
    response = signed_in(follower).get("/?after=1,x", follow=True)
    assert response.status_code == 200
    assert "This link is broken; start again from the top." in response.content.decode()


def test_forged_cursor_is_a_message_not_an_error_page(signed_in, follower):
    """A broken or expired load-more link brings the colleague back to the top of the feed with a message."""
    response = signed_in(follower).get("/?cursor=forged", follow=True)
    assert response.status_code == 200
    assert "Invalid cursor." in response.content.decode()


def test_user_text_is_escaped(signed_in, author, make_tweet, make_user):
    """Tweets and names are shown as text: markup in them is never interpreted."""
    make_tweet(author, "<script>alert(1)</script> & <b>bold</b>")
    html = signed_in(author).get("/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_every_page_has_a_strict_content_security_policy(signed_in, author, make_tweet, client):
    """Every web page forbids inline scripts and styles and any other origin."""
    tweet = make_tweet(author)
    pages = [
        "/",
        "/compose/",
        "/people/",
        f"/people/{author.id}/",
        "/settings/",
        f"/tweets/{tweet.pk}/delete/",
    ]
    responses = [client.get("/")] + [signed_in(author).get(page) for page in pages]
    for response in responses:
        policy = response["Content-Security-Policy"]
        assert (
            "default-src 'none'" in policy
            and "script-src 'self';" in policy
            and "style-src 'self';" in policy
        )
        assert "unsafe-inline" not in policy and "http" not in policy
        assert "<script>" not in response.content.decode()
        assert " style=" not in response.content.decode()


# --- Compose ---------------------------------------------------------------------------------


def test_compose_posts_text_with_images(signed_in, author, png_upload):
    """A post with text and two images is published through the media pipeline, images in order."""
    response = signed_in(author).post(
        "/compose/",
        {"text": "Hello from the web", "images": [png_upload("a.png"), png_upload("b.png")]},
        follow=True,
    )
    assert "Your post is published." in response.content.decode()
    tweet = Tweet.objects.get(content="Hello from the web")
    media = [attachment.media for attachment in tweet.attachments.order_by("position")]
    assert len(media) == 2 and all(m.thumbnail.name for m in media)
    assert response.content.decode().count('alt="Image ') == 2


def test_compose_stores_each_images_description_and_shows_it_as_alt(signed_in, author, png_upload):
    """One description per image ("alts", in order; the page without JavaScript offers a field per
    possible image): stored on the attachment, shown as the image's alt; no description, the default."""
    page = signed_in(author).get("/compose/").content.decode()
    assert page.count('name="alts"') == 4 and 'for="compose-alt-1"' in page
    response = signed_in(author).post(
        "/compose/",
        {
            "text": "Two",
            "images": [png_upload("a.png"), png_upload("b.png")],
            "alts": ["A red <door>", "", "", ""],
        },
        follow=True,
    )
    tweet = Tweet.objects.get(content="Two")
    assert [a.alt for a in tweet.attachments.order_by("position")] == ["A red <door>", ""]
    html = response.content.decode()
    assert 'alt="A red &lt;door&gt;"' in html
    assert 'alt="Image 2 of the post by' in html


def test_compose_refuses_a_description_without_an_image(signed_in, author, png_upload):
    response = signed_in(author).post(
        "/compose/", {"text": "One", "images": [png_upload()], "alts": ["", "An image that is not there"]}
    )
    assert response.status_code == 400
    assert "There are more image descriptions than images." in response.content.decode()
    assert not Tweet.objects.filter(content="One").exists()


def test_compose_states_the_limits(signed_in, author, settings):
    """The compose form states the server's length and image limits and carries the live counter's limit."""
    settings.TWEET_MAX_LENGTH = 99
    html = signed_in(author).get("/compose/").content.decode()
    assert 'data-max-length="99"' in html and "Up to 99 characters" in html
    assert '<label for="id_text">What&#39;s happening?</label>' in html
    assert '<label for="id_images">Images</label>' in html
    assert ">Post</button>" in html


def test_too_long_post_is_refused_in_plain_words(signed_in, author, settings):
    """Text over TWEET_MAX_LENGTH is refused saying "post", not the API's wording; nothing is created."""
    settings.TWEET_MAX_LENGTH = 10
    response = signed_in(author).post("/compose/", {"text": "x" * 11})
    assert response.status_code == 400
    assert "A post can have at most 10 characters." in response.content.decode()
    assert "Ensure this field" not in response.content.decode()
    assert not Tweet.objects.exists()


def test_too_many_images_are_refused_and_none_kept(signed_in, author, png_upload, settings):
    """More images than TWEET_MAX_MEDIA: refused in plain words; no image stays behind."""
    settings.TWEET_MAX_MEDIA = 1
    response = signed_in(author).post("/compose/", {"text": "two", "images": [png_upload(), png_upload()]})
    assert response.status_code == 400
    assert "A post can have at most 1 images." in response.content.decode()
    assert not Tweet.objects.exists() and not Media.objects.exists()


def test_non_image_is_refused_with_the_pipelines_message(signed_in, author, png_upload):
    """A PDF is refused with the media pipeline's message; the image uploaded beside it is not kept."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf")
    response = signed_in(author).post("/compose/", {"text": "see attached", "images": [png_upload(), pdf]})
    assert response.status_code == 415
    assert "PDF files are not accepted; upload JPEG, PNG, GIF or WebP." in response.content.decode()
    assert not Tweet.objects.exists() and not Media.objects.exists()


def test_empty_post_is_refused(signed_in, author):
    """Neither text nor image: what to do, in plain words."""
    response = signed_in(author).post("/compose/", {"text": "  "})
    assert response.status_code == 400
    assert "Write something or add an image." in response.content.decode()


def test_compose_requires_the_csrf_token(csrf_client, author):
    """Posting without the CSRF token is refused, and nothing is published."""
    csrf_client.force_login(author.user)
    assert csrf_client.post("/compose/", {"text": "forged"}).status_code == 403
    assert not Tweet.objects.exists()


# --- Like, delete, report --------------------------------------------------------------------


def test_like_and_unlike_in_place(signed_in, follower, author, make_tweet):
    """Like/Unlike answer a script with the tweet re-rendered: the button flips and the count moves."""
    tweet = make_tweet(author)
    client = signed_in(follower)
    liked = client.post(f"/tweets/{tweet.pk}/like/", HTTP_ACCEPT="application/json").json()
    assert ">Unlike<span" in liked["html"] and "1 like<" in liked["html"]
    assert Like.objects.filter(tweet=tweet, user=follower.user).exists()
    unliked = client.post(f"/tweets/{tweet.pk}/unlike/", HTTP_ACCEPT="application/json").json()
    assert ">Like<span" in unliked["html"] and "0 likes<" in unliked["html"]
    tweet.refresh_from_db()
    assert tweet.likes_count == 0


def test_like_without_script_returns_to_the_page(signed_in, follower, author, make_tweet):
    """Without JavaScript the form posts and the browser returns to where it was."""
    tweet = make_tweet(author)
    response = signed_in(follower).post(f"/tweets/{tweet.pk}/like/", {"next": f"/people/{author.id}/"})
    assert response["Location"] == f"/people/{author.id}/"
    tweet.refresh_from_db()
    assert tweet.likes_count == 1


def test_like_of_a_deleted_tweet_says_so(signed_in, follower):
    """Liking a tweet that is gone is a clear message, not an error page."""
    response = signed_in(follower).post("/tweets/999999/like/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json() == {"error": "Not found: it may have been deleted."}


def test_like_requires_the_csrf_token(csrf_client, follower, author, make_tweet):
    """A like without the CSRF token is refused."""
    tweet = make_tweet(author)
    csrf_client.force_login(follower.user)
    assert csrf_client.post(f"/tweets/{tweet.pk}/like/").status_code == 403
    assert not Like.objects.exists()


def test_delete_asks_for_confirmation_then_deletes(signed_in, author, make_tweet):
    """Delete shows the post and a Delete button; only the POST deletes."""
    tweet = make_tweet(author, "to go")
    client = signed_in(author)
    page = client.get(f"/tweets/{tweet.pk}/delete/")
    assert "Delete this post?" in page.content.decode() and ">Delete</button>" in page.content.decode()
    assert Tweet.objects.filter(pk=tweet.pk).exists()
    response = client.post(f"/tweets/{tweet.pk}/delete/", follow=True)
    assert "Your post is deleted." in response.content.decode()
    assert not Tweet.objects.filter(pk=tweet.pk).exists()


def test_cannot_delete_someone_elses_tweet(signed_in, author, outsider, make_tweet):
    """Deleting someone else's tweet is refused with the service's message; the tweet stays."""
    tweet = make_tweet(author)
    response = signed_in(outsider).post(f"/tweets/{tweet.pk}/delete/")
    assert response.status_code == 403
    assert "Only the author can delete a tweet." in response.content.decode()
    assert Tweet.objects.filter(pk=tweet.pk).exists()


def test_feed_offers_delete_on_own_tweets_and_report_on_others(signed_in, follower, author, make_tweet):
    """Own tweets carry Delete, colleagues' tweets Report."""
    own = make_tweet(follower, "mine")
    theirs = make_tweet(author, "theirs")
    html = signed_in(follower).get("/").content.decode()
    assert f'action="/tweets/{own.pk}/delete/"' in html and f'action="/tweets/{own.pk}/report/"' not in html
    assert (
        f'action="/tweets/{theirs.pk}/report/"' in html
        and f'action="/tweets/{theirs.pk}/delete/"' not in html
    )


def test_report_with_a_reason(signed_in, follower, author, make_tweet):
    """Report files a report with the chosen reason through the moderation service."""
    tweet = make_tweet(author)
    client = signed_in(follower)
    form = client.get(f"/tweets/{tweet.pk}/report/").content.decode()
    assert '<option value="harassment">Harassment</option>' in form and ">Report</button>" in form
    response = client.post(f"/tweets/{tweet.pk}/report/", {"reason": "spam", "comment": "ads"}, follow=True)
    assert "the moderators will look at this post" in response.content.decode()
    report = Report.objects.get()
    assert (report.reporter_id, report.tweet_id, report.reason, report.comment) == (
        follower.id,
        tweet.pk,
        "spam",
        "ads",
    )


def test_report_without_a_valid_reason_is_refused(signed_in, follower, author, make_tweet):
    """An unknown reason is a form error; no report is filed."""
    tweet = make_tweet(author)
    response = signed_in(follower).post(f"/tweets/{tweet.pk}/report/", {"reason": "boredom"})
    assert response.status_code == 400
    assert not Report.objects.exists()


# --- People ----------------------------------------------------------------------------------


def test_directory_lists_colleagues_and_searches_by_name(
    signed_in, follower, author, outsider, django_assert_num_queries
):
    """People lists colleagues with their counts and Follow/Unfollow; search filters by name."""
    client = signed_in(outsider)
    # Session, user, the page's count, the page of users with their counts.
    with django_assert_num_queries(4):
        html = client.get("/people/").content.decode()
    assert "Ada Author" in html and "Fred Follower" in html
    assert html.count(">Follow</button>") == 2  # not for oneself
    found = client.get("/people/?q=fred").content.decode()
    assert "Fred Follower" in found and "Ada Author" not in found


def test_follow_and_unfollow_in_place(signed_in, outsider, author):
    """Follow/Unfollow answer a script with the new state and the follower count."""
    client = signed_in(outsider)
    followed = client.post(f"/people/{author.id}/follow/", HTTP_ACCEPT="application/json").json()
    assert followed["following"] is True and followed["followers_label"] == "1 follower"
    assert Follow.objects.filter(follower=outsider.user, followee=author.user).exists()
    unfollowed = client.post(f"/people/{author.id}/unfollow/", HTTP_ACCEPT="application/json").json()
    assert unfollowed["following"] is False and unfollowed["followers_count"] == 0


def test_following_yourself_is_refused_with_the_services_message(signed_in, author):
    """The follow service's rule, its message on the page."""
    response = signed_in(author).post(f"/people/{author.id}/follow/", follow=True)
    assert "You cannot follow yourself." in response.content.decode()


def test_profile_shows_tweets_followers_and_follow_button(
    signed_in, follower, author, outsider, make_tweet, django_assert_num_queries
):
    """A profile shows the colleague's tweets, followers, following, and the right button."""
    make_tweet(author, "on my profile")
    client = signed_in(follower)
    # Session, user, the profile's user, its followers and following, its tweets (with the viewer's
    # like and report), their first likers, their images.
    with django_assert_num_queries(7):
        html = client.get(f"/people/{author.id}/").content.decode()
    assert "on my profile" in html and "Fred Follower" in html and ">Unfollow</button>" in html
    assert ">Follow</button>" in signed_in(outsider).get(f"/people/{author.id}/").content.decode()


def test_profile_of_unknown_user_is_a_404_page(signed_in, author):
    """An unknown colleague is a page saying so."""
    response = signed_in(author).get("/people/999999/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


# --- Settings --------------------------------------------------------------------------------


def test_display_name_change(signed_in, author):
    """The display name changes through the accounts service."""
    response = signed_in(author).post("/settings/name/", {"name": "Ada King"}, follow=True)
    assert "Your display name is changed." in response.content.decode()
    author.user.refresh_from_db()
    assert author.user.name == "Ada King"


def test_password_change_needs_the_current_password(signed_in, make_user):
    """A wrong current password is refused with the service's message; the password stays."""
    person = make_user("Pat", username="pat", password="old passphrase 42")
    response = signed_in(person).post(
        "/settings/password/",
        {
            "current_password": "wrong",
            "new_password": "new passphrase 42",
            "new_password_again": "new passphrase 42",
        },
    )
    assert response.status_code == 400
    assert "This is not your current password." in response.content.decode()
    person.user.refresh_from_db()
    assert person.user.check_password("old passphrase 42")


def test_weak_new_password_is_refused_with_the_validators_message(signed_in, make_user):
    """Django's password validators apply, as over the API."""
    person = make_user("Pat", username="pat", password="old passphrase 42")
    response = signed_in(person).post(
        "/settings/password/",
        {"current_password": "old passphrase 42", "new_password": "123", "new_password_again": "123"},
    )
    assert response.status_code == 400
    assert "This password is too short." in response.content.decode()


def test_password_change_keeps_this_session(signed_in, make_user):
    """After changing the password, this session stays signed in and the new password works."""
    person = make_user("Pat", username="pat", password="old passphrase 42")
    client = signed_in(person)
    response = client.post(
        "/settings/password/",
        {
            "current_password": "old passphrase 42",
            "new_password": "new passphrase 42",
            "new_password_again": "new passphrase 42",
        },
        follow=True,
    )
    assert "Your password is changed." in response.content.decode()
    assert client.get("/settings/").status_code == 200
    person.user.refresh_from_db()
    assert person.user.check_password("new passphrase 42")


def test_api_key_rotation_shows_the_new_key_once(signed_in, author, client):
    """A new api key is shown on the answer only; the old key stops working, the new one works."""
    browser = signed_in(author)
    assert "Replace your api key?" in browser.get("/settings/api-key/").content.decode()
    assert client.get("/api/users/me", HTTP_API_KEY=author.key).status_code == 200
    response = browser.post("/settings/api-key/", follow=True)
    shown = re.search(r'<code id="new-api-key">([^<]+)</code>', response.content.decode())
    assert shown is not None
    key = shown[1]
    assert "no-store" in response["Cache-Control"]
    assert "scripts using the old key stop working" in response.content.decode()
    assert client.get("/api/users/me", HTTP_API_KEY=author.key).status_code == 401
    assert client.get("/api/users/me", HTTP_API_KEY=key).status_code == 200
    assert key not in browser.get("/settings/").content.decode()


def test_settings_forms_require_the_csrf_token(csrf_client, author):
    """Rotating the key without the CSRF token is refused: the old key keeps working."""
    csrf_client.force_login(author.user)
    assert csrf_client.post("/settings/api-key/").status_code == 403
    assert csrf_client.get("/api/users/me", HTTP_API_KEY=author.key).status_code == 200


@pytest.mark.parametrize("staff", [True, False])
def test_admin_link_only_for_staff_and_api_docs_for_everyone_signed_in(signed_in, make_user, staff):
    """Staff see a link to the admin; everyone signed in sees the API docs and People."""
    html = signed_in(make_user("Someone", is_staff=staff)).get("/").content.decode()
    assert ('href="/admin/"' in html) is staff
    assert 'href="/api/docs/">API docs</a>' in html and "<span>People</span>" in html


def test_feed_names_the_first_likers_and_counts_the_others(signed_in, author, make_user, make_tweet):
    """Under a post: its first five likers' names (not links: 20 posts would be 100 tab stops), and
    how many others."""
    likers = [make_user(f"Liker {n}") for n in range(7)]
    make_tweet(author, "popular", likers=likers)
    html = signed_in(author).get("/").content.decode()
    assert (
        "Liked by <bdi>Liker 0</bdi>, <bdi>Liker 1</bdi>, <bdi>Liker 2</bdi>, <bdi>Liker 3</bdi>, "
        "<bdi>Liker 4</bdi> and 2 others" in html
    )
    assert "Liker 5" not in html
    assert "and 2 others" in html and "7 likes" in html


def test_uploads_count_against_the_apis_upload_throttle(signed_in, author, png_upload, settings):
    """Images posted from a page count against THROTTLE_UPLOADS like API uploads; past it nothing is kept."""
    settings.UPLOAD_THROTTLE_RATE = (2, 3600)
    client = signed_in(author)
    assert client.post("/compose/", {"text": "one", "images": [png_upload()]}).status_code == 302
    response = client.post("/compose/", {"text": "two", "images": [png_upload(), png_upload()]})
    assert response.status_code == 429
    assert "Too many attempts; try again in" in response.content.decode()
    assert Tweet.objects.count() == 1 and Media.objects.count() == 1


def test_api_uploads_and_web_posts_share_one_upload_throttle(signed_in, author, png_upload, settings):
    """One counter per user whichever door the images come through (accounts.throttling)."""
    settings.UPLOAD_THROTTLE_RATE = (2, 3600)
    api = author.client()
    assert api.post("/api/medias", {"file": png_upload()}, format="multipart").status_code == 201
    client = signed_in(author)

    response = client.post("/compose/", {"text": "two", "images": [png_upload(), png_upload()]})

    assert response.status_code == 429
    assert client.post("/compose/", {"text": "one", "images": [png_upload()]}).status_code == 302
    assert api.post("/api/medias", {"file": png_upload()}, format="multipart").status_code == 429


def test_expired_form_gets_a_page_in_chirps_layout(csrf_client, author):
    """A form posted without a valid CSRF token gets a clear message, under the same strict CSP."""
    csrf_client.force_login(author.user)
    response = csrf_client.post("/settings/name/", {"name": "X"})
    assert response.status_code == 403
    assert "This form has expired. Reload the page and try again." in response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]


# --- Languages and time -------------------------------------------------------------------------


def test_pages_speak_the_browsers_language_and_the_api_stays_english(signed_in, author, client):
    """Accept-Language: ru gets the pages in Russian; the API's messages (its contract) stay English."""
    html = signed_in(author).get("/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9").content.decode()
    assert '<html lang="ru"' in html and "Что нового?" in html and "<span>Лента</span>" in html
    api = client.get("/api/users/me", HTTP_ACCEPT_LANGUAGE="ru")
    assert api.status_code == 401 and "Content-Language" not in api
    assert api.json()["error_message"].isascii()


def test_the_language_and_time_zone_chosen_under_settings_win_over_the_browsers(signed_in, author):
    """Settings: a Russian browser set to English gets English pages, times in the chosen zone."""
    browser = signed_in(author)
    response = browser.post(
        "/settings/locale/", {"language": "en", "time_zone": "America/New_York"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 302
    html = browser.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="en" data-time-zone="America/New_York">' in html and "What&#39;s happening?" in html
    refused = browser.post("/settings/locale/", {"language": "xx", "time_zone": "Mars/Olympus"})
    assert refused.status_code == 400


def test_the_language_and_time_zone_follow_the_account_to_another_device(signed_in, make_user):
    """Chosen in Settings on one device, stored on the account: a fresh browser that signs in (no
    cookie of Chirp's, an English Accept-Language) gets Russian pages in the chosen zone."""
    author = make_user("Lena", username="lena", password="a long passphrase 42")
    signed_in(author).post("/settings/locale/", {"language": "ru", "time_zone": "Asia/Tokyo"})
    author.user.refresh_from_db()
    assert (author.user.language, author.user.time_zone) == ("ru", "Asia/Tokyo")
    other_device = Client()
    other_device.post("/sign-in/", {"login": "lena", "password": "a long passphrase 42"})
    assert "chirp_time_zone" not in other_device.cookies
    html = other_device.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ru" data-time-zone="Asia/Tokyo">' in html and "Что нового?" in html
    settings_page = other_device.get("/settings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="ru" selected>' in settings_page
    assert '<option value="Asia/Tokyo" selected>' in settings_page


def test_as_the_browser_says_clears_the_account_choice(signed_in, author):
    browser = signed_in(author)
    browser.post("/settings/locale/", {"language": "ru", "time_zone": "Asia/Tokyo"})
    browser.post("/settings/locale/", {"language": "", "time_zone": ""})
    author.user.refresh_from_db()
    assert (author.user.language, author.user.time_zone) == ("", "")
    html = browser.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html


def test_the_russian_catalogue_is_complete():
    """Every string the web client marks for translation has its Russian (and none is fuzzy)."""
    from pathlib import Path

    po = (Path(__file__).resolve().parents[1] / "locale/ru/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    assert entries
    untranslated = [
        entry
        for entry in entries
        if re.search(r'^msgstr(\[\d\])? ""\n(?!")', entry + "\n", re.M) or "fuzzy" in entry
    ]
    assert untranslated == []


def test_the_manifest_names_png_icons_of_the_sizes_it_states(client, db):
    """Installable everywhere: 192 and 512 px PNGs and a maskable one, each the size the manifest
    states, beside the SVG; the pages link the manifest and an apple-touch-icon."""
    import json
    from pathlib import Path

    from PIL import Image

    static = Path(__file__).resolve().parents[1] / "static" / "web"
    manifest = json.loads((static / "manifest.webmanifest").read_text())
    pngs = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    assert {(icon["sizes"], icon["purpose"]) for icon in pngs} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    }
    for icon in pngs:
        with Image.open(static / icon["src"]) as image:
            assert image.format == "PNG" and "x".join(map(str, image.size)) == icon["sizes"]
            if icon["purpose"] == "maskable":
                # Full bleed: the corners a mask may keep are painted, not transparent.
                assert image.convert("RGBA").getchannel("A").getpixel((0, 0)) == 255
    html = client.get("/").content.decode()
    assert 'rel="manifest"' in html and 'rel="apple-touch-icon"' in html


class _VisibleText(HTMLParser):
    """The words a person meets on a page: its text (not scripts or styles) and the labels its
    elements and scripts give (aria-label, title, placeholder, alt, button values, data-*label*)."""

    def __init__(self):
        super().__init__()
        self.words: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            labelled = name in ("aria-label", "title", "placeholder", "alt") or (
                name.startswith("data-") and ("label" in name or "found" in name)
            )
            if value and (
                labelled or (name == "value" and tag == "input" and dict(attrs).get("type") == "submit")
            ):
                self.words.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.words.append(data)


# What stays Latin in the Russian pages: the product's name, formats, and the UTC of a time shown
# before the script puts it in the viewer's zone.
_LATIN_ALLOWED = {"Chirp", "API", "JPEG", "PNG", "GIF", "WebP", "UTC"}


def _english_left(html: str) -> set[str]:
    parser = _VisibleText()
    parser.feed(html)
    # Placeholders the scripts fill (`%(count)s`) are not words.
    texts = [re.sub(r"%\(\w+\)s", "", text) for text in parser.words]
    return {word for text in texts for word in re.findall(r"[A-Za-z]{2,}", text)} - _LATIN_ALLOWED


def test_the_conversation_pages_speak_russian_throughout(make_user, signed_in, client):
    """In Russian, Home (Top and Latest), a thread, a tag page, an edit and its history, the
    notifications and the signed-out pages show no English word: every string of issues 20, 21, 23
    and 24 is translated."""
    from tweets.services import tweet_create, tweet_edit

    anna = make_user("Анна Каренина", username="анна")
    boris = make_user("Борис Годунов", username="борис")
    Follow.objects.create(follower=boris.user, followee=anna.user)
    root = tweet_create(author=anna.user, content="Запуск в пятницу #запуск", media_ids=[])
    answer = tweet_create(author=boris.user, content="Отлично, @анна!", media_ids=[], in_reply_to=root.pk)
    tweet_edit(user=boris.user, tweet_id=answer.pk, content="Отлично, @анна! #запуск")
    Like.objects.create(user=anna.user, tweet=answer)
    browser = signed_in(boris)
    pages = ["/", "/latest/", f"/tweets/{root.pk}/", f"/tweets/{answer.pk}/", "/tags/запуск/"]
    pages += [f"/tweets/{answer.pk}/edit/", f"/tweets/{answer.pk}/history/", "/notifications/"]

    for url in pages:
        response = browser.get(url, HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code == 200, url
        assert _english_left(response.content.decode()) == set(), url
    for url in ["/", "/password-reset/"]:  # signed out, "/" is the sign-in page
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code == 200, url
        assert _english_left(response.content.decode()) == set(), url


def test_cards_read_by_id_show_the_same_likers_and_images_as_their_own_queries(
    author, follower, make_user, make_media, make_tweet
):
    """On PostgreSQL tweet_cards reads the first likers and the images as arrays of the rows'
    statement; they are what likers_preview and tweet_images read (a queryset's cards use those)."""
    from tweets.models import Attachment, Tweet
    from web.selectors import LIKERS_SHOWN, queryset_tweet_cards, tweet_cards

    likers = [make_user(f"Liker {n}", username=f"liker{n}") for n in range(LIKERS_SHOWN + 2)]
    pictured = make_tweet(
        author, "two pictures", media=[make_media(author), make_media(author)], likers=likers
    )
    Attachment.objects.filter(tweet=pictured, position=1).update(alt="A chart")
    plain = make_tweet(author, "nothing attached")
    ids = [pictured.pk, plain.pk]

    by_id = tweet_cards(ids=ids, viewer=follower.user)
    by_queryset = queryset_tweet_cards(
        tweets=Tweet.objects.filter(pk__in=ids).order_by("id"), viewer=follower.user
    )

    assert by_id == by_queryset
    shown = by_id[0]
    assert shown["likers"] == [f"Liker {n}" for n in range(LIKERS_SHOWN)] and shown["other_likers"] == 2
    assert len(shown["images"]) == 2 and [alt for _, _, alt in shown["images"]][1] == "A chart"
    assert by_id[1]["likers"] == [] and by_id[1]["images"] == []

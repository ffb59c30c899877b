"""Threads, replies, edits, tags and links on the web pages (the browser tests drive the same pages)."""

import re

from tweets.models import Tweet
from tweets.selectors import trending_tags
from tweets.services import tweet_create, tweet_edit, tweet_hidden_store, tweet_purge


def articles_of(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="card tweet" id="tweet-(\d+)"', html)]


def articles(response) -> list[int]:
    return articles_of(response.content.decode())


def reply(person, parent, text="reply"):
    return tweet_create(author=person.user, content=text, media_ids=[], in_reply_to=parent.pk)


def test_the_thread_page_shows_the_chain_the_post_and_its_replies(signed_in, author, follower, make_tweet):
    root = make_tweet(author, "root")
    middle = reply(follower, root, "middle")
    leaf = reply(author, middle, "leaf")
    answer = reply(follower, middle, "another")

    response = signed_in(follower).get(f"/tweets/{middle.pk}/")

    assert response.status_code == 200
    assert articles(response) == [root.pk, middle.pk, leaf.pk, answer.pk]
    html = response.content.decode()
    assert "Replying to <a" in html and "Your reply to Fred Follower" in html


def test_a_reply_posted_from_the_page_goes_back_to_the_thread(signed_in, author, follower, make_tweet):
    root = make_tweet(author, "root")

    response = signed_in(follower).post(
        "/compose/", {"text": "Count me in", "in_reply_to": root.pk, "next": f"/tweets/{root.pk}/"}
    )

    assert response.status_code == 302 and response["Location"] == f"/tweets/{root.pk}/"
    assert Tweet.objects.get(content="Count me in").in_reply_to_id == root.pk


def test_a_reply_to_a_bad_or_unknown_post_says_so(signed_in, author):
    client = signed_in(author)

    for value, status in [("abc", 400), ("99999999999999999999", 400), ("424242", 404)]:
        response = client.post("/compose/", {"text": "hi", "in_reply_to": value})
        assert response.status_code == status
        assert b'role="alert"' in response.content
    assert not Tweet.objects.exists()


def test_a_reply_to_a_deleted_post_says_so_in_the_feed(signed_in, author, follower, make_tweet):
    root = make_tweet(author, "root")
    reply(author, root, "my own follow-up")
    root.delete()

    response = signed_in(follower).get("/")

    assert "In reply to a deleted post" in response.content.decode()


def test_an_unknown_thread_is_a_404_page(signed_in, author):
    assert signed_in(author).get("/tweets/424242/").status_code == 404


def test_links_are_made_of_escaped_text_and_only_http(signed_in, author, follower, make_tweet):
    make_tweet(
        author,
        "Ask @follower about #Launch: https://example.com/a?b=1&c=2 <script>x</script> "
        "javascript:alert(1) @nobody",
    )

    html = signed_in(follower).get("/").content.decode()

    assert f'<a href="/people/{follower.id}/" class="mention">@follower</a>' in html
    assert '<a href="/tags/launch/" class="tag">#Launch</a>' in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener ugc">' in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert 'href="javascript' not in html and ">@nobody<" not in html


def test_the_author_edits_a_post_and_sees_its_history(signed_in, author, make_tweet):
    tweet = make_tweet(author, "Teh plan")
    client = signed_in(author)

    assert client.get(f"/tweets/{tweet.pk}/edit/").status_code == 200
    response = client.post(f"/tweets/{tweet.pk}/edit/", {"text": "The plan", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "The plan" in page and f'href="/tweets/{tweet.pk}/history/"' in page
    history = client.get(f"/tweets/{tweet.pk}/history/").content.decode()
    assert "Teh plan" in history


def test_an_empty_edit_or_someone_elses_post_is_refused_with_a_message(
    signed_in, author, follower, make_tweet
):
    tweet = make_tweet(author, "mine")

    empty = signed_in(author).post(f"/tweets/{tweet.pk}/edit/", {"text": "  "})
    theirs = signed_in(follower).post(f"/tweets/{tweet.pk}/edit/", {"text": "theirs"})

    assert empty.status_code == 400 and "An edited post needs text." in empty.content.decode()
    assert theirs.status_code == 403 and "Only the author can edit a post." in theirs.content.decode()
    tweet.refresh_from_db()
    assert tweet.content == "mine"


def test_the_tag_page_and_trending_box(signed_in, author, follower, make_tweet):
    first = make_tweet(author, "#launch one")
    second = make_tweet(author, "#Launch two")
    make_tweet(author, "#other")

    response = signed_in(follower).get("/tags/Launch/")

    assert articles(response) == [second.pk, first.pk]
    html = response.content.decode()
    assert "Trending" in html and '<a href="/tags/launch/">#launch</a>' in html


def test_thread_tag_and_history_pages_cost_fixed_queries(
    signed_in, author, follower, make_tweet, django_assert_num_queries
):
    root = make_tweet(author, "#x root @follower")
    middle = reply(follower, root, "#x middle")
    for n in range(3):
        reply(author, middle, f"#x reply {n} @follower")
    tweet_edit(user=follower.user, tweet_id=middle.pk, content="#x middle, edited")
    trending_tags()
    client = signed_in(follower)

    # Session, user; the chain up from the post (tweet_chain_ids); the cards of the chain, the post
    # and its replies read once (rows, first likers, images, mentioned users; whom each answers is
    # on the page).
    with django_assert_num_queries(7):
        assert client.get(f"/tweets/{middle.pk}/").status_code == 200
    # Session, user; the page's cards read once: rows, first likers, images, mentioned users (whom
    # the replies answer is on the page); Trending, counted before, from the cache.
    with django_assert_num_queries(7):
        assert client.get("/tags/x/").status_code == 200
    # Session, user; the post read once, as its card (row, first likers, images, whom it answers);
    # its edits.
    with django_assert_num_queries(7):
        assert client.get(f"/tweets/{middle.pk}/history/").status_code == 200
    # Session, user; the post read once, as its card (row, first likers, images, whom it answers).
    with django_assert_num_queries(6):
        assert client.get(f"/tweets/{middle.pk}/edit/").status_code == 200


def test_the_edit_and_history_pages_of_a_post_one_may_not_see_say_not_found(
    signed_in, author, follower, moderator, make_tweet
):
    """A hidden post's pages are its author's (and staff's); a deleted one's are no one's."""
    hidden = make_tweet(author, "hidden")
    tweet_hidden_store(tweet=hidden)
    gone = make_tweet(author, "gone")
    tweet_purge(tweet=gone)

    for path in ("edit", "history"):
        assert signed_in(follower).get(f"/tweets/{hidden.pk}/{path}/").status_code == 404
        assert signed_in(author).get(f"/tweets/{gone.pk}/{path}/").status_code == 404
    assert signed_in(author).get(f"/tweets/{hidden.pk}/history/").status_code == 200
    assert signed_in(moderator).get(f"/tweets/{hidden.pk}/history/").status_code == 200


def test_a_thread_pages_its_replies_and_keeps_its_chain(signed_in, author, follower, make_tweet, monkeypatch):
    """Read once with the chain and the post, the replies still page: none twice, none skipped."""
    from web import views

    monkeypatch.setattr(views, "THREAD_REPLIES", 2)
    root = make_tweet(author, "root")
    middle = reply(follower, root, "middle")
    replies = [reply(author, middle, f"reply {n}").pk for n in range(5)]
    client = signed_in(follower)

    pages, url = [], f"/tweets/{middle.pk}/"
    while url:
        html = client.get(url).content.decode()
        pages.append(articles_of(html))
        found = re.search(r'href="\?cursor=(\d+)"', html)
        url = f"/tweets/{middle.pk}/?cursor={found.group(1)}" if found else ""

    assert pages == [
        [root.pk, middle.pk, *replies[:2]],
        [root.pk, middle.pk, *replies[2:4]],
        [root.pk, middle.pk, replies[4]],
    ]


def test_a_thread_leaves_out_what_a_moderator_hid_and_a_hidden_post_is_a_404(
    signed_in, author, follower, outsider, moderator, make_tweet
):
    from moderation.services import tweet_hide

    root = make_tweet(author, "root")
    middle = reply(follower, root, "middle")
    shown = reply(outsider, middle, "shown")
    hidden = reply(outsider, middle, "hidden")
    tweet_hide(moderator=moderator.user, tweet=root, reason="spam")
    tweet_hide(moderator=moderator.user, tweet=hidden, reason="spam")

    assert articles(signed_in(follower).get(f"/tweets/{middle.pk}/")) == [middle.pk, shown.pk]
    assert articles(signed_in(author).get(f"/tweets/{middle.pk}/")) == [root.pk, middle.pk, shown.pk]
    assert signed_in(follower).get(f"/tweets/{root.pk}/").status_code == 404
    assert signed_in(follower).get(f"/tweets/{middle.pk}/?cursor=x").status_code == 400


def test_latest_and_tag_pages_continue_without_repeats(signed_in, author, follower, make_tweet, monkeypatch):
    from web import views

    monkeypatch.setattr(views, "FEED_PAGE_SIZE", 2)
    monkeypatch.setattr(views, "TAG_PAGE_SIZE", 2)
    tweets = [make_tweet(author, f"#t post {n}").pk for n in range(5)]
    client = signed_in(follower)

    for start in ("/latest/", "/tags/t/"):
        seen, url = [], start
        while url:
            html = client.get(url).content.decode()
            seen += articles_of(html)
            found = re.search(r'href="(\?cursor=[^"]+)"', html)
            url = start + found.group(1).replace("&amp;", "&") if found else ""
        assert seen == tweets[::-1], start


def test_the_mention_suggestions_for_compose_cost_fixed_queries(
    signed_in, author, make_user, django_assert_num_queries
):
    """What compose's combobox asks as one types "@gr": one query for the people, however many match."""
    for n in range(3):
        make_user(f"Grace Number {n}", username=f"grace{n}")
    client = signed_in(author)

    # Session, user; the suggestions.
    with django_assert_num_queries(3):
        users = client.get("/people/suggest/", {"q": "gr"}).json()["users"]

    assert [user["username"] for user in users] == ["grace0", "grace1", "grace2"]

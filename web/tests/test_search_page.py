"""The search page (/search/): the nav's box, tabs, posts as the feed shows them with the words
marked, people, tags, paging and bad input (a message, never a 500)."""

import re

import pytest
from django.db import connection

from web.templatetags.chirp_text import tweet_html


def test_every_page_has_the_search_box(signed_in, outsider):
    html = signed_in(outsider).get("/").content.decode()

    assert re.search(r'<form method="get" action="/search/" role="search" aria-label="Search"', html)
    assert '<label for="nav-search" class="visually-hidden">Search</label>' in html


def test_posts_are_cards_with_the_words_marked(
    signed_in, outsider, author, make_tweet, django_assert_num_queries
):
    match = make_tweet(author, "Launch <b>party</b> & launch cake #launch")
    make_tweet(author, "nothing here")
    client = signed_in(outsider)

    # Session, user; the window (PostgreSQL: in a transaction with its statement timeout, after
    # the plan's estimate and the newest id); the cards (with like and report), likers, images (on
    # PostgreSQL one statement).
    with django_assert_num_queries(6 + 3 * (connection.vendor == "postgresql")):
        html = client.get("/search/", {"q": "launch"}).content.decode()

    assert html.count("<article") == 1 and f'id="tweet-{match.id}"' in html
    assert "<mark>Launch</mark> &lt;b&gt;party&lt;/b&gt; &amp; <mark>launch</mark> cake" in html
    assert 'class="tag">#<mark>launch</mark></a>' in html
    assert 'aria-current="page">Posts</a>' in html
    assert 'value="launch"' in html  # the box keeps the query


def test_marking_never_enters_markup_or_entities():
    html = tweet_html({"content": 'amp & quot "x" https://amp.example/amp', "highlight": ("amp", "quot")})

    assert html == (
        "<mark>amp</mark> &amp; <mark>quot</mark> &quot;x&quot; "
        '<a href="https://amp.example/amp" rel="nofollow noopener ugc">https://<mark>amp</mark>.example/<mark>amp</mark></a>'
    )


def test_posts_page_through_more_results(signed_in, outsider, author, make_tweet, settings):
    made = [make_tweet(author, f"weekly report {n}").id for n in range(23)]
    client = signed_in(outsider)

    first = client.get("/search/", {"q": "report"}).content.decode()
    more = re.search(r'<a class="button" href="\?([^"]+)">More results</a>', first)
    assert more is not None
    second = client.get(f"/search/?{more.group(1).replace('&amp;', '&')}").content.decode()

    shown = [int(n) for n in re.findall(r'<article class="card tweet" id="tweet-(\d+)"', first + second)]
    assert sorted(shown) == sorted(made) and "More results" not in second


def test_people_and_tags_tabs(signed_in, outsider, author, make_user, make_tweet):
    make_user("Grace Hopper", username="grace")
    make_tweet(author, "#release day")
    client = signed_in(outsider)

    people = client.get("/search/", {"q": "grace", "type": "people"}).content.decode()
    tags = client.get("/search/", {"q": "rel", "type": "tags"}).content.decode()

    assert "Grace Hopper" in people and 'aria-current="page">People</a>' in people
    assert 'href="/tags/release/" class="tag">#release</a>' in tags and "1 post" in tags


@pytest.mark.parametrize(
    ("q", "status", "message"),
    [
        ("a" * 10_000, 400, "A search can have at most 500 characters."),
        (" ".join(f"w{n}" for n in range(20)), 400, "at most 16 words"),
        ("a & | !b:*", 200, "No posts match this search."),
        ('"unbalanced', 200, "No posts match this search."),
        ("", 200, "Type words in the search box."),
        ("bad\x00byte", 400, "cannot be searched"),
    ],
)
def test_bad_input_gets_a_message(signed_in, outsider, q, status, message):
    response = signed_in(outsider).get("/search/", {"q": q})

    assert response.status_code == status
    assert message in response.content.decode()


def test_a_broken_cursor_says_so(signed_in, outsider):
    response = signed_in(outsider).get("/search/", {"q": "x", "cursor": "nonsense"})

    assert response.status_code == 400 and "start the search again" in response.content.decode()


def test_the_page_in_russian(signed_in, outsider, author, make_tweet):
    make_tweet(author, "запуск")
    client = signed_in(outsider)

    html = client.get("/search/", {"q": "запуск"}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Поиск" in html and "Записи" in html and "<mark>запуск</mark>" in html

"""Search through the API (GET /api/search) on whichever database the run uses: the query language,
visibility, edits and deletions, ranking, paging, people and tags, bad input and the work caps."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from moderation.services import tweet_hide, user_deactivate, user_suspend
from tweets import search_index
from tweets.models import Tweet
from tweets.search import search_parse
from tweets.services import tweet_delete, tweet_edit


def found(person, q: str, **params) -> list[int]:
    response = person.client().get("/api/search", {"q": q, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["result"] is True and set(body) == {"result", params.get("type", "tweets"), "next_cursor"}
    return [item["id"] for item in body.get("tweets", [])]


@pytest.fixture
def corpus(author, follower, make_tweet):
    """Four posts by two people."""
    return {
        "launch": make_tweet(author, "The launch is on Friday #release thanks @follower"),
        "lunch": make_tweet(follower, "Lunch after the launch? Pizza or sushi"),
        "phrase": make_tweet(author, "Friday launch party: pizza on the roof"),
        "other": make_tweet(follower, "Nothing to see here"),
    }


def ids(corpus, *names) -> set[int]:
    return {corpus[name].id for name in names}


def test_every_word_must_match_in_any_order(outsider, corpus):
    assert set(found(outsider, "launch")) == ids(corpus, "launch", "lunch", "phrase")
    assert set(found(outsider, "pizza LAUNCH")) == ids(corpus, "lunch", "phrase")
    assert found(outsider, "launch spaceship") == []


def test_an_exact_phrase_matches_its_words_in_order(outsider, corpus):
    assert set(found(outsider, '"friday launch"')) == ids(corpus, "phrase")
    assert set(found(outsider, '"launch friday"')) == set()
    assert set(found(outsider, "launch friday")) == ids(corpus, "launch", "phrase")


def test_a_phrase_matches_across_punctuation_and_follows_edits(outsider, author, make_tweet):
    comma = make_tweet(author, "Please fix, the bug! Today")
    hyphen = make_tweet(author, "We fix-the bug daily")
    make_tweet(author, "The bug fix is in")
    edited = make_tweet(author, "fix the build")

    tweet_edit(user=author.user, tweet_id=edited.id, content="now fix the bug")

    assert set(found(outsider, '"fix the bug"')) == {comma.id, hyphen.id, edited.id}
    assert found(outsider, '"fix the build"') == []
    assert set(found(outsider, '"the bug" today')) == {comma.id}


def test_excluded_words_and_phrases_leave_posts_out(outsider, corpus):
    assert set(found(outsider, "launch -pizza")) == ids(corpus, "launch")
    assert set(found(outsider, 'launch -"launch party"')) == ids(corpus, "launch", "lunch")


def test_from_tag_and_mention_use_the_stored_author_tags_and_mentions(outsider, corpus):
    assert set(found(outsider, "from:author")) == ids(corpus, "launch", "phrase")
    assert set(found(outsider, "pizza from:AUTHOR")) == ids(corpus, "phrase")
    assert set(found(outsider, "#Release")) == ids(corpus, "launch")
    assert set(found(outsider, "@follower")) == ids(corpus, "launch")
    assert set(found(outsider, "from:nobody")) == set()
    assert set(found(outsider, "from:Author @FOLLOWER")) == ids(corpus, "launch")
    # Operators only, no positive term: nothing to look for.
    assert found(outsider, "-launch") == []


def test_an_unknown_operator_is_searched_as_words(outsider, make_tweet, author):
    tweet = make_tweet(author, "lang en is how the old client said it")

    assert found(outsider, "lang:en") == [tweet.id]


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "a & | !b:*",
        "'; DROP TABLE tweets_tweet; --",
        "launch:* | !pizza <-> (x",
        '"unbalanced launch',
        '""',
        "- -- \" ' ( ) * : ^ NEAR AND OR NOT",
        ".*[a-z]+(?=x)\\d{2,}$^|",
        "from: # @ -",
        "😀🚀",
        "Привет мир こんにちは 你好 مرحبا שלום नमस्ते",
    ],
)
def test_odd_queries_answer_without_error(outsider, corpus, q):
    """Syntax of SQL, tsquery, FTS5 and regular expressions is only ever text."""
    response = outsider.client().get("/api/search", {"q": q})

    assert response.status_code == 200, response.content
    assert response.json()["result"] is True


def test_query_syntax_characters_are_searched_as_words(outsider, corpus):
    assert set(found(outsider, "launch & !pizza:*")) == ids(corpus, "lunch", "phrase")
    assert set(found(outsider, '"friday launch')) == ids(corpus, "phrase")


def test_every_script_and_emoji(outsider, author, make_tweet):
    russian = make_tweet(author, "Запуск в пятницу 🚀")
    japanese = make_tweet(author, "金曜日 に ローンチ")

    assert found(outsider, "пятницу") == [russian.id]
    assert found(outsider, "ПЯТНИЦУ 🚀") == [russian.id]
    assert found(outsider, "ローンチ") == [japanese.id]
    assert found(outsider, "🚀") == []


def test_too_long_a_query_or_too_many_terms_is_a_400(outsider, settings):
    long = outsider.client().get("/api/search", {"q": "a" * 10_000})
    many = outsider.client().get("/api/search", {"q": " ".join(f"w{n}" for n in range(17))})

    for response in (long, many):
        assert response.status_code == 400, response.content
        assert response.json()["result"] is False and response.json()["error_type"] == "validation_error"
    assert outsider.client().get("/api/search", {"q": "a" * 10_000, "type": "users"}).status_code == 400


def test_hidden_posts_suspended_and_deactivated_authors_and_deleted_posts_never_appear(
    outsider, author, follower, moderator, make_user, make_tweet
):
    hidden = make_tweet(author, "secret plans one")
    deleted = make_tweet(author, "secret plans two")
    suspended = make_user("Sue", username="sue")
    gone = make_user("Gone", username="gone")
    make_tweet(suspended, "secret plans three")
    make_tweet(gone, "secret plans four")
    shown = make_tweet(follower, "secret plans five")
    tweet_hide(moderator=moderator.user, tweet=hidden, reason="spam")
    tweet_delete(user=author.user, tweet_id=deleted.id)
    user_suspend(moderator=moderator.user, user=suspended.user, reason="x", indefinitely=True)
    user_deactivate(moderator=moderator.user, user=gone.user, reason="x")

    assert found(outsider, "secret plans") == [shown.id]
    assert found(outsider, "from:sue") == []


def test_an_edited_post_stops_matching_its_old_text_at_once(outsider, author, make_tweet):
    tweet = make_tweet(author, "meeting on tuesday")

    tweet_edit(user=author.user, tweet_id=tweet.id, content="meeting on wednesday")

    assert found(outsider, "tuesday") == []
    assert found(outsider, "wednesday") == [tweet.id]


@pytest.mark.parametrize("walk_factor", [0, 10**9])
def test_both_plans_find_the_same_posts(outsider, corpus, settings, walk_factor):
    """PostgreSQL walks the newest posts (0: always, the window's length back, then the GIN index)
    or reads the GIN index (10**9: always): the same answers."""
    settings.SEARCH_WALK_FACTOR = walk_factor

    assert set(found(outsider, "launch")) == ids(corpus, "launch", "lunch", "phrase")
    assert set(found(outsider, '"friday launch" -roof')) == set()
    assert set(found(outsider, "launch -pizza from:author")) == ids(corpus, "launch")


def test_newer_posts_come_first_among_equally_good_matches(outsider, author, make_tweet):
    old = make_tweet(author, "standup notes")
    new = make_tweet(author, "standup notes")
    Tweet.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))

    assert found(outsider, "standup") == [new.id, old.id]


@pytest.mark.parametrize("walk_factor", [0, 10**9])
def test_pages_walk_every_match_once_across_windows(outsider, author, make_tweet, settings, walk_factor):
    settings.SEARCH_WINDOW = 4
    settings.SEARCH_WALK_FACTOR = walk_factor
    made = [make_tweet(author, f"update number {n}").id for n in range(7)]
    seen, cursor, pages = [], "", 0
    while True:
        response = outsider.client().get("/api/search", {"q": "update", "limit": 3, "cursor": cursor}).json()
        seen += [tweet["id"] for tweet in response["tweets"]]
        cursor, pages = response["next_cursor"], pages + 1
        if cursor is None:
            break

    assert sorted(seen) == sorted(made) and len(seen) == len(made)
    assert pages == 3  # window 1: 3, then its last 1; window 2: its 3, not full: the end


@pytest.mark.parametrize(
    "cursor", ["abc", "1", "1:", ":1", "-1:0", "1:99999", "99999999999999999999:0", "\u0661:\u0662"]
)
def test_a_broken_cursor_is_a_400(outsider, cursor):
    response = outsider.client().get("/api/search", {"q": "x", "cursor": cursor})

    assert response.status_code == 400 and response.json()["error_type"] == "validation_error"


def test_people_by_name_or_username_as_on_the_people_page(outsider, make_user):
    grace = make_user("Grace Hopper", username="amazing")
    make_user("Someone Else", username="else")

    for q in ("grace", "HOPP", "amaz", "@amazing"):
        body = outsider.client().get("/api/search", {"q": q, "type": "users"}).json()
        assert body["users"] == [{"id": grace.id, "name": "Grace Hopper", "username": "amazing"}], q
    directory = outsider.client().get("/api/users", {"search": "amaz"}).json()
    assert [user["id"] for user in directory["users"]] == [grace.id]


def test_tags_by_prefix_with_their_number_of_visible_posts(outsider, author, moderator, make_tweet):
    make_tweet(author, "#launch #launchday")
    make_tweet(author, "#launch again")
    hidden = make_tweet(author, "#launchday hidden")
    tweet_hide(moderator=moderator.user, tweet=hidden, reason="spam")

    body = outsider.client().get("/api/search", {"q": "#Laun", "type": "tags"}).json()

    assert body == {
        "result": True,
        "tags": [{"tag": "launch", "count": 2}, {"tag": "launchday", "count": 1}],
        "next_cursor": None,
    }
    paged = outsider.client().get("/api/search", {"q": "laun", "type": "tags", "limit": 1}).json()
    assert paged["tags"] == [{"tag": "launch", "count": 2}] and paged["next_cursor"] == "1"


def test_a_search_past_its_time_limit_is_a_503(outsider, author, settings):
    """The statement timeout (PostgreSQL) or progress handler (SQLite) stops a search that runs long."""
    rows = 60_000
    Tweet.objects.bulk_create(
        [Tweet(author=author.user, content=f"common word {n} and more words") for n in range(rows)],
        batch_size=5000,
    )
    settings.SEARCH_TIMEOUT_MS = 1
    settings.SEARCH_WINDOW = rows

    response = outsider.client().get("/api/search", {"q": "common -zebra"})

    assert response.status_code == 503, response.content
    assert response.json()["error_type"] == "service_unavailable"


def test_the_query_is_parsed_into_plain_terms():
    query = search_parse('Launch "friday  party" -pizza -"old news" from:@ada #Tag @grace a&b lang:en')

    assert query.words == ("Launch", "a", "b", "lang", "en")
    assert query.phrases == (("friday", "party"),)
    assert query.excluded == (("pizza",), ("old", "news"))
    assert (query.authors, query.tags, query.mentions) == (("ada",), ("tag",), ("grace",))


def test_search_queries_are_pinned(outsider, author, make_tweet, django_assert_num_queries):
    for n in range(3):
        make_tweet(author, f"pinned query {n} #pin @outsider")
    client = outsider.client()

    # The api key; the window; the rows; the mentioned users; the likers (none cached); the images.
    # PostgreSQL: also the statement timeout, in a transaction (here a savepoint and its release),
    # the plan's estimate of the matches and the newest id.
    with django_assert_num_queries(6 + 5 * (connection.vendor == "postgresql")):
        response = client.get("/api/search", {"q": "pinned"})
    assert len(response.json()["tweets"]) == 3

    # A phrase: no estimate and no newest id; on PostgreSQL its word pairs, from the configuration.
    with django_assert_num_queries(6 + 4 * (connection.vendor == "postgresql")):
        response = client.get("/api/search", {"q": '"pinned query"'})
    assert len(response.json()["tweets"]) == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="FTS5 reads phrases from its positions")
def test_postgresql_indexes_the_neighbouring_word_pairs_of_each_post(outsider, author, make_tweet):
    def pairs(config: str, text: str) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT tsvector_to_array({search_index.PAIRS_FUNCTION}(to_tsvector(%s::regconfig, %s)))",
                [config, text],
            )
            return cursor.fetchone()[0]

    # The parser's positions: a hyphenated word is itself, then its parts.
    assert pairs("simple", "Fix the bug, fix-the bug") == ["bug fix-the", "fix the", "fix-the fix", "the bug"]
    # A stop word leaves a gap, so no pair: the phrase is found through the word index alone.
    assert pairs("english", "Fix the bugs") == []
    assert pairs("simple", "") == pairs("simple", "!?") == pairs("simple", "one") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SEARCH_CONFIG is PostgreSQL's")
def test_a_phrase_with_stop_words_is_found_in_a_stemming_language(outsider, author, make_tweet, settings):
    settings.SEARCH_CONFIG = "english"
    tweet = make_tweet(author, "Fixed the bugs in the build")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
    call_command("search_index", stdout=StringIO())

    assert found(outsider, '"fixing the bug"') == [tweet.id]
    assert found(outsider, '"fixing the build"') == []


def test_migrate_leaves_a_working_index_and_the_command_rebuilds_it(outsider, author, make_tweet):
    tweet = make_tweet(author, "rebuilt index")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
    search_index.uninstall(connection)
    search_index.install(connection, fill=True)
    assert found(outsider, "rebuilt") == [tweet.id]
    out = StringIO()

    call_command("search_index", "--batch", "1", stdout=out)

    assert "Indexed 1 tweets" in out.getvalue() and "1/1" in out.getvalue()
    assert found(outsider, "rebuilt") == [tweet.id]
    assert found(outsider, "index") == [tweet.id]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SEARCH_CONFIG is PostgreSQL's")
def test_the_index_command_writes_only_the_posts_whose_vector_changes(outsider, author, make_tweet, settings):
    tweets = [make_tweet(author, f"Running builds {n}") for n in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
    unchanged = StringIO()

    call_command("search_index", "--batch", "2", stdout=unchanged)

    assert "Indexed 3 tweets (simple)" in unchanged.getvalue()
    assert "0 written, 3 already up to date" in unchanged.getvalue()
    assert set(found(outsider, "running")) == {t.id for t in tweets}
    assert found(outsider, "run build") == []
    settings.SEARCH_CONFIG = "english"
    stemmed = StringIO()

    call_command("search_index", "--batch", "2", stdout=stemmed)

    assert "3 written, 0 already up to date" in stemmed.getvalue()
    assert set(found(outsider, "run build")) == {t.id for t in tweets}


def test_an_interrupted_index_command_says_how_to_finish(monkeypatch):
    def interrupted(connection, *, batch, progress):
        progress(1, 2)
        raise KeyboardInterrupt

    monkeypatch.setattr(search_index, "rebuild", interrupted)
    out = StringIO()

    with pytest.raises(CommandError, match="run the command again to finish"):
        call_command("search_index", stdout=out)

    assert "1/2 tweets" in out.getvalue()

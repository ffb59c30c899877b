import csv
import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from accounts.models import ApiKey, Follow, User, api_key_digest
from accounts.services import user_create
from dataset import services
from dataset.services import COLUMNS
from tweets.models import Like, Mention, Tweet, TweetTag

pytestmark = pytest.mark.django_db

GOOD = {
    "users.csv": [
        ["10", "Ada Lovelace", "ada-key"],
        ["20", "Bob Builder", "bob-key"],
        ["30", "Cy", "cy-key"],
    ],
    "follows.csv": [["20", "10"], ["30", "10"], ["10", "20"]],
    "tweets.csv": [
        ["100", "10", "Hello, world", "2025-01-02T03:04:05Z"],
        ["101", "10", 'Two lines,\n"quoted" and \\ backslashed', "2025-01-03T00:00:00+02:00"],
        ["200", "20", "Bob here", "2025-02-01T12:00:00.250000+00:00"],
    ],
    "likes.csv": [["20", "100"], ["30", "100"], ["10", "200"]],
}


def write_files(directory: Path, **replacements: list[list[str]]) -> Path:
    """The GOOD data set with some files' rows replaced (keyword = file name without .csv)."""
    for name, header in COLUMNS.items():
        rows = replacements.get(name.removesuffix(".csv"), GOOD[name])
        with (directory / name).open("w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    return directory


def test_imported_keys_keep_a_prefix_only_when_api_key_set_would(tmp_path, make_user):
    """A short key (the demo's `test`) is not stored in plain text as its prefix, a long one is, as
    when accounts.services.api_key_set stores it."""
    long_key = "k" * 40
    users = [["10", "Ada", "test"], ["20", "Bob", long_key]]
    run_import(write_files(tmp_path, users=users, follows=[], tweets=[], likes=[]))
    by_service = make_user("Cy", api_key="short")

    prefixes = dict(ApiKey.objects.values_list("user_id", "prefix"))
    assert prefixes == {10: "", 20: long_key[:8], by_service.id: ""}


def run_import(directory: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_csv", str(directory), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rejected(directory: Path, *args: str) -> str:
    """Run an import that must fail; return what it printed on stderr."""
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_csv", str(directory), *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue() + str(failure.value)


def test_import_stores_every_row_as_given(tmp_path):
    """Users, key digests, follows, tweets with their times and counters, and likes match the files."""
    out, err = run_import(write_files(tmp_path))

    assert "Imported 3 users, 3 follows, 3 tweets and 3 likes." in out
    assert "likes: 3 written" in err
    users = {u.id: u for u in User.objects.all()}
    assert {i: u.name for i, u in users.items()} == {10: "Ada Lovelace", 20: "Bob Builder", 30: "Cy"}
    assert len({u.username for u in users.values()}) == 3
    assert users[10].username == "ada-lovelace-10"
    assert not any(u.has_usable_password() or u.is_staff for u in users.values())
    assert len({u.password for u in users.values()}) == len(users)  # each its own random suffix
    keys = {k.user_id: (k.digest, k.prefix, k.revoked_at) for k in ApiKey.objects.all()}
    assert keys == {
        10: (api_key_digest("ada-key"), "", None),
        20: (api_key_digest("bob-key"), "", None),
        30: (api_key_digest("cy-key"), "", None),
    }
    assert set(Follow.objects.values_list("follower_id", "followee_id")) == {(20, 10), (30, 10), (10, 20)}
    tweets = {t.id: t for t in Tweet.objects.all()}
    assert {i: (t.author_id, t.content, t.likes_count, t.hidden_at) for i, t in tweets.items()} == {
        100: (10, "Hello, world", 2, None),
        101: (10, 'Two lines,\n"quoted" and \\ backslashed', 0, None),
        200: (20, "Bob here", 1, None),
    }
    assert tweets[100].created_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert tweets[101].created_at == datetime(2025, 1, 3, tzinfo=timezone(timedelta(hours=2)))
    assert tweets[200].created_at == datetime(2025, 2, 1, 12, 0, 0, 250000, tzinfo=UTC)
    assert set(Like.objects.values_list("user_id", "tweet_id")) == {(20, 100), (30, 100), (10, 200)}


def test_imported_mentions_and_tags_are_stored_as_when_posted(tmp_path):
    """@mentions of imported users (any letter case) and #tags become Mention and TweetTag rows and
    the tweet's own lists; unknown names stay text; an unpaired override is dropped, as on posting."""
    tweets = [
        [
            "100",
            "10",
            "Hi @BOB-BUILDER-20 and @cy-30, @nobody #Launch #запуск #launch",
            "2025-01-02T03:04:05Z",
        ],
        ["101", "20", "plain", "2025-01-03T00:00:00Z"],
        ["200", "20", "\u202eflipped #x @ada-lovelace-10", "2025-02-01T12:00:00Z"],
    ]

    run_import(write_files(tmp_path, tweets=tweets))

    rows = {t.id: (t.content, t.mentioned_ids, t.tags) for t in Tweet.objects.all()}
    assert rows == {
        100: (tweets[0][2], [20, 30], ["launch", "запуск"]),
        101: ("plain", [], []),
        200: ("flipped #x @ada-lovelace-10", [10], ["x"]),
    }
    assert set(Mention.objects.values_list("tweet_id", "user_id")) == {(100, 20), (100, 30), (200, 10)}
    tags = set(TweetTag.objects.values_list("tweet_id", "tag", "created_at"))
    assert tags == {
        (100, "launch", datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (100, "запуск", datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (200, "x", datetime(2025, 2, 1, 12, tzinfo=UTC)),
    }
    page = APIClient().get("/api/tags/launch/tweets", HTTP_API_KEY="ada-key").json()
    assert [t["id"] for t in page["tweets"]] == [100]
    assert page["tweets"][0]["mentions"][0] == {"id": 20, "name": "Bob Builder", "username": "bob-builder-20"}
    # Written after the import, a mention is keyed by its pair (no id sequence to continue).
    Tweet.objects.filter(pk=101).update(content="x")
    assert Mention.objects.create(tweet_id=101, user_id=10).pk == (101, 10)
    assert Mention.objects.count() == 4


def test_imported_users_speak_over_http_with_their_plain_keys(tmp_path):
    """The plain key from users.csv authenticates, and the feed shows the imported data by popularity."""
    run_import(write_files(tmp_path))
    bob = APIClient()
    bob.credentials(HTTP_API_KEY="bob-key")

    me = bob.get("/api/users/me").json()["user"]
    assert (me["id"], me["name"]) == (20, "Bob Builder")
    assert [u["id"] for u in me["following"]] == [10]
    assert [u["id"] for u in me["followers"]] == [10]

    feed = bob.get("/api/tweets").json()["tweets"]
    assert [t["id"] for t in feed] == [100, 200, 101]
    assert sorted(like["user_id"] for like in feed[0]["likes"]) == [20, 30]
    assert APIClient().get("/api/users/me", HTTP_API_KEY="wrong-key").status_code == 401


def test_new_rows_after_an_import_get_fresh_ids(tmp_path):
    """Id sequences continue after the imported ids, so posting a tweet or adding a user works."""
    run_import(write_files(tmp_path))
    ada = APIClient()
    ada.credentials(HTTP_API_KEY="ada-key")

    response = ada.post("/api/tweets", {"tweet_data": "After the import"}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["tweet_id"] > 200
    assert ada.post("/api/tweets/100/likes").json() == {"result": True}
    assert Tweet.objects.get(pk=100).likes_count == 3
    newcomer, _ = user_create(name="Newcomer")
    assert newcomer.id > 30


LONG = "x" * 281


@pytest.mark.parametrize(
    ("replacements", "expected"),
    [
        (
            {"users": [["10", "Ada", "k1"], ["10", "Ada again", "k2"]]},
            "users.csv:3: duplicate user id 10, also on line 2",
        ),
        ({"users": [["ten", "Ada", "k1"]]}, "users.csv:2: id must be a positive integer, got 'ten'"),
        ({"users": [["10", "  ", "k1"]]}, "users.csv:2: name is empty"),
        ({"users": [["10", "n" * 151, "k1"]]}, "users.csv:2: name is longer than 150 characters"),
        (
            {"users": [["10", "Ada", "same"], ["20", "Bob", "same"]]},
            "users.csv:3: duplicate api_key, also on line 2",
        ),
        ({"users": [["10", "Ada", ""]]}, "users.csv:2: api_key is empty"),
        ({"users": [["10", "Ada"]]}, "users.csv:2: expected 3 fields, found 2"),
        ({"follows": [["20", "99"]]}, "follows.csv:2: followee_id 99: no such user in the files"),
        ({"follows": [["99", "20"]]}, "follows.csv:2: follower_id 99: no such user in the files"),
        ({"follows": [["20", "20"]]}, "follows.csv:2: user 20 follows themself"),
        (
            {"follows": [["20", "10"], ["30", "10"], ["20", "10"]]},
            "follows.csv:4: duplicate follow (20, 10), also on line 2",
        ),
        ({"follows": [["20", "-1"]]}, "follows.csv:2: followee_id must be a positive integer id, got '-1'"),
        (
            {"tweets": [["100", "99", "Hi", "2025-01-01T00:00:00Z"]]},
            "tweets.csv:2: author_id 99: no such user",
        ),
        (
            {"tweets": [["1", "10", "Hi", "2025-01-01T00:00:00Z"]] * 2},
            "tweets.csv:3: duplicate tweet id (1), also on line 2",
        ),
        (
            {"tweets": [["1", "10", LONG, "2025-01-01T00:00:00Z"]]},
            "tweets.csv:2: content has 281 characters, over TWEET_MAX_LENGTH (280)",
        ),
        ({"tweets": [["1", "10", " ", "2025-01-01T00:00:00Z"]]}, "tweets.csv:2: content is empty"),
        (
            {"tweets": [["1", "10", "Hi", "yesterday"]]},
            "tweets.csv:2: created_at must be an ISO-8601 time with a UTC offset, got 'yesterday'",
        ),
        (
            {"tweets": [["1", "10", "Hi", "0001-01-01T00:00:00+05:00"]]},
            "tweets.csv:2: created_at must be an ISO-8601 time with a UTC offset",
        ),
        (
            {"tweets": [["1", "10", "Hi", "2025-01-01T00:00:00"]]},
            "tweets.csv:2: created_at must be an ISO-8601 time with a UTC offset",
        ),
        (
            {
                "tweets": [
                    ["1", "10", "a\nb", "2025-01-01T00:00:00Z"],
                    ["2", "99", "Hi", "2025-01-01T00:00:00Z"],
                ]
            },
            "tweets.csv:4: author_id 99",
        ),
        (
            {"tweets": [["1", "10", " ".join(f"#t{n}" for n in range(11)), "2025-01-01T00:00:00Z"]]},
            "tweets.csv:2: content: A post can have at most 10 tags.",
        ),
        (
            {"tweets": [["1", "10", "zero\u200bwidth", "2025-01-01T00:00:00Z"]]},
            "tweets.csv:2: content: The text contains an invisible control character (U+200B)",
        ),
        ({"likes": [["20", "999"]]}, "likes.csv:2: tweet_id 999: no such tweet in the files"),
        ({"likes": [["99", "100"]]}, "likes.csv:2: user_id 99: no such user in the files"),
        ({"likes": [["20", "100"], ["20", "100"]]}, "likes.csv:3: duplicate like (20, 100), also on line 2"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_imported(
    tmp_path, replacements, expected
):
    """A bad row names its file and line, and not a single row of any file is imported."""
    message = rejected(write_files(tmp_path, **replacements))

    assert expected in message
    assert "nothing was imported" in message
    assert not User.objects.exists() and not ApiKey.objects.exists() and not Follow.objects.exists()
    assert not Tweet.objects.exists() and not Like.objects.exists()


def test_missing_files_and_wrong_headers_are_reported(tmp_path):
    """A missing file and a file whose header does not name the expected columns are both refused."""
    write_files(tmp_path)
    (tmp_path / "likes.csv").unlink()
    (tmp_path / "follows.csv").write_text("follower,followee\n20,10\n")

    message = rejected(tmp_path)

    assert "likes.csv: file is missing" in message
    assert "follows.csv:1: the header must be follower_id,followee_id" in message
    assert not User.objects.exists()


def test_malformed_csv_and_bad_encoding_are_reported(tmp_path):
    """An unterminated quote and bytes that are not UTF-8 are problems, not crashes."""
    write_files(tmp_path)
    (tmp_path / "tweets.csv").write_text(
        'id,author_id,content,created_at\n1,10,"open quote,2025-01-01T00:00:00Z\n'
    )
    (tmp_path / "users.csv").write_bytes(b"id,name,api_key\n10,Ad\xe9,k\n")

    message = rejected(tmp_path)

    assert "tweets.csv:" in message and "malformed CSV" in message
    assert "users.csv: not UTF-8 text" in message


def test_many_problems_are_listed_up_to_the_limit_then_counted(tmp_path):
    """Past --max-problems the output gives a count instead of every line."""
    message = rejected(
        write_files(tmp_path, likes=[["20", str(1000 + i)] for i in range(12)]), "--max-problems", "5"
    )

    assert message.count("no such tweet") == 5
    assert "... and 7 more" in message
    assert "12 problem(s) found; nothing was imported." in message


def test_import_into_a_database_with_users_is_refused(tmp_path):
    """Re-importing (or importing next to existing users) is refused and changes nothing."""
    run_import(write_files(tmp_path))

    message = rejected(tmp_path)

    assert "import_csv loads into an empty database only" in message
    assert User.objects.count() == 3 and Tweet.objects.count() == 3 and Like.objects.count() == 3


def test_check_only_validates_and_imports_nothing(tmp_path):
    """--check-only reports a valid set's sizes, or its problems, without writing a row."""
    out, _ = run_import(write_files(tmp_path), "--check-only")

    assert "Checked, not imported: 3 users, 3 follows, 3 tweets and 3 likes." in out
    assert not User.objects.exists() and not Tweet.objects.exists()
    message = rejected(write_files(tmp_path, follows=[["20", "20"]]), "--check-only")
    assert "follows.csv:2: user 20 follows themself" in message


def test_import_with_only_headers_imports_nothing_and_succeeds(tmp_path):
    """Empty files (just the headers) are a valid, empty data set."""
    out, _ = run_import(write_files(tmp_path, users=[], follows=[], tweets=[], likes=[]))

    assert "Imported 0 users, 0 follows, 0 tweets and 0 likes." in out


def test_generated_data_set_imports_cleanly(tmp_path):
    """What generate_dataset writes, import_csv accepts, with likes_count matching the likes."""
    call_command(
        "generate_dataset", str(tmp_path), "--users", "40", "--follows-per-user", "3",
        "--tweets-per-user", "5", "--likes", "300", "--seed", "5", stdout=io.StringIO(),
    )  # fmt: skip
    run_import(tmp_path)

    assert (User.objects.count(), Follow.objects.count(), Tweet.objects.count(), Like.objects.count()) == (
        40,
        120,
        200,
        300,
    )
    for tweet in Tweet.objects.all():
        assert tweet.likes_count == tweet.likes.count()
    client = APIClient()
    client.credentials(HTTP_API_KEY="bench-5-7")
    assert client.get("/api/users/me").json()["user"]["id"] == 7


def test_id_files_that_need_the_careful_reader_report_exact_lines(tmp_path):
    """Blank lines, quoted ids and non-numeric ids in likes.csv still give the right line numbers."""
    write_files(tmp_path)
    (tmp_path / "likes.csv").write_text('user_id,tweet_id\n20,100\n\n"30","100"\n10,abc\n10,200\n10,200\n')

    message = rejected(tmp_path)

    assert "likes.csv:5: tweet_id must be a positive integer id, got 'abc'" in message
    assert "likes.csv:7: duplicate like (10, 200), also on line 6" in message
    assert "2 problem(s) found" in message


def test_quoted_ids_and_blank_lines_import_like_plain_ones(tmp_path):
    """A valid file written by another CSV tool (quotes, blank lines) imports the same rows."""
    write_files(tmp_path)
    (tmp_path / "likes.csv").write_text('user_id,tweet_id\n"20","100"\n\n30,100\r\n10,200\n')

    run_import(tmp_path)

    assert set(Like.objects.values_list("user_id", "tweet_id")) == {(20, 100), (30, 100), (10, 200)}
    assert Tweet.objects.get(pk=100).likes_count == 2


def test_files_starting_with_a_byte_order_mark_are_read(tmp_path):
    """Spreadsheet exports that begin with a UTF-8 byte order mark import normally."""
    write_files(tmp_path)
    for name in COLUMNS:
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    run_import(tmp_path)

    assert User.objects.count() == 3 and Like.objects.count() == 3


def test_import_leaves_every_index_and_constraint_in_place(tmp_path):
    """The bulk load (which on PostgreSQL builds indexes afterwards) ends with the schema unchanged."""

    def schema() -> dict[str, dict]:
        with connection.cursor() as cursor:
            return {
                model._meta.db_table: connection.introspection.get_constraints(cursor, model._meta.db_table)
                for model in (User, ApiKey, Follow, Tweet, Mention, TweetTag, Like)
            }

    before = schema()
    run_import(write_files(tmp_path))

    assert schema() == before
    with pytest.raises(IntegrityError), transaction.atomic():
        Like.objects.create(user_id=20, tweet_id=100)


@pytest.mark.django_db(transaction=True)
def test_import_outside_a_transaction_commits_and_leaves_the_tables_vacuumed(tmp_path):
    """Run as the command runs (no surrounding transaction): data committed, and on PostgreSQL vacuumed."""
    run_import(write_files(tmp_path))

    assert Like.objects.count() == 3 and Tweet.objects.get(pk=100).likes_count == 2
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL")
            vacuumed = {row[0] for row in cursor.fetchall()}
        assert {"tweets_tweet", "tweets_like", "accounts_follow", "accounts_user"} <= vacuumed


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("last_newline", [True, False])
def test_plain_id_files_read_in_small_blocks_give_every_row_once(tmp_path, monkeypatch, ending, last_newline):
    """Blocks that cut lines anywhere still give each row once, in order, the last one too."""
    monkeypatch.setattr(services, "READ_BLOCK", 7)  # shorter than most lines
    pairs = [(i, 1_000_000_007 * i % 99_991) for i in range(1, 400)]
    text = "user_id,tweet_id" + ending + ending.join(f"{a},{b}" for a, b in pairs)
    (tmp_path / "likes.csv").write_bytes((text + (ending if last_newline else "")).encode())

    parsed = services._plain_id_pairs(tmp_path / "likes.csv")

    assert parsed is not None
    assert list(zip(parsed[0].tolist(), parsed[1].tolist(), strict=True)) == pairs


def test_plain_id_files_with_a_blank_line_in_a_later_block_go_to_the_careful_reader(tmp_path, monkeypatch):
    """A blank line would shift line numbers, wherever it falls: the fast path declines the file."""
    monkeypatch.setattr(services, "READ_BLOCK", 16)
    (tmp_path / "likes.csv").write_text("user_id,tweet_id\n" + "1,2\n" * 20 + "\n" + "3,4\n" * 5)

    assert services._plain_id_pairs(tmp_path / "likes.csv") is None


def test_repeats_are_found_by_the_combined_key_and_reported_with_their_lines(tmp_path, monkeypatch):
    """The one-key check finds a repeat far from its original; the lines come from the full check."""
    monkeypatch.setattr(services, "READ_BLOCK", 64)
    write_files(tmp_path, likes=[["20", "100"], ["30", "100"], ["10", "200"], ["30", "200"], ["20", "100"]])

    message = rejected(tmp_path)

    assert "likes.csv:6: duplicate like (20, 100), also on line 2" in message
    assert "1 problem(s) found" in message


def test_may_repeat_combines_keys_exactly_or_leaves_the_answer_to_the_full_check():
    """Pairs (a, b) and (b, a) differ; huge ids that would overflow one int64 key are not guessed."""
    a, b = np.array([1, 2, 3, 2]), np.array([2, 1, 1, 1])
    assert services._may_repeat(a, b)
    assert not services._may_repeat(a[:3], b[:3])
    assert not services._may_repeat(np.array([1, 2]), np.array([2, 1]))
    assert services._may_repeat(np.array([5, 5]))
    assert not services._may_repeat(np.array([5, 6]))
    huge = np.array([10**17, 10**17 + 1])
    assert services._may_repeat(huge, huge)  # cannot combine: the full check decides (and finds none)


def test_plain_import_in_small_blocks_stores_the_same_rows(tmp_path, monkeypatch):
    """The generated set imports identically when every id file is read a few bytes at a time."""
    monkeypatch.setattr(services, "READ_BLOCK", 50)
    call_command(
        "generate_dataset", str(tmp_path), "--users", "30", "--follows-per-user", "4",
        "--tweets-per-user", "3", "--likes", "200", "--seed", "9", stdout=io.StringIO(),
    )  # fmt: skip
    run_import(tmp_path)

    with (tmp_path / "likes.csv").open() as f:
        expected = {tuple(map(int, row)) for row in list(csv.reader(f))[1:]}
    assert set(Like.objects.values_list("user_id", "tweet_id")) == expected
    assert Follow.objects.count() == 120
    for tweet in Tweet.objects.all():
        assert tweet.likes_count == tweet.likes.count()


def test_ids_checked_and_likes_counted_in_small_chunks_give_the_same_result(tmp_path, monkeypatch):
    """Chunks of two rows: unknown ids keep their lines, likes_count still sums every chunk."""
    monkeypatch.setattr(services, "CHECK_CHUNK", 2)
    likes = [["20", "100"], ["30", "100"], ["10", "200"], ["10", "100"], ["30", "999"]]
    (tmp_path / "bad").mkdir()
    message = rejected(write_files(tmp_path / "bad", likes=likes))
    assert "likes.csv:6: tweet_id 999: no such tweet in the files" in message
    assert "1 problem(s) found" in message

    run_import(write_files(tmp_path, likes=likes[:4]))

    assert {t.id: t.likes_count for t in Tweet.objects.all()} == {100: 3, 101: 0, 200: 1}


def test_import_refuses_a_name_without_a_visible_character(tmp_path):
    users = [["10", "\u200b\u200b", "ada-key"], *GOOD["users.csv"][1:]]
    assert "name: A name needs at least one visible character." in rejected(
        write_files(tmp_path, users=users)
    )
    assert not User.objects.exists()

"""Bulk import of users, follows, tweets and likes from four CSV files into an empty database.

Everything is validated before anything is written, and the writing happens in one
transaction, so a bad row means nothing is imported. Validation keeps ids in numpy arrays
(not Python sets) so that millions of likes fit in a few hundred megabytes; tweets.csv is
read twice so that tweet texts are never all held in memory. PostgreSQL is loaded with
COPY; other databases with batched inserts.
"""

import csv
import json
import secrets
import tempfile
import time
import warnings
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from io import BytesIO, StringIO
from itertools import repeat
from pathlib import Path
from typing import cast

import numpy as np
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import ApiKey, Follow, User, api_key_digest, api_key_prefix
from accounts.services import name_text_clean
from common.errors import Invalid
from tweets.models import Like, Mention, Tweet, TweetTag
from tweets.services import tweet_text_check, users_named

COLUMNS = {
    "users.csv": ("id", "name", "api_key"),
    "follows.csv": ("follower_id", "followee_id"),
    "tweets.csv": ("id", "author_id", "content", "created_at"),
    "likes.csv": ("user_id", "tweet_id"),
}
# A CharField's max_length is optional in general; User.name declares one.
NAME_MAX_LENGTH = cast(int, User._meta.get_field("name").max_length)
# Ids are digit strings short enough to fit a bigint.
ID_MAX_DIGITS = 18
PROGRESS_EVERY = 1_000_000
READ_BLOCK = 64 * 1024 * 1024
CHECK_CHUNK = 5_000_000
WRITE_BATCH = 50_000

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 1-based line where the record starts; the header is line 1, 0 for the whole file
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class Problems:
    """The first `limit` problems in full, and how many there were in all."""

    limit: int = 100
    shown: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, file: str, line: int, message: str) -> None:
        self.total += 1
        if len(self.shown) < self.limit:
            self.shown.append(Problem(file, line, message))


class ImportRejected(Exception):
    """The files have problems; nothing was imported."""

    def __init__(self, problems: Problems):
        super().__init__(f"{problems.total} problem(s) found; nothing was imported.")
        self.problems = problems


class DatabaseNotEmpty(Exception):
    """Importing is only for an empty database: ids in the files would collide with existing rows."""


@dataclass
class ImportSummary:
    users: int
    follows: int
    tweets: int
    likes: int


def csv_import(
    *, directory: Path, progress: Progress = lambda _: None, max_problems: int = 100, check_only: bool = False
) -> ImportSummary:
    """Validate the four files in `directory` completely, then import them in one transaction.

    With `check_only`, stop after validating: the files can be checked before a migration window.
    """
    if not check_only:
        _refuse_unless_empty()
    clock = _Clock(progress)
    problems = Problems(limit=max_problems)
    data = _validate(directory, problems, clock)
    if problems.total:
        raise ImportRejected(problems)
    summary = ImportSummary(len(data.users), data.follower.size, data.tweet_ids.size, data.like_user.size)
    if check_only:
        return summary
    with transaction.atomic():
        _refuse_unless_empty()
        _write(directory, data, clock)
    clock.done("import committed")
    _vacuum(clock)
    return summary


def _refuse_unless_empty() -> None:
    if User.objects.exists() or Tweet.objects.exists():
        raise DatabaseNotEmpty(
            "The database already has users or tweets. import_csv loads into an empty database only "
            "(run `migrate` on a new database first): the files' ids would collide with existing ones."
        )


class _Clock:
    def __init__(self, progress: Progress):
        self.progress, self.started, self.last = progress, time.monotonic(), time.monotonic()

    def done(self, what: str) -> None:
        now = time.monotonic()
        self.progress(f"{what} ({now - self.last:.1f}s, {now - self.started:.1f}s in all)")
        self.last = now


# --- Validation ------------------------------------------------------------------------


@dataclass
class _Validated:
    users: list[tuple[int, str, str]]  # (id, name, api key)
    user_ids: np.ndarray  # sorted
    follower: np.ndarray
    followee: np.ndarray
    tweet_ids: np.ndarray  # in file order
    tweet_likes: np.ndarray  # likes per tweet, in file order
    like_user: np.ndarray
    like_tweet: np.ndarray
    mentioned: set[str]  # every @username the texts name (lower-case), resolved once users are in


def _records(
    directory: Path, name: str, problems: Problems, clock: _Clock
) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) for each record with the expected number of fields; problems for the rest."""
    path = directory / name
    if not path.is_file():
        problems.add(name, 0, "file is missing")
        return
    expected = COLUMNS[name]
    count = 0
    # utf-8-sig: spreadsheet programs often start their CSV exports with a byte order mark.
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader, None)
            if header is None or [h.strip() for h in header] != list(expected):
                problems.add(name, 1, f"the header must be {','.join(expected)} (found {header})")
                return
            start = reader.line_num + 1
            for fields in reader:
                line, start = start, reader.line_num + 1
                if not fields:
                    continue  # a blank line
                if len(fields) != len(expected):
                    problems.add(name, line, f"expected {len(expected)} fields, found {len(fields)}")
                    continue
                count += 1
                if count % PROGRESS_EVERY == 0:
                    clock.progress(f"{name}: {count:,} rows read")
                yield line, fields
        except csv.Error as exc:
            problems.add(name, reader.line_num, f"malformed CSV ({exc}); the rest of the file was not read")
        except UnicodeDecodeError as exc:
            problems.add(name, 0, f"not UTF-8 text ({exc}); the rest of the file was not read")
    clock.done(f"{name}: {count:,} rows checked")


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= ID_MAX_DIGITS


class _PlainLines:
    """Row i's line in a file of a header and then one line per row (i + 2), with no array of them."""

    def __init__(self, size: int):
        self.size = size

    def __getitem__(self, row: int | np.integer) -> int:
        return int(row) + 2


# Each row's line: an array when the careful reader saw quotes or blank lines, else computed.
Lines = np.ndarray | _PlainLines


def _id_columns(
    directory: Path,
    name: str,
    problems: Problems,
    clock: _Clock,
    check_rest: Callable[[int, list[str]], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, Lines]:
    """The first two columns (ids) as arrays, plus each row's line; `check_rest` sees every row."""
    first, second = COLUMNS[name][:2]
    if check_rest is None and (fast := _plain_id_pairs(directory / name)) is not None:
        left, right = fast
        lines = _PlainLines(left.size)  # not an array: 400 MB for preset L's likes
        for column, values in ((first, left), (second, right)):
            for row in np.flatnonzero(values < 1).tolist():
                problems.add(
                    name, int(lines[row]), f"{column} must be a positive integer id, got '{values[row]}'"
                )
        clock.done(f"{name}: {left.size:,} rows checked")
        return left, right, lines
    # Arrays of machine integers, not lists: 8 bytes per id instead of about 36.
    left_ids, right_ids, line_numbers = array("q"), array("q"), array("q")
    for line, fields in _records(directory, name, problems, clock):
        if check_rest is not None:
            check_rest(line, fields)
        a, b = fields[0], fields[1]
        if _is_id(a) and _is_id(b):
            left_ids.append(int(a))
            right_ids.append(int(b))
            line_numbers.append(line)
        else:
            column, value = (first, a) if not _is_id(a) else (second, b)
            problems.add(name, line, f"{column} must be a positive integer id, got {value!r}")
    return (
        np.frombuffer(left_ids, dtype=np.int64),
        np.frombuffer(right_ids, dtype=np.int64),
        np.frombuffer(line_numbers, dtype=np.int64),
    )


def _plain_id_pairs(path: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """Both columns of a file that is a header and then only lines of two integers, parsed in C.

    None when the file is anything else (quotes, blank lines, a bad value, a bad header...):
    the careful row-by-row reader then finds and reports what is wrong. The file is read in
    blocks into arrays sized by a first pass that counts the lines: the whole text at once, and
    numpy's growing table of it, would be about 2 GB for preset L's 50,000,000 likes.
    """
    try:
        with path.open("rb") as f:
            header = f.readline().decode("utf-8-sig").strip()
            if header != ",".join(COLUMNS[path.name]):
                return None
            body_start, rows, last = f.tell(), 0, b"\n"
            while block := f.read(READ_BLOCK):
                rows, last = rows + block.count(b"\n"), block[-1:]
            rows += last != b"\n"  # a last line without its newline
            if rows == 0:
                return None
            f.seek(body_start)
            left, right = np.empty(rows, dtype=np.int64), np.empty(rows, dtype=np.int64)
            filled, rest = 0, b""
            while True:
                block = f.read(READ_BLOCK)
                text = rest + block
                cut = text.rfind(b"\n") + 1 if block else len(text)  # whole lines; at the end, all
                text, rest = text[:cut], text[cut:]
                if text:
                    table = _parse_id_pairs(text)
                    if table is None or filled + table.shape[0] > rows:
                        return None
                    left[filled : filled + table.shape[0]] = table[:, 0]
                    right[filled : filled + table.shape[0]] = table[:, 1]
                    filled += table.shape[0]
                if not block:
                    break
    except (OSError, UnicodeDecodeError):
        return None
    if filled != rows:
        return None  # blank lines, which loadtxt skips and which would shift the line numbers
    return left, right


def _parse_id_pairs(text: bytes) -> np.ndarray | None:
    """Lines of two integers as an (n, 2) table, or None for anything else."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. numpy accepting "1.0" as an integer, with a warning
            table = np.loadtxt(BytesIO(text), delimiter=",", dtype=np.int64, ndmin=2, comments=None)
    except (ValueError, OverflowError, Warning):
        return None
    return table if table.shape[1:] == (2,) else None


def _report_duplicates(name: str, what: str, lines: Lines, *keys: np.ndarray, problems: Problems) -> None:
    """Rows whose key columns repeat an earlier row."""
    if lines.size < 2 or not _may_repeat(*keys):
        return
    order = np.lexsort(keys[::-1])  # stable: equal keys stay in file order
    same = np.ones(order.size - 1, dtype=bool)
    for key in keys:
        sorted_key = key[order]
        same &= sorted_key[1:] == sorted_key[:-1]
    for position in np.flatnonzero(same).tolist():
        row, earlier = order[position + 1], order[position]
        values = ", ".join(str(key[row]) for key in keys)
        problems.add(name, int(lines[row]), f"duplicate {what} ({values}), also on line {lines[earlier]}")


def _may_repeat(*keys: np.ndarray) -> bool:
    """False when no row repeats another's keys, found by sorting one combined key in place.

    Much cheaper than the stable multi-key sort that finds the repeats and their lines, which
    only a file with repeats needs: for preset L's 50,000,000 likes, one 400 MB array and a
    few seconds instead of an index, a sorted copy per key and half a minute.
    """
    combined = keys[0].astype(np.int64, copy=True)
    for key in keys[1:]:
        if combined.size and (int(combined.min()) < 0 or int(key.min()) < 0):
            return True
        width = int(key.max()) + 1 if key.size else 1
        if combined.size and int(combined.max()) * width + width - 1 > np.iinfo(np.int64).max:
            return True  # would overflow: the full check decides
        combined *= width
        combined += key
    combined.sort()
    return bool((combined[1:] == combined[:-1]).any())


def _report_unknown(
    name: str, column: str, ids: np.ndarray, known: np.ndarray, lines: Lines, problems: Problems
) -> np.ndarray:
    """Report ids that are not in `known`; returns the mask of known ones."""
    found = np.empty(ids.size, dtype=bool)
    for start in range(0, ids.size, CHECK_CHUNK):  # isin's temporaries are 9 bytes an id
        found[start : start + CHECK_CHUNK] = np.isin(ids[start : start + CHECK_CHUNK], known)
    kind = "tweet" if column == "tweet_id" else "user"
    for row in np.flatnonzero(~found).tolist():
        problems.add(name, int(lines[row]), f"{column} {ids[row]}: no such {kind} in the files")
    return found


def _validate(directory: Path, problems: Problems, clock: _Clock) -> _Validated:
    users: list[tuple[int, str, str]] = []
    seen_ids: dict[int, int] = {}
    seen_keys: dict[str, int] = {}
    for line, (raw_id, raw_name, key) in _records(directory, "users.csv", problems, clock):
        name, name_problem = raw_name.strip(), ""
        if name:
            # The display-name rule every door applies (staff lookalikes aside: imported users are
            # not staff, and there are none yet).
            try:
                name = name_text_clean(name=raw_name)
            except Invalid as exc:
                name_problem = exc.message
        if not _is_id(raw_id):
            problems.add("users.csv", line, f"id must be a positive integer, got {raw_id!r}")
        elif int(raw_id) in seen_ids:
            problems.add(
                "users.csv", line, f"duplicate user id {raw_id}, also on line {seen_ids[int(raw_id)]}"
            )
        elif not name:
            problems.add("users.csv", line, "name is empty")
        elif name_problem:
            problems.add("users.csv", line, f"name: {name_problem}")
        elif len(name) > NAME_MAX_LENGTH:
            problems.add("users.csv", line, f"name is longer than {NAME_MAX_LENGTH} characters")
        elif not key or key != key.strip():
            problems.add("users.csv", line, "api_key is empty or has surrounding spaces")
        elif key in seen_keys:
            problems.add("users.csv", line, f"duplicate api_key, also on line {seen_keys[key]}")
        else:
            seen_ids[int(raw_id)] = line
            seen_keys[key] = line
            users.append((int(raw_id), name, key))
    user_ids = np.sort(np.array(list(seen_ids), dtype=np.int64))

    follower, followee, lines = _id_columns(directory, "follows.csv", problems, clock)
    _report_unknown("follows.csv", "follower_id", follower, user_ids, lines, problems)
    _report_unknown("follows.csv", "followee_id", followee, user_ids, lines, problems)
    for row in np.flatnonzero(follower == followee).tolist():
        problems.add("follows.csv", int(lines[row]), f"user {follower[row]} follows themself")
    _report_duplicates("follows.csv", "follow", lines, follower, followee, problems=problems)

    mentioned: set[str] = set()

    def check_tweet(line: int, fields: list[str]) -> None:
        mentioned.update(_check_tweet(fields[2], fields[3], line, problems))

    tweet_ids, authors, lines = _id_columns(directory, "tweets.csv", problems, clock, check_tweet)
    _report_unknown("tweets.csv", "author_id", authors, user_ids, lines, problems)
    _report_duplicates("tweets.csv", "tweet id", lines, tweet_ids, problems=problems)

    like_user, like_tweet, lines = _id_columns(directory, "likes.csv", problems, clock)
    _report_unknown("likes.csv", "user_id", like_user, user_ids, lines, problems)
    sorted_tweet_ids = np.sort(tweet_ids)
    known = _report_unknown("likes.csv", "tweet_id", like_tweet, sorted_tweet_ids, lines, problems)
    _report_duplicates("likes.csv", "like", lines, like_user, like_tweet, problems=problems)
    clock.done("likes.csv: ids and duplicates checked")

    # Likes per tweet, for the denormalised likes_count, in tweets.csv order.
    order = np.argsort(tweet_ids, kind="stable")
    # In chunks: the known likes' tweet ids and their positions at once would be 800 MB at preset L.
    per_sorted = np.zeros(sorted_tweet_ids.size, dtype=np.int64)
    for start in range(0, like_tweet.size, CHECK_CHUNK):
        chunk = like_tweet[start : start + CHECK_CHUNK][known[start : start + CHECK_CHUNK]]
        per_sorted += np.bincount(np.searchsorted(sorted_tweet_ids, chunk), minlength=sorted_tweet_ids.size)[
            : sorted_tweet_ids.size
        ]
    tweet_likes = np.empty_like(tweet_ids)
    tweet_likes[order] = per_sorted[: tweet_ids.size]
    return _Validated(
        users, user_ids, follower, followee, tweet_ids, tweet_likes, like_user, like_tweet, mentioned
    )


def _parse_time(text: str) -> datetime | None:
    """An ISO-8601 time with a UTC offset, in UTC; None for anything else or out of range."""
    try:
        value = datetime.fromisoformat(text)
        return value.astimezone(UTC) if value.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def _check_tweet(content: str, created_at: str, line: int, problems: Problems) -> list[str]:
    """Report what keeps this row from being a tweet; the usernames its text @mentions."""
    usernames: list[str] = []
    if not content.strip():
        problems.add("tweets.csv", line, "content is empty")
    elif len(content) > settings.TWEET_MAX_LENGTH:
        problems.add(
            "tweets.csv",
            line,
            f"content has {len(content)} characters, over TWEET_MAX_LENGTH ({settings.TWEET_MAX_LENGTH})",
        )
    elif "\x00" in content:
        problems.add("tweets.csv", line, "content contains a NUL character")
    else:
        # The rules of a posted text (invisible characters, caps on mentions and tags).
        try:
            usernames = tweet_text_check(content)[1].usernames
        except Invalid as exc:
            problems.add("tweets.csv", line, f"content: {exc.message}")
    if _parse_time(created_at) is None:
        problems.add(
            "tweets.csv", line, f"created_at must be an ISO-8601 time with a UTC offset, got {created_at!r}"
        )
    return usernames


# --- Writing ---------------------------------------------------------------------------


def _write(directory: Path, data: _Validated, clock: _Clock) -> None:
    # Values in the form this database backend stores datetimes in (naive UTC text on SQLite).
    adapt = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    # An unusable password, like users created with createuser: imported users log in with their key.
    User.objects.bulk_create(
        (
            User(id=user_id, name=name, username=_username(name, user_id), password=_unusable_password())
            for user_id, name, _ in data.users
        ),
        batch_size=5_000,
    )
    ApiKey.objects.bulk_create(
        (
            ApiKey(user_id=user_id, digest=api_key_digest(key), prefix=api_key_prefix(key))
            for user_id, _, key in data.users
        ),
        batch_size=5_000,
    )
    clock.done(f"users: {len(data.users):,} written with their api keys")

    # The users the texts mention, as posting finds them (all imported users are active).
    user_ids = users_named(sorted(data.mentioned))
    with _indexes_built_afterwards(LOADED[2:], clock), tempfile.TemporaryFile("w+", newline="") as file:
        _insert_id_pairs(Follow, ("follower", "followee"), data.follower, data.followee, now)
        clock.done(f"follows: {data.follower.size:,} written")
        entities = _EntityRows(file)
        _insert(
            Tweet,
            ("id", "author", "content", "created_at", "likes_count", "mentioned_ids", "tags"),
            _tweet_rows(directory, data, adapt, user_ids, entities),
        )
        clock.done(f"tweets: {data.tweet_ids.size:,} written")
        _insert(Mention, ("tweet", "user"), zip(entities.tweets, entities.users, strict=True))
        file.seek(0)
        _insert(TweetTag, ("tweet", "tag", "created_at"), map(tuple, csv.reader(file)))
        clock.done(f"mentions and tags: {len(entities.tweets):,} and {entities.tags:,} written")
        _insert_id_pairs(Like, ("user", "tweet"), data.like_user, data.like_tweet, now)
        clock.done(f"likes: {data.like_user.size:,} written")

    with connection.cursor() as cursor:
        # New rows created through the API must get ids after the imported ones.
        for sql in connection.ops.sequence_reset_sql(no_style(), LOADED):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            # Fresh statistics, so the first queries after an import get sensible plans (its
            # planner's row estimates come only from ANALYZE; SQLite's planner does without).
            cursor.execute(f"ANALYZE {_table_list()}")
            clock.done("statistics updated")


# The tables an import loads, in order; the last five without their indexes, built afterwards.
LOADED: list[type[Model]] = [User, ApiKey, Follow, Tweet, Mention, TweetTag, Like]


def _table_list() -> str:
    return ", ".join(connection.ops.quote_name(m._meta.db_table) for m in LOADED)


def _vacuum(clock: _Clock) -> None:
    """VACUUM the loaded tables, which cannot run inside a transaction, so only when not in one.

    It sets the visibility map and hint bits once, up front: otherwise the first queries after
    the import rewrite every page they read, and index-only scans must visit the table.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {_table_list()}")
    clock.done("tables vacuumed")


@contextmanager
def _indexes_built_afterwards(models: list[type[Model]], clock: _Clock) -> Iterator[None]:
    """On PostgreSQL, load the tables without their secondary indexes, unique and foreign keys.

    Building an index once is much faster than updating it for each of millions of rows, and one
    validating join per foreign key is much faster than millions of deferred per-row checks.
    Everything is re-created from the database's own definitions and validated before the
    transaction commits; if anything fails, the rollback restores the schema as it was.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint"
            " WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i"
            " WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)"
            " ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _, _ in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    clock.progress(f"building {len(indexes)} indexes and {len(constraints)} constraints...")
    with connection.cursor() as cursor:
        # For this transaction only: index builds sort in memory instead of on disk.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        # Unique constraints first ('u' sorts before 'f' in the query's order), then foreign keys.
        for table, name, definition, _ in constraints:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )
    clock.done(f"{len(indexes)} indexes and {len(constraints)} constraints built and checked")


def _unusable_password() -> str:
    """What make_password(None) stores, a marker and a random suffix, from one call to the OS.

    make_password(None) asks the OS for each of the suffix's 40 characters: 100,000 users of
    preset L spent a quarter of a minute on it.
    """
    return (
        UNUSABLE_PASSWORD_PREFIX
        + secrets.token_hex(UNUSABLE_PASSWORD_SUFFIX_LENGTH)[:UNUSABLE_PASSWORD_SUFFIX_LENGTH]
    )


def _username(name: str, user_id: int) -> str:
    # The id makes it unique (ids have no dashes, so "<slug>-<id>" cannot collide).
    return f"{slugify(name)[:120] or 'user'}-{user_id}"


class _EntityRows:
    """The Mention and TweetTag rows of the tweets being written, loaded after them (a table cannot
    be loaded while another is): mentions in two arrays of ids, tags in a temporary CSV file."""

    def __init__(self, file):
        self.tweets, self.users = array("q"), array("q")
        self.writer, self.tags = csv.writer(file), 0

    def add(self, tweet_id: int, user_ids: list[int], tags: list[str], created_at) -> None:
        self.tweets.extend([tweet_id] * len(user_ids))
        self.users.extend(user_ids)
        self.writer.writerows((tweet_id, tag, created_at) for tag in tags)
        self.tags += len(tags)


def _tweet_rows(
    directory: Path, data: _Validated, adapt: Callable, user_ids: dict[str, int], entities: _EntityRows
) -> Iterator[tuple]:
    """tweets.csv read again (texts are not kept in memory), checked against the first reading, each
    text stored as posting stores it, with its mentions and tags (tweets.services.tweet_text_check)."""
    ids, likes = data.tweet_ids.tolist(), data.tweet_likes.tolist()
    count = 0
    for _, (raw_id, author, content, created_at) in _records(
        directory, "tweets.csv", Problems(), _Clock(lambda _: None)
    ):
        if count >= len(ids) or int(raw_id) != ids[count]:
            raise RuntimeError("tweets.csv changed while it was being imported")
        content, found = tweet_text_check(content)
        mentioned = [user_ids[name] for name in found.usernames if name in user_ids]
        stamp = adapt(_parse_time(created_at))
        if mentioned or found.tags:
            entities.add(ids[count], mentioned, found.tags, stamp)
        yield (
            ids[count],
            int(author),
            content,
            stamp,
            likes[count],
            json.dumps(mentioned),
            json.dumps(found.tags, ensure_ascii=False),
        )
        count += 1
    if count != len(ids):
        raise RuntimeError("tweets.csv changed while it was being imported")


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    # Only concrete fields are named here: never a reverse relation, always a column.
    assert isinstance(field, Field) and field.column is not None
    return field.column


def _insert(model: type[Model], fields: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Insert rows of values for `fields` into the model's table, bypassing the ORM's per-row work.

    Kept branch: COPY is PostgreSQL's bulk-load path, for presets of millions of rows (commits
    83b768b, 71fb885); the same rows and columns either way, and test_import_csv runs on both.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(_column(model, f)) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                for batch in _batches(rows):
                    buffer = StringIO()
                    csv.writer(buffer, lineterminator="\n").writerows(batch)
                    copy.write(buffer.getvalue())
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            for batch in _batches(rows):
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)


# PostgreSQL's binary COPY format: a signature, flags and header extension length, then rows.
PGCOPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
PGCOPY_TRAILER = b"\xff\xff"
POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _insert_id_pairs(
    model: type[Model], fields: tuple[str, str], left: np.ndarray, right: np.ndarray, created_at: datetime
) -> None:
    """Insert (left, right, created_at) rows; on PostgreSQL as a binary COPY built by numpy (a
    measured need, commit 71fb885: a text COPY of preset M's likes was most of the import)."""
    if connection.vendor != "postgresql":
        stamp = connection.ops.adapt_datetimefield_value(created_at)
        _insert(
            model, (*fields, "created_at"), zip(left.tolist(), right.tolist(), repeat(stamp), strict=False)
        )
        return
    # Each row: field count (int16), then per field its byte length (int32) and value, big-endian.
    # Both ids are bigint columns and created_at a timestamptz: microseconds since 2000-01-01 UTC.
    row = np.dtype(
        [("n", ">i2"), ("l1", ">i4"), ("a", ">i8"), ("l2", ">i4"), ("b", ">i8"), ("l3", ">i4"), ("t", ">i8")]
    )
    micros = (created_at - POSTGRES_EPOCH) // timedelta(microseconds=1)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(_column(model, f)) for f in (*fields, "created_at"))
    # Built a chunk at a time: all 50,000,000 likes of preset L at once would be 1.9 GB of rows.
    chunk = WRITE_BATCH * 10
    rows = np.empty(min(chunk, left.size), dtype=row)
    rows["n"], rows["l1"], rows["l2"], rows["l3"], rows["t"] = 3, 8, 8, 8, micros
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT binary)") as copy,
    ):
        copy.write(PGCOPY_HEADER)
        for start in range(0, left.size, chunk):
            size = min(chunk, left.size - start)
            rows["a"][:size], rows["b"][:size] = left[start : start + size], right[start : start + size]
            copy.write(rows[:size].tobytes())
        copy.write(PGCOPY_TRAILER)


def _batches(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == WRITE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch

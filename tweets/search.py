"""Search: posts by words, phrases, author, tag and mention; people; tags (docs/search.md).

The query is parsed here into a SearchQuery of plain words; no user text ever reaches the engine as
query syntax. PostgreSQL gets each part as a parameter of plainto_tsquery / phraseto_tsquery; SQLite's
FTS5 gets every word inside double quotes (a string, never an operator).

Ranking: the newest SEARCH_WINDOW visible matches are scored, score = (0.1 + relevance) / (1 + age in
days / 7), with relevance in [0, 1) from the engine (ts_rank_cd on PostgreSQL, bm25 on SQLite), then
pages walk that window; the next window holds the next older matches. The work of one page is bounded
by the window, a statement timeout, and caps on the query's length and terms.
"""

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypedDict

from django.conf import settings
from django.db import OperationalError, connections, router, transaction
from django.db.models import BooleanField, Count, Exists, F, FloatField, Max, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.selectors import user_directory
from api.fields import MAX_ID
from common.errors import Invalid, Unavailable
from tweets import search_index
from tweets.entities import TAG_MAX_LENGTH, TAG_RE
from tweets.models import Mention, Tweet, TweetTag
from tweets.selectors import TweetPayload, tweet_rows, tweets_payload, visible_tweets
from tweets.services import users_named

# A term is a run of letters and digits of any script: what both engines' tokenizers keep of a
# word. Everything else (punctuation, operators, emoji) only separates terms.
TERM_RE = re.compile(r"[^\W_]+")
_TOKEN_RE = re.compile(r'(?P<minus>-?)"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')
_USERNAME_RE = re.compile(r"[\w.@+-]+")
RECENCY_DAYS = 7.0
RELEVANCE_FLOOR = 0.1
Kind = Literal["tweets", "users", "tags"]
KINDS: tuple[Kind, ...] = ("tweets", "users", "tags")
# How far an offset cursor of people or tags may go: a few pages is what people read.
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class SearchQuery:
    """What a query asks for; every part must hold. Words and phrases are lists of terms."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[tuple[str, ...], ...] = ()
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    highlight: tuple[str, ...] = field(default=(), compare=False)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def positive(self) -> bool:
        return bool(self.words or self.phrases or self.authors or self.tags or self.mentions)


def _length_check(text: str) -> None:
    if len(text) > settings.SEARCH_MAX_LENGTH:
        raise Invalid.on_field(
            "q",
            f"Ensure this field has no more than {settings.SEARCH_MAX_LENGTH} characters.",
            code="search_too_long",
        )


def search_parse(text: str) -> SearchQuery:
    """The query's parts: words (all must match), "phrases", -exclusions, from:user, #tag, @user.

    An unknown operator (`lang:en`) is searched as its words. Invalid over SEARCH_MAX_LENGTH
    characters or SEARCH_MAX_TERMS parts.
    """
    _length_check(text)
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    authors: list[str] = []
    tags: list[str] = []
    mentions: list[str] = []
    for token in _TOKEN_RE.finditer(text):
        if token["phrase"] is not None:
            terms = tuple(TERM_RE.findall(token["phrase"]))
            if not terms:
                continue
            if token["minus"]:
                excluded.append(terms)
            elif len(terms) == 1:
                words.extend(terms)
            else:
                phrases.append(terms)
            continue
        word = token["word"]
        lower = word.lower()
        if lower.startswith("from:") and _USERNAME_RE.fullmatch(name := word[5:].lstrip("@")):
            authors.append(name)
        elif TAG_RE.fullmatch(word) and len(word) - 1 <= TAG_MAX_LENGTH:
            tags.append(lower[1:])
        elif word.startswith("@") and _USERNAME_RE.fullmatch(word[1:]):
            mentions.append(word[1:])
        elif word.startswith("-") and (terms := tuple(TERM_RE.findall(word[1:]))):
            excluded.append(terms)
        else:
            words.extend(TERM_RE.findall(word))
    words = list(dict.fromkeys(words))
    parts = len(words) + len(phrases) + len(excluded) + len(authors) + len(tags) + len(mentions)
    if parts > settings.SEARCH_MAX_TERMS:
        raise Invalid.on_field(
            "q",
            f"A search can have at most {settings.SEARCH_MAX_TERMS} words, phrases and filters.",
            code="search_too_many_terms",
        )
    highlight = tuple(dict.fromkeys([*words, *(term for phrase in phrases for term in phrase)]))
    return SearchQuery(
        words=tuple(words),
        phrases=tuple(phrases),
        excluded=tuple(excluded),
        authors=tuple(dict.fromkeys(authors)),
        tags=tuple(dict.fromkeys(tags)),
        mentions=tuple(dict.fromkeys(mentions)),
        highlight=highlight,
    )


# --- The engines ----------------------------------------------------------------------------

_TABLE = search_index.TABLE


def _pg_tsquery(query: SearchQuery) -> tuple[str, list[str]]:
    """The query as a tsquery expression built from plainto/phraseto_tsquery of parameters."""
    config = settings.SEARCH_CONFIG
    parts, params = [], []
    if query.words:
        parts.append("plainto_tsquery(%s::regconfig, %s)")
        params += [config, " ".join(query.words)]
    for phrase in query.phrases:
        parts.append("phraseto_tsquery(%s::regconfig, %s)")
        params += [config, " ".join(phrase)]
    for terms in query.excluded:
        parts.append("(!! phraseto_tsquery(%s::regconfig, %s))")
        params += [config, " ".join(terms)]
    return " && ".join(parts), params


def _fts5_phrase(terms: tuple[str, ...]) -> str:
    # Terms hold letters and digits only (TERM_RE): inside double quotes each is a plain string.
    return '"' + " ".join(terms) + '"'


def _tsquery_literal(lexemes: list[str]) -> str:
    """An AND of these lexemes as tsquery input: each quoted, so none is read as an operator."""
    quoted = ("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in lexemes)
    return " & ".join(quoted)


def _phrase_pairs(alias: str, phrases: tuple[tuple[str, ...], ...]) -> list[str]:
    """The word pairs of the phrases as the pairs index holds them (search_index.PAIRS_FUNCTION over
    each phrase's vector, so the configuration's lexemes and gaps). One query."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT unnest(tsvector_to_array({search_index.PAIRS_FUNCTION}("
            "to_tsvector(%s::regconfig, phrase)))) FROM unnest(%s::text[]) AS phrase",
            [settings.SEARCH_CONFIG, [" ".join(phrase) for phrase in phrases]],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _text_match(tweets: QuerySet, query: SearchQuery) -> QuerySet:
    """The tweets matching the query's words, phrases and exclusions, with `relevance` in [0, 1)."""
    if not (query.has_text or query.excluded):
        return tweets.annotate(relevance=Value(0.0, output_field=FloatField()))
    if connections[tweets.db].vendor == "postgresql":
        tsquery, params = _pg_tsquery(query)
        column = f"{_TABLE}.{search_index.COLUMN}"
        pairs = _phrase_pairs(tweets.db, query.phrases) if query.phrases else []
        if pairs:
            # The phrases' pairs through their index, then the whole query on each post found. The
            # function form of @@, ts_match_vq, is one no index serves: with @@ the planner would
            # AND in the word index, a read of every post with the phrase's common words.
            pairs_match = RawSQL(
                f"{search_index.PAIRS_FUNCTION}({column}) @@ %s::tsquery",
                [_tsquery_literal(pairs)],
                output_field=BooleanField(),
            )
            tweets = tweets.filter(pairs_match)
            if query.words:
                words = f"{column} @@ plainto_tsquery(%s::regconfig, %s)"
                words_params = [settings.SEARCH_CONFIG, " ".join(query.words)]
                tweets = tweets.filter(RawSQL(words, words_params, output_field=BooleanField()))
            match = f"ts_match_vq({column}, {tsquery})"
        else:
            match = f"{column} @@ ({tsquery})"
        tweets = tweets.filter(RawSQL(match, params, output_field=BooleanField()))
        if not query.has_text:
            return tweets.annotate(relevance=Value(0.0, output_field=FloatField()))
        # Normalization 32: rank / (rank + 1).
        rank = RawSQL(f"ts_rank_cd({column}, {tsquery}, 32)", params, output_field=FloatField())
        return tweets.annotate(relevance=rank)
    fts = search_index.FTS_TABLE
    if query.excluded:
        excluded = " OR ".join(map(_fts5_phrase, query.excluded))
        tweets = tweets.exclude(id__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [excluded]))
    if not query.has_text:
        return tweets.annotate(relevance=Value(0.0, output_field=FloatField()))
    match = " AND ".join(map(_fts5_phrase, [*((word,) for word in query.words), *query.phrases]))
    tweets = tweets.filter(id__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [match]))
    # bm25 is negative, better matches lower: -bm25 / (1 - bm25) is in [0, 1) like PostgreSQL's.
    rank = RawSQL(
        f"(SELECT -bm25({fts}) / (1 - bm25({fts})) FROM {fts} WHERE {fts} MATCH %s AND rowid = {_TABLE}.id)",
        [match],
        output_field=FloatField(),
    )
    return tweets.annotate(relevance=rank)


def _user_ids(names: set[str]) -> dict[str, int]:
    """The active users these names are the usernames of, by lower-case name, in any letter case:
    the account a mention in a post links (tweets.services.users_named, on the lower(username)
    index). One query."""
    return users_named(sorted({name.lower() for name in names})) if names else {}


def _filtered(query: SearchQuery) -> QuerySet | None:
    """The visible tweets that match; None when a from: or @ names nobody active. Authors and
    mentioned users are looked up first, so the planner sees their ids and reads those authors'
    posts through their index (a join on the name made it walk every tweet at ten million)."""
    ids = _user_ids({*query.authors, *query.mentions})
    if any(name.lower() not in ids for name in (*query.authors, *query.mentions)):
        return None
    tweets = visible_tweets()
    for name in query.authors:
        tweets = tweets.filter(author_id=ids[name.lower()])
    for tag in query.tags:
        tweets = tweets.filter(Exists(TweetTag.objects.filter(tweet=OuterRef("pk"), tag=tag)))
    for name in query.mentions:
        tweets = tweets.filter(
            Exists(Mention.objects.filter(tweet=OuterRef("pk"), user_id=ids[name.lower()]))
        )
    return _text_match(tweets, query)


# For the search statements only (the transaction's settings): the time limit; a plan for each
# statement's own words (a generic plan, which psycopg's prepared statements get after five runs,
# guesses the same number of matches for every word, and the plan choice turns on that number); and no
# JIT, whose compiling, set off by the cost of a plan at ten million posts, takes as long as a rare
# word's statement itself.
_PG_SEARCH_SETTINGS = (
    "SELECT set_config('statement_timeout', %s, true),"
    " set_config('plan_cache_mode', 'force_custom_plan', true), set_config('jit', 'off', true)"
)
# And for words and phrases: each match joined to its author by the author's primary key. For a
# word it has no statistics for, the planner estimates a fixed share of the posts (half a percent)
# whatever the real count, and for that many it hashed every user, where a rare word's few matches
# need as many lookups. Reading many matches is what the walk of the newest posts avoids, and the
# walk is a nested loop anyway. No parallel workers either: for the same estimate the planner
# started two, whose start-up was most of a rare word's statement.
_PG_TEXT_SETTINGS = (
    ", set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true),"
    " set_config('max_parallel_workers_per_gather', '0', true)"
)


@contextmanager
def _time_limit(alias: str, *, text: bool = False) -> Iterator[None]:
    """At most SEARCH_TIMEOUT_MS for the statements in the block: PostgreSQL's statement_timeout,
    SQLite's progress handler; either way Unavailable (503) instead of a slow answer. On PostgreSQL
    also the plan settings above (`text`: of a search of words or phrases)."""
    connection = connections[alias]
    milliseconds = settings.SEARCH_TIMEOUT_MS
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic(using=alias):
                with connection.cursor() as cursor:
                    settings_sql = _PG_SEARCH_SETTINGS + (_PG_TEXT_SETTINGS if text else "")
                    cursor.execute(settings_sql, [f"{milliseconds}ms"])
                yield
        else:
            connection.ensure_connection()
            deadline = time.monotonic() + milliseconds / 1000
            connection.connection.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
            try:
                yield
            finally:
                connection.connection.set_progress_handler(None, 0)
    except OperationalError as exc:
        cause = str(exc.__cause__ or exc)
        if "statement timeout" in cause or "interrupted" in cause:
            slow = Unavailable("This search took too long; try more or rarer words.", retry_after=1)
            slow.code = "search_slow"
            raise slow from exc
        raise


# --- Cursors: "<top id>:<offset>", the window of matches at or below that id, and a place in it ----


def _window_cursor(cursor: str) -> tuple[int | None, int]:
    if not cursor:
        return None, 0
    top, _, offset = cursor.partition(":")
    if not all(part.isascii() and part.isdigit() and len(part) <= 19 for part in (top, offset)):
        raise Invalid.on_field("cursor", "Invalid cursor.", code="search_cursor")
    if int(top) > MAX_ID or int(offset) >= settings.SEARCH_WINDOW:
        raise Invalid.on_field("cursor", "Invalid cursor.", code="search_cursor")
    return int(top), int(offset)


def _offset_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 6) or int(cursor) > MAX_OFFSET:
        raise Invalid.on_field("cursor", "Invalid cursor.", code="search_cursor")
    return int(cursor)


def _score(relevance: float | None, created_at: datetime, now: datetime) -> float:
    age_days = max(0.0, (now - created_at).total_seconds() / 86400)
    return (RELEVANCE_FLOOR + (relevance or 0.0)) / (1 + age_days / RECENCY_DAYS)


_WINDOW_FIELDS = ("id", "relevance", "created_at")


def _window_rows(tweets: QuerySet, query: SearchQuery, alias: str, top: int | None) -> list[tuple]:
    """The newest SEARCH_WINDOW matches (id, relevance, created_at), newest first.

    On PostgreSQL by the cheaper of two plans, from the planner's estimate E of the matches among N
    tweets (EXPLAIN, planning only, and the newest id):
    - the GIN index: read all E matches and keep the newest (`ORDER BY id + 0`, which no index
      provides, so the planner cannot walk the table instead). Always for a phrase, with no
      estimate: the word-pair index finds the posts with all of its pairs (a phrase is rarer than
      its words: `"fix the bug"` was estimated at 74,000 of ten million from its words, and none
      has it);
    - the newest-first walk of the primary key, checking each tweet's vector, when it is expected
      to read SEARCH_WALK_FACTOR times fewer rows (WINDOW * N / E) than the GIN index: a common
      word. The walk goes SEARCH_WALK_FACTOR times its expected length back, then four times as
      far again, and so on (the newest posts may happen not to have the word), until the window
      is full or it has read as many tweets as the GIN index would; the GIN index finds the rest
      in the older tweets. So a wrong estimate costs at most about twice the GIN plan, never a walk
      of the whole table. (One more statement: bitmap scans off for the walk; and on again before
      the GIN index finds the rest.)
    """
    window = settings.SEARCH_WINDOW
    newest = tweets.using(alias).order_by(F("id").desc()).values_list(*_WINDOW_FIELDS)
    if not query.has_text or connections[alias].vendor != "postgresql":
        return list(newest[:window])
    by_index = tweets.using(alias).order_by((F("id") + 0).desc()).values_list(*_WINDOW_FIELDS)
    if query.phrases:
        return list(by_index[:window])
    plan = json.loads(tweets.using(alias).order_by().values("id").explain(format="json"))
    estimate = max(1, plan[0]["Plan"]["Plan Rows"])
    start = top if top is not None else Tweet.objects.using(alias).aggregate(last=Max("id"))["last"] or 0
    factor = settings.SEARCH_WALK_FACTOR
    if window * start * factor >= estimate * estimate:
        return list(by_index[:window])
    # The walk, in steps four times longer each: without bitmap scans, which GIN needs, so that the
    # planner cannot AND the GIN index with the id range instead (a bitmap of every tweet with a
    # common word: seconds at 10M). It stops after as many tweets as the GIN index would read.
    rows: list[tuple] = []
    upper, span = start, max(window, factor * window * start // estimate)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT set_config('enable_bitmapscan', 'off', true)")
    while True:
        lower = max(0, upper - span)
        rows += newest.filter(id__lte=upper, id__gt=lower)[: window - len(rows)]
        if len(rows) >= window or lower == 0 or start - lower >= estimate:
            break
        upper, span = lower, span * 4
    if len(rows) < window and lower > 0:
        # Bitmap scans back for the GIN index (a full window ends the transaction, and the setting with it).
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT set_config('enable_bitmapscan', 'on', true)")
        rows += by_index.filter(id__lte=lower)[: window - len(rows)]
    return rows


def search_tweet_ids(*, query: SearchQuery, cursor: str, limit: int) -> tuple[list[int], str | None]:
    """A page of the visible tweets matching `query`, best first, and the next cursor (None at the
    end). Queries: the from: and @ users (if any); on PostgreSQL with words the plan's estimate and
    the newest id; the window of the newest SEARCH_WINDOW matches (_window_rows), scored in Python."""
    top, offset = _window_cursor(cursor)
    if not query.positive:
        return [], None
    tweets = _filtered(query)
    if tweets is None:
        return [], None
    if top is not None:
        tweets = tweets.filter(id__lte=top)
    alias = router.db_for_read(Tweet)
    window_size = settings.SEARCH_WINDOW
    with _time_limit(alias, text=query.has_text):
        rows = _window_rows(tweets, query, alias, top)
    if not rows:
        return [], None
    now = timezone.now()
    ranked = sorted(rows, key=lambda row: (_score(row[1], row[2], now), row[0]), reverse=True)
    window_top = rows[0][0]
    page = [row[0] for row in ranked[offset : offset + limit]]
    if offset + limit < len(rows):
        next_cursor: str | None = f"{window_top}:{offset + limit}"
    elif len(rows) == window_size:
        next_cursor = f"{rows[-1][0] - 1}:0"
    else:
        next_cursor = None
    return page, next_cursor


def search_tweets(*, query: SearchQuery, cursor: str, limit: int) -> tuple[list[TweetPayload], str | None]:
    """search_tweet_ids as the contract's Tweet objects. Queries: the window, the rows, tweets_payload's."""
    ids, next_cursor = search_tweet_ids(query=query, cursor=cursor, limit=limit)
    if not ids:
        return [], next_cursor
    found = {row["id"]: row for row in tweet_rows(visible_tweets().filter(id__in=ids))}
    return tweets_payload([found[pk] for pk in ids if pk in found]), next_cursor


class UserResult(TypedDict):
    id: int
    name: str
    username: str


class TagResult(TypedDict):
    tag: str
    count: int


def _offset_page(rows: list, offset: int, limit: int) -> tuple[list, str | None]:
    more = len(rows) > limit and offset + limit <= MAX_OFFSET
    return rows[:limit], str(offset + limit) if more else None


def search_users(*, viewer, text: str, cursor: str, limit: int) -> tuple[list[UserResult], str | None]:
    """People whose name or username contains the text (the People page's search), by name. One query."""
    offset = _offset_cursor(cursor)
    _length_check(text)
    text = text.strip()
    if not text:
        return [], None
    users = user_directory(viewer=viewer, search=text, colleagues_only=True).values_list(
        "id", "name", "username"
    )
    rows = [
        UserResult(id=pk, name=name, username=username)
        for pk, name, username in users[offset : offset + limit + 1]
    ]
    return _offset_page(rows, offset, limit)


def search_tags(*, text: str, cursor: str, limit: int) -> tuple[list[TagResult], str | None]:
    """Tags starting with the text (a leading # optional, any letter case) with their number of
    visible posts, most used first. One query."""
    offset = _offset_cursor(cursor)
    _length_check(text)
    prefix = text.strip().removeprefix("#").lower()
    if not prefix or not TAG_RE.fullmatch(f"#{prefix}") or len(prefix) > TAG_MAX_LENGTH:
        return [], None
    alias = router.db_for_read(TweetTag)
    with _time_limit(alias):
        tags = list(
            TweetTag.objects.using(alias)
            .filter(tag__startswith=prefix, tweet__in=visible_tweets().values("id"))
            .values("tag")
            .annotate(n=Count("*"))
            .order_by("-n", "tag")
            .values_list("tag", "n")[offset : offset + limit + 1]
        )
    return _offset_page([TagResult(tag=tag, count=n) for tag, n in tags], offset, limit)


@dataclass
class SearchPage:
    kind: Kind
    items: list = field(default_factory=list)
    next_cursor: str | None = None
    query: SearchQuery = field(default_factory=SearchQuery)


def search(*, viewer, text: str, kind: Kind = "tweets", cursor: str = "", limit: int) -> SearchPage:
    """The one search every door calls: a page of tweets, people or tags for `text`.

    An empty text finds nothing; Invalid for too long a text, too many terms, a broken cursor;
    Unavailable when the search runs past SEARCH_TIMEOUT_MS.
    """
    if kind == "users":
        users, next_cursor = search_users(viewer=viewer, text=text, cursor=cursor, limit=limit)
        return SearchPage(kind, users, next_cursor)
    if kind == "tags":
        tags, next_cursor = search_tags(text=text, cursor=cursor, limit=limit)
        return SearchPage(kind, tags, next_cursor)
    query = search_parse(text)
    tweets, next_cursor = search_tweets(query=query, cursor=cursor, limit=limit)
    return SearchPage(kind, tweets, next_cursor, query)

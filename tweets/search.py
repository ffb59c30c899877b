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
from django.db.models import BooleanField, Count, Exists, F, FloatField, OrderBy, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.selectors import user_directory
from api.fields import MAX_ID
from common.errors import Invalid, Unavailable
from tweets import search_index
from tweets.entities import TAG_MAX_LENGTH, TAG_RE
from tweets.models import Mention, Tweet, TweetTag
from tweets.selectors import TweetPayload, tweet_rows, tweets_payload, visible_tweets

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


def _text_match(tweets: QuerySet, query: SearchQuery) -> QuerySet:
    """The tweets matching the query's words, phrases and exclusions, with `relevance` in [0, 1)."""
    if not (query.has_text or query.excluded):
        return tweets.annotate(relevance=Value(0.0, output_field=FloatField()))
    if connections[tweets.db].vendor == "postgresql":
        tsquery, params = _pg_tsquery(query)
        column = f"{_TABLE}.{search_index.COLUMN}"
        tweets = tweets.filter(RawSQL(f"{column} @@ ({tsquery})", params, output_field=BooleanField()))
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


def _filtered(query: SearchQuery) -> QuerySet:
    tweets = visible_tweets()
    for name in query.authors:
        tweets = tweets.filter(author__username__iexact=name)
    for tag in query.tags:
        tweets = tweets.filter(Exists(TweetTag.objects.filter(tweet=OuterRef("pk"), tag=tag)))
    for name in query.mentions:
        tweets = tweets.filter(
            Exists(Mention.objects.filter(tweet=OuterRef("pk"), user__username__iexact=name))
        )
    return _text_match(tweets, query)


@contextmanager
def _time_limit(alias: str) -> Iterator[None]:
    """At most SEARCH_TIMEOUT_MS for the statements in the block: PostgreSQL's statement_timeout,
    SQLite's progress handler; either way Unavailable (503) instead of a slow answer."""
    connection = connections[alias]
    milliseconds = settings.SEARCH_TIMEOUT_MS
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic(using=alias):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{milliseconds}ms"])
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


def _window_order(tweets: QuerySet, query: SearchQuery, alias: str) -> OrderBy:
    """Newest first; on PostgreSQL by the plan that suits how many posts the words match.

    Many (a common word): walk the primary key backwards and check each row's vector until the
    window is full. Few: read them all through the GIN index and sort. PostgreSQL's planner picks by
    its estimate, which for a phrase is that of its words (a phrase is rarer) and so walked the whole
    table for a phrase that matches nothing. So the estimate is asked for first (EXPLAIN, planning
    only) and below SEARCH_INDEX_ROWS the order is `id + 0`, which no index provides: the GIN
    index it is. The estimate is the words' own (all present), which is what that plan reads.
    """
    if not query.has_text or connections[alias].vendor != "postgresql":
        return F("id").desc()
    plan = json.loads(tweets.using(alias).order_by().values("id").explain(format="json"))
    if plan[0]["Plan"]["Plan Rows"] > settings.SEARCH_INDEX_ROWS:
        return F("id").desc()
    return (F("id") + 0).desc()


def search_tweet_ids(*, query: SearchQuery, cursor: str, limit: int) -> tuple[list[int], str | None]:
    """A page of the visible tweets matching `query`, best first, and the next cursor (None at the
    end). Queries: on PostgreSQL the plan's estimate; the window of the newest SEARCH_WINDOW
    matches, scored in Python."""
    top, offset = _window_cursor(cursor)
    if not query.positive:
        return [], None
    tweets = _filtered(query)
    if top is not None:
        tweets = tweets.filter(id__lte=top)
    alias = router.db_for_read(Tweet)
    window_size = settings.SEARCH_WINDOW
    with _time_limit(alias):
        order = _window_order(tweets, query, alias)
        rows = list(
            tweets.using(alias).order_by(order).values_list("id", "relevance", "created_at")[:window_size]
        )
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
            .annotate(n=Count("id"))
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

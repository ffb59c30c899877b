"""common.queries: InArray, a filter on a list of ids whose statement does not depend on the ids, and
Compiled, a query compiled once and run with each call's values."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from common.queries import Compiled, Ids, InArray
from tweets.models import Tweet


def test_in_array_keeps_the_rows_whose_field_is_one_of_the_ids(author, make_tweet):
    """The same rows as Django's `__in`; a None among the ids matches nothing, no ids no rows."""
    first, second, third = (make_tweet(author, text) for text in ("one", "two", "three"))

    found = Tweet.objects.filter(InArray(F("id"), [third.pk, first.pk, None])).order_by("id")

    assert list(found.values_list("content", flat=True)) == ["one", "three"]
    assert second.pk not in found.values_list("id", flat=True)
    assert list(Tweet.objects.filter(InArray(F("id"), []))) == []


def test_in_array_is_the_same_statement_whatever_the_number_of_ids(author, make_tweet):
    """The ids are one parameter (an array on PostgreSQL, JSON text on SQLite), so the statement's
    text, what PostgreSQL prepares and what a caller may compile once, does not grow with them."""
    tweets = [make_tweet(author, f"tweet {n}") for n in range(3)]

    def statement(ids: list[int]) -> str:
        sent: list[str] = []

        def capture(execute, sql, params, many, context):
            sent.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            assert sorted(Tweet.objects.filter(InArray(F("id"), ids)).values_list("id", flat=True)) == ids
        return sent[0]

    assert statement([tweets[0].pk]) == statement([tweet.pk for tweet in tweets])


def test_a_compiled_query_gives_the_orm_s_rows_for_each_call_s_values(author, follower, make_tweet):
    """Compiled once from stand-ins, run with each call's values: the rows values_list() gives,
    datetimes as datetimes on every database."""
    make_tweet(author, "by the author")
    make_tweet(follower, "by the follower")
    stand_in_author, stand_in_ids, stand_in_time = -5, Ids([-6]), datetime(2000, 1, 1, tzinfo=UTC)

    def rows(author_id, ids, after):
        return (
            Tweet.objects.filter(InArray(F("id"), ids), author_id=author_id, created_at__gt=after)
            .order_by("id")
            .values_list("content", "created_at")
        )

    compiled = Compiled(rows(stand_in_author, stand_in_ids, stand_in_time), (-5, -6, stand_in_time))
    every_id = Ids(Tweet.objects.values_list("id", flat=True))
    long_ago = datetime(2001, 1, 1, tzinfo=UTC)

    for person in (author, follower):
        values = {-5: person.id, -6: every_id, stand_in_time: long_ago}
        assert compiled.rows(values) == list(rows(person.id, every_id, long_ago))
        assert compiled.rows(values)[0][0] == f"by the {'author' if person is author else 'follower'}"
    assert compiled.rows({-5: author.id, -6: Ids(), stand_in_time: long_ago}) == []


def test_compiling_refuses_a_stand_in_the_query_does_not_bind(author):
    """A stand-in missing from the parameters would be silently ignored: it fails at compile time."""
    with pytest.raises(AssertionError):
        Compiled(Tweet.objects.filter(author_id=-5).values_list("id"), (-5, -7))


def test_compiled_once_builds_once_per_process_and_runs_with_each_calls_values(author, make_tweet):
    """The first call compiles; later calls with the same arguments get the same Compiled."""
    from common.queries import compiled_once

    built = []
    stand_in_time = datetime(2000, 1, 1, tzinfo=UTC)

    @compiled_once
    def posted_before(count: int) -> Compiled:
        built.append(count)
        posted = Tweet.objects.filter(created_at__lte=stand_in_time).order_by("id").values_list("content")
        return Compiled(posted[:count], (stand_in_time,))

    make_tweet(author, "now")
    query = posted_before(5)

    assert posted_before(5) is query and built == [5]
    assert query.rows({stand_in_time: timezone.now()}) == [("now",)]
    assert query.rows({stand_in_time: stand_in_time}) == []

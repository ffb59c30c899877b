"""common.queries.InArray: a filter on a list of ids whose statement does not depend on the ids."""

from django.db import connection
from django.db.models import F

from common.queries import InArray
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


def test_a_compiled_query_is_built_once_per_process_and_run_with_each_calls_time(author, make_tweet):
    """compiled_once builds the queryset on the first call only; bind puts this call's time where
    the placeholder was, so a tweet posted after the placeholder's date is found."""
    from django.utils import timezone

    from common.queries import NOW_PLACEHOLDER, compiled_once

    built = []

    @compiled_once
    def posted_before(count: int):
        built.append(count)
        posted = Tweet.objects.filter(created_at__lte=NOW_PLACEHOLDER).order_by("id")
        return posted.values_list("content")[:count]

    make_tweet(author, "now")
    query = posted_before(5)
    assert posted_before(5) is query and built == [5]
    with connection.cursor() as cursor:
        cursor.execute(query.sql, query.bind(connection, now=timezone.now()))
        assert cursor.fetchall() == [("now",)]
        cursor.execute(query.sql, query.template)
        assert cursor.fetchall() == []  # the placeholder's own date, 2000-01-01


def test_binding_a_placeholder_the_query_does_not_take_raises_rather_than_run_it(author):
    """A definition that stopped taking the time as a parameter is caught, not run with a stale one."""
    import pytest
    from django.utils import timezone

    from common.queries import compiled_once

    query = compiled_once(lambda: Tweet.objects.filter(author_id=author.id).values_list("id"))()

    with pytest.raises(AssertionError, match="no longer takes"):
        query.bind(connection, now=timezone.now())
    assert query.bind(connection, values={author.id: 7}) == [7]

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

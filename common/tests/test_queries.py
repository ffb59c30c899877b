"""common.queries.InArray: Django's IN on every database, one array parameter on PostgreSQL."""

from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from common.queries import InArray
from tweets.models import Tweet


def test_in_array_keeps_the_rows_whose_field_is_one_of_the_ids(author, make_tweet):
    """The same rows as Django's `__in`, whatever the database; a None among the ids matches nothing."""
    first, second, third = (make_tweet(author, text) for text in ("one", "two", "three"))

    found = Tweet.objects.filter(InArray(F("id"), [third.pk, first.pk, None])).order_by("id")

    assert list(found.values_list("content", flat=True)) == ["one", "three"]
    assert second.pk not in found.values_list("id", flat=True)


def test_in_array_with_no_ids_matches_nothing_without_a_query(db):
    """As Django's IN: an empty list is no rows, and no statement is sent."""
    with CaptureQueriesContext(connection) as captured:
        assert list(Tweet.objects.filter(InArray(F("id"), []))) == []
    assert captured.captured_queries == []


def test_in_array_is_one_statement_on_postgresql_whatever_the_number_of_ids(author, make_tweet):
    """On PostgreSQL the ids are one array parameter, so the statement's text (what it prepares)
    does not grow with them; SQLite gets Django's IN list, one placeholder per id."""
    tweets = [make_tweet(author, f"tweet {n}") for n in range(3)]

    def statement(ids: list[int]) -> str:
        sent: list[str] = []

        def capture(execute, sql, params, many, context):
            sent.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            assert sorted(Tweet.objects.filter(InArray(F("id"), ids)).values_list("id", flat=True)) == ids
        return sent[0]

    one, three = statement([tweets[0].pk]), statement([tweet.pk for tweet in tweets])
    if connection.vendor == "postgresql":
        assert one == three and "= ANY(" in one
    else:
        assert one != three

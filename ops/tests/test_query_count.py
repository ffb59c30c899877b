"""The benchmark's X-Query-Count header: bench code (bench/settings.py), never in Chirp's responses."""

import importlib

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config import settings as chirp_settings

bench_settings = importlib.import_module("bench.settings")


def test_bench_settings_are_chirps_with_the_query_count_middleware_outermost():
    """The benchmark measures Chirp's own middleware chain, with only the header added around it."""
    assert [
        "bench.query_count.QueryCountHeaderMiddleware",
        *chirp_settings.MIDDLEWARE,
    ] == bench_settings.MIDDLEWARE


@override_settings(MIDDLEWARE=bench_settings.MIDDLEWARE)
def test_under_bench_settings_each_response_reports_its_sql_query_count(author):
    """The header equals the queries the request ran."""
    with CaptureQueriesContext(connection) as captured:
        response = author.client().get("/api/users/me")

    assert response.status_code == 200
    assert len(captured.captured_queries) > 0
    assert response["X-Query-Count"] == str(len(captured.captured_queries))


def test_responses_carry_no_query_count(author):
    """Chirp's responses do not reveal how many queries they ran."""
    response = author.client().get("/api/users/me")

    assert response.status_code == 200
    assert "X-Query-Count" not in response

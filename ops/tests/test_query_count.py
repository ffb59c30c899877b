"""The benchmark's X-Query-Count header: the observability middleware's own count of a request's queries."""

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext


@override_settings(QUERY_COUNT_HEADER=True)
def test_each_response_reports_its_sql_query_count_when_asked(author):
    """With BENCH_QUERY_COUNT_HEADER on, the header equals the queries the request ran."""
    with CaptureQueriesContext(connection) as captured:
        response = author.client().get("/api/users/me")

    assert response.status_code == 200
    assert len(captured.captured_queries) > 0
    assert response["X-Query-Count"] == str(len(captured.captured_queries))


@override_settings(QUERY_COUNT_HEADER=False)
def test_responses_carry_no_query_count_by_default(author):
    """Production responses do not reveal how many queries they ran."""
    response = author.client().get("/api/users/me")

    assert response.status_code == 200
    assert "X-Query-Count" not in response

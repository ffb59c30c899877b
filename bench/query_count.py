"""The benchmark's X-Query-Count header (bench/settings.py adds it). Bench code, not Chirp's."""

from django.db import connection

from ops.middleware import QueryCounter


class QueryCountHeaderMiddleware:
    """Outermost: X-Query-Count is every SQL query the request ran (BEGIN/COMMIT are not queries)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        response["X-Query-Count"] = str(queries.count)
        return response

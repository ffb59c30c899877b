from django.conf import settings
from django.db import connection

from api.errors import error_response


class ApiBodySizeLimitMiddleware:
    """Refuse oversize /api/ bodies from their Content-Length, before anything buffers them.

    Multipart uploads may carry one file of MEDIA_MAX_UPLOAD_BYTES plus form overhead; every other
    body is small JSON. Bodies without a Content-Length are bounded later by Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE and the upload size check.
    """

    MULTIPART_OVERHEAD = 64 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            raw = request.META.get("CONTENT_LENGTH") or "0"
            try:
                length = int(raw)
            except ValueError:
                return error_response("validation_error", "Invalid Content-Length header.")
            if length > self.limit_for(request):
                return error_response(
                    "payload_too_large",
                    f"The request body is too large (limit {self.limit_for(request)} bytes).",
                )
        return self.get_response(request)

    def limit_for(self, request) -> int:
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
            return settings.MEDIA_MAX_UPLOAD_BYTES + self.MULTIPART_OVERHEAD
        return settings.API_MAX_JSON_BYTES


class QueryCountHeaderMiddleware:
    """Report the number of SQL queries a request ran in an `X-Query-Count` header.

    Only installed when BENCH_QUERY_COUNT_HEADER is on (the benchmark does), so the benchmark
    can print queries per request measured inside the app rather than estimated.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response

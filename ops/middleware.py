"""Request observability (id, JSON access log, metrics) and the health/metrics endpoints."""

import hmac
import logging
import re
import threading
import time
import uuid

from django.conf import settings
from django.db import connection, connections
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.functional import SimpleLazyObject, empty

from ops import health, metrics
from ops.logging import request_id_var

access_logger = logging.getLogger("chirp.request")

# An incoming id is reused only when it is short and plain, so it cannot forge log content.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
OPS_PATHS = {"/livez": "livez", "/readyz": "readyz", "/metrics": "metrics"}
# Any other method a client invents shares one label, so it cannot grow the series count.
HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class QueryCounter:
    """A `connection.execute_wrapper` that counts the queries of one request."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def endpoint_of(request) -> str:
    """The route's name (bounded label), never the raw path with its ids."""
    if request.path_info in OPS_PATHS:
        return OPS_PATHS[request.path_info]
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Answered before URL resolution (e.g. a 413 from a middleware): resolve it for the label.
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return "unmatched"
    return match.view_name or match.route or "unmatched"


def user_id_of(request) -> int | None:
    user = getattr(request, "user", None)
    # An untouched lazy user would cost a session query just to be logged; it was not needed.
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    return getattr(user, "pk", None)


# Each of a worker's request threads has its own database connections (ops.wsgi_threads): the
# count each thread last saw of its own, by thread, summed for the process's gauge.
_open_by_thread: dict[int, int] = {}
_open_by_thread_lock = threading.Lock()


def open_connections_of_this_process() -> int:
    """The database connections open in this process, its other threads' as they last counted."""
    mine = sum(1 for conn in connections.all(initialized_only=True) if conn.connection is not None)
    with _open_by_thread_lock:
        _open_by_thread[threading.get_ident()] = mine
        return sum(_open_by_thread.values())


class RequestObservabilityMiddleware:
    """Outermost middleware: a request id for the logs and response, one JSON log line, metrics.

    Logs the path without its query string and never headers or bodies: those carry api keys,
    tokens and passwords.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Cleared on request_finished (ops.apps), not here: Django logs error responses after
        # the middleware chain has returned, and those lines need the id too.
        request_id_var.set(request_id)
        queries = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        duration = time.perf_counter() - started
        response["X-Request-ID"] = request_id
        self.record(request, response, duration, queries.count)
        return response

    def record(self, request, response, duration: float, query_count: int) -> None:
        endpoint = endpoint_of(request)
        method = request.method if request.method in HTTP_METHODS else "OTHER"
        metrics.REQUESTS.labels(method, endpoint, str(response.status_code)).inc()
        metrics.REQUEST_LATENCY.labels(method, endpoint).observe(duration)
        metrics.REQUEST_QUERIES.labels(method, endpoint).observe(query_count)
        metrics.WORKER_REQUESTS.inc()
        metrics.DB_CONNECTIONS_OPEN.set(open_connections_of_this_process())
        # Probes and scrapes arrive every few seconds; they are counted but not logged by default.
        level = logging.DEBUG if endpoint in OPS_PATHS.values() else logging.INFO
        access_logger.log(
            level,
            "%s %s %s",
            method,
            request.path,
            response.status_code,
            extra={
                "method": method,
                "path": request.path,
                "endpoint": endpoint,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 2),
                "db_queries": query_count,
                "user_id": user_id_of(request),
            },
        )


class OpsEndpointsMiddleware:
    """Answer /livez, /readyz and /metrics before host validation and the HTTPS redirect.

    Probes and Prometheus reach a worker directly by its container address over plain HTTP,
    which is neither an ALLOWED_HOSTS name nor HTTPS; nginx keeps /metrics from the public.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = {"/livez": livez, "/readyz": readyz, "/metrics": metrics_view}

    def __call__(self, request):
        view = self.views.get(request.path_info)
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"status": "method not allowed"}, status=405, headers={"Allow": "GET, HEAD"})
        response = view(request)
        response["Cache-Control"] = "no-store"
        return response


def livez(request) -> JsonResponse:
    """The process answers: no I/O, so a slow database never gets a healthy worker restarted."""
    return JsonResponse({"status": "ok"})


def readyz(request) -> JsonResponse:
    checks = health.run_checks()
    if "failed" in checks.values():
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    # Degraded still serves every request: pulling it from rotation would only move the load.
    status = "degraded" if "degraded" in checks.values() else "ok"
    return JsonResponse({"status": status, "checks": checks})


def metrics_view(request) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if token:
        supplied = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        if not hmac.compare_digest(supplied.encode(), token.encode()):
            return JsonResponse({"status": "forbidden"}, status=403)
    return HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE)

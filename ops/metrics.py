"""Prometheus metrics of the whole application; other apps import their counters from here.

Under gunicorn every worker is a separate process, so `gunicorn.conf.py` sets
PROMETHEUS_MULTIPROC_DIR before any worker imports this module: each worker then writes its
values to files there and `/metrics` sums the files of all workers, not one worker's numbers.
Without it (tests, `runserver`) values live in this process.

Labels are bounded on purpose: `endpoint` is the URL route's name (never the raw path, which
carries ids), `status` is the HTTP status code.
"""

import os

from django.db import transaction
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)
QUERY_BUCKETS = (0, 1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 100)

REQUESTS = Counter(
    "chirp_http_requests", "HTTP requests answered, by route and status.", ["method", "endpoint", "status"]
)
REQUEST_LATENCY = Histogram(
    "chirp_http_request_duration_seconds",
    "Time from the request entering Django to the response leaving it, by route.",
    ["method", "endpoint"],
    buckets=LATENCY_BUCKETS,
)
REQUEST_QUERIES = Histogram(
    "chirp_http_request_db_queries",
    "Database queries run while answering one request, by route.",
    ["method", "endpoint"],
    buckets=QUERY_BUCKETS,
)
# One series per live worker (the pid label stays), so a scrape shows how load spreads.
WORKER_REQUESTS = Gauge(
    "chirp_worker_requests", "Requests handled by this worker process.", multiprocess_mode="liveall"
)
DB_CONNECTIONS_OPEN = Gauge(
    "chirp_db_connections_open",
    "Open database connections held by live worker processes (persistent connections).",
    multiprocess_mode="livesum",
)
DB_CONNECTIONS_OPENED = Counter(
    "chirp_db_connections_opened", "Database connections opened, including reconnects."
)

# Domain counters: incremented only once the transaction that wrote the row has committed.
TWEETS_CREATED = Counter("chirp_tweets_created", "Tweets created.")
LIKES_ADDED = Counter("chirp_likes_added", "Likes added (repeated likes are not counted).")
FOLLOWS_ADDED = Counter("chirp_follows_added", "Follows added (repeated follows are not counted).")
UPLOADS = Counter("chirp_media_uploads", "Images uploaded.")
UPLOAD_BYTES = Counter("chirp_media_upload_bytes", "Bytes of images uploaded.")
REPORTS_CREATED = Counter("chirp_reports_created", "Content reports filed for moderators.")

# Redis degraded (ops/redis_breaker.py): how often it became unreachable, and what was served without it.
REDIS_OUTAGES = Counter(
    "chirp_redis_outages", "Times a process found Redis unreachable and stopped calling it."
)
REDIS_FALLBACKS = Counter(
    "chirp_redis_fallbacks",
    "Operations answered without Redis: by the database cache (use=cache) or the database (use=likers).",
    ["use"],
)
CACHE_ERRORS = Counter("chirp_cache_errors", "Database cache operations that failed and were skipped.")


def inc_on_commit(counter: Counter, amount: float = 1) -> None:
    """Count a write once its transaction commits; a rolled-back write is never counted."""
    transaction.on_commit(lambda: counter.inc(amount))


def exposition() -> bytes:
    """The text a Prometheus scrape receives: all workers' values when in multiprocess mode."""
    # The client library itself decides from the real environment, so this does too.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(DEFAULT_REGISTRY)

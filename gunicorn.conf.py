"""gunicorn settings for Chirp (`gunicorn -c gunicorn.conf.py config.asgi`).

Every value can be overridden from the environment (or `.env`) through GUNICORN_* variables.
"""

import multiprocessing
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from config.env import env_int, env_str

bind = env_str("GUNICORN_BIND", "0.0.0.0:8000")
# gunicorn's asgi worker: its event loop reads every request, head and body, before one of Django's
# threads sees it (config/asgi.py, ops/body_gate.py), so a slow client holds a socket, never a
# thread. The threads per worker are GUNICORN_THREADS (config/asgi.py reads it, in the worker: the
# asgi worker ignores gunicorn's own `threads` setting).
worker_class = "asgi"
wsgi_app = "config.asgi:application"
# Nothing to start or stop around the app: Django's WSGI handler behind ops/wsgi_threads.py.
asgi_lifespan = "off"
# The standard library's event loop ("auto" picks uvloop whenever a package brings it in): with
# uvloop, one worker accepted every connection of a burst, and each worker serves only
# GUNICORN_THREADS requests at a time.
asgi_loop = "asyncio"
# The usual (2 x cores) + 1 processes. Each runs Django in GUNICORN_THREADS threads, each keeping
# its own database connection: workers x threads connections per server.
workers = env_int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1, minimum=1)
# A worker whose event loop is silent this long is killed and replaced. Requests run in threads,
# so a slow request or upload does not count against it.
timeout = env_int("GUNICORN_TIMEOUT", 60, minimum=1)
# On SIGTERM (docker stop) workers finish in-flight requests for up to this long.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = env_int("GUNICORN_KEEPALIVE", 5, minimum=0)
# gunicorn's largest request line (its default is 4094): a long query string then reaches Chirp,
# which answers the API's 400 envelope, rather than gunicorn's plain-text 414. nginx in front
# accepts request lines of 8 KiB by default, the same size.
limit_request_line = 8190
# Recycle workers now and then so a slow leak never grows; the jitter keeps them from
# restarting all at once.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000, minimum=0)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 200, minimum=0)
# The app logs one JSON line per request itself (with request id and user); gunicorn's own
# access log would be a second, less useful copy.
accesslog = None
# Access logging only when asked for (--access-logfile) (ops/gunicorn_logging.py says why).
logger_class = "ops.gunicorn_logging.Logger"
loglevel = env_str("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own lines (start, worker boot and exit, timeouts) as JSON too: stdout stays one JSON
# object per line.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ops.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False}},
}
# gunicorn's runtime control socket defaults to $HOME, which the image's user cannot write and
# which several instances on one host would share; nothing here uses it.
control_socket_disable = True
# Memory-backed when there is one: workers write here on every request (heartbeat, metrics).
SHM = "/dev/shm" if os.path.isdir("/dev/shm") else None
worker_tmp_dir = env_str("GUNICORN_WORKER_TMP_DIR", SHM)

# Prometheus multiprocess mode: each worker writes its metrics to files here and /metrics sums
# them. It must be in the environment before any worker imports prometheus_client, and only in
# gunicorn's: management commands run beside it must not write into the live workers' files.
# The files are mmap'ed and written on every request; on a disk filesystem a write to a page under
# writeback waits for it, and under PostgreSQL's checkpoint I/O that stalled all workers at once.
# A directory this configuration made is removed again when gunicorn exits.
CREATED_METRICS_DIR = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    CREATED_METRICS_DIR = tempfile.mkdtemp(prefix="chirp-prometheus-", dir=SHM)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = CREATED_METRICS_DIR


def on_starting(server) -> None:
    """Start from an empty metrics directory: files of a previous run would be summed in."""
    path = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def on_exit(server) -> None:
    """A temporary metrics directory goes with the server; a configured one is emptied at start."""
    if CREATED_METRICS_DIR:
        shutil.rmtree(CREATED_METRICS_DIR, ignore_errors=True)


def child_exit(server, worker) -> None:
    """Drop a dead worker's live gauges (its counters stay, as Prometheus expects)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

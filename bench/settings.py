"""Chirp's settings plus the benchmark's X-Query-Count header. Bench code, not Chirp's.

bench.py starts gunicorn with DJANGO_SETTINGS_MODULE=bench.settings:
everything as an operator runs it, and outermost a middleware that returns each request's SQL
query count in an X-Query-Count header, which wrk.lua averages per scenario.
"""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE as _chirp_middleware

MIDDLEWARE = ["bench.query_count.QueryCountHeaderMiddleware", *_chirp_middleware]

"""Structured logs: one JSON object per line on stdout, each carrying the current request's id.

The request id lives in a context variable set by the request middleware, so any log line
written while a request is handled (an unexpected error in a view, a warning in a service)
carries the same id as that request's access line, without passing it around.
"""

import contextvars
import json
import logging
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# Only these `extra` fields reach the output; anything else a caller attaches is dropped, so a
# careless `extra={"headers": ...}` cannot leak credentials into the logs.
EXTRA_FIELDS = ("method", "path", "endpoint", "status", "duration_ms", "db_queries", "user_id", "bytes")


class RequestIdFilter(logging.Filter):
    """Stamp every record with the id of the request being handled (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)

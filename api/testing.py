"""Assertions shared by every app's tests: the error envelope and "the database did not change"."""

import threading
from contextlib import contextmanager

import psycopg
import pytest
from django.apps import apps
from django.db import connection

ENVELOPE_KEYS = {"result", "error_type", "error_message"}

# Every table a request can write to; a failed request must leave all of them as they were.
_COUNTED_MODELS = ("accounts.User", "accounts.ApiKey", "accounts.Follow", "tweets.Tweet", "tweets.Like")


def assert_error(response, status: int, error_type: str) -> dict:
    """The response is the contract's error envelope with this status and type; returns the body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    # Validation errors may add `fields` (per-field messages); nothing else may appear.
    allowed_extra = {"fields"} if error_type == "validation_error" else set()
    assert ENVELOPE_KEYS <= set(body) <= ENVELOPE_KEYS | allowed_extra, body
    assert body["result"] is False
    assert body["error_type"] == error_type
    assert isinstance(body["error_message"], str) and body["error_message"].strip()
    assert "Traceback" not in body["error_message"]
    return body


def db_snapshot() -> dict[str, object]:
    """Row counts of every table plus which media is attached to which tweet at which position."""
    counts: dict[str, object] = {label: apps.get_model(label).objects.count() for label in _COUNTED_MODELS}
    Media = apps.get_model("media.Media")
    Attachment = apps.get_model("tweets.Attachment")
    counts["media"] = sorted(Media.objects.values_list("id", "claimed_at"))
    counts["attachments"] = sorted(Attachment.objects.values_list("media_id", "tweet_id", "position"))
    Tweet = apps.get_model("tweets.Tweet")
    counts["likes_counts"] = sorted(Tweet.objects.values_list("id", "likes_count"))
    return counts


# Races need real concurrent connections: a transactional test database on PostgreSQL.
# SQLite's shared in-memory test database serialises writers, so the races cannot happen there.
concurrent_db = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent connections to a PostgreSQL database",
    ),
]


def run_together(calls) -> list:
    """Run each call in its own thread, all released at once; returns their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def request_status(person, method: str, path: str, **kwargs):
    """A call making the request as `person` with a client of its own (clients are not thread-safe)."""
    return lambda: getattr(person.client(), method)(path, **kwargs).status_code


@contextmanager
def other_connection():
    """A second autocommit connection to the test database, as another process would have."""
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k != "cursor_factory"}, autocommit=True
    ) as other:
        yield other

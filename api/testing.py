"""Assertions shared by every app's tests: the error envelope and "the database did not change"."""

from django.apps import apps

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
    counts["media"] = sorted(Media.objects.values_list("id", "tweet_id", "position"))
    Tweet = apps.get_model("tweets.Tweet")
    counts["likes_counts"] = sorted(Tweet.objects.values_list("id", "likes_count"))
    return counts

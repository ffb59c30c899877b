"""`Idempotency-Key` on POST /api/tweets, POST /api/medias and the web compose form (issue 25
item 16): a retry of a request whose answer was lost gets the first answer, not a second post."""

import io
import logging
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client

from api.testing import assert_error, concurrent_db, other_connection, run_together
from common.models import IdempotencyKey
from media.models import Media
from ops.periodic import JOBS
from tweets.models import Tweet

KEY = "5b0a8f4e-3c1d-4d8e-9a57-2f6f1b0c7e21"


def post_tweet(person, text: str = "once", key: str | None = KEY):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return person.client().post("/api/tweets", {"tweet_data": text}, format="json", **headers)


def test_a_retried_post_with_the_same_key_returns_the_first_answer_and_posts_once(author):
    first = post_tweet(author)
    again = post_tweet(author)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Tweet.objects.count() == 1


def test_the_same_key_with_another_text_is_a_422_envelope(author):
    post_tweet(author, "once")
    response = post_tweet(author, "something else")
    assert_error(response, 422, "idempotency_key_reused")
    assert Tweet.objects.count() == 1


def test_keys_are_each_users_own(author, outsider):
    assert post_tweet(author).status_code == 201
    assert post_tweet(outsider).status_code == 201
    assert Tweet.objects.count() == 2


def test_without_a_key_each_post_is_a_new_tweet(author):
    post_tweet(author, key=None)
    post_tweet(author, key=None)
    assert Tweet.objects.count() == 2


def test_a_refused_post_leaves_its_key_unused(author):
    assert post_tweet(author, "x" * 10_000).status_code == 400
    assert post_tweet(author, "fits").status_code == 201
    assert Tweet.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "schlüssel", "tab\there"])
def test_a_malformed_key_is_a_400(author, key):
    assert_error(post_tweet(author, key=key), 400, "validation_error")
    assert not Tweet.objects.exists()


def test_a_key_expires_after_24_hours_and_is_pruned(author):
    with time_machine.travel("2026-12-07 09:00:00+00:00", tick=False) as clock:
        first = post_tweet(author)
        clock.shift(timedelta(hours=24, seconds=1))
        again = post_tweet(author, "a new post with the old key")
        assert again.status_code == 201 and again.json()["tweet_id"] != first.json()["tweet_id"]
        clock.shift(timedelta(hours=24, seconds=1))
        out = io.StringIO()
        call_command("prune_idempotency_keys", stdout=out)
    assert out.getvalue() == "Deleted 1 expired idempotency keys.\n"
    assert not IdempotencyKey.objects.exists()
    assert "prune_idempotency_keys" in {job.command for job in JOBS}


def test_a_retried_upload_returns_the_same_media(author, png_upload):
    def upload(picture):
        return author.client().post(
            "/api/medias", {"file": picture}, format="multipart", HTTP_IDEMPOTENCY_KEY=KEY
        )

    first = upload(png_upload())
    again = upload(png_upload())
    other = upload(png_upload(color=(0, 0, 255)))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert_error(other, 422, "idempotency_key_reused")
    assert Media.objects.count() == 1


def test_a_retried_upload_with_another_alt_text_is_refused(author, png_upload):
    """The alt text is part of the upload: the same key with another text is a reused key."""

    def upload(**alt):
        return author.client().post(
            "/api/medias", {"file": png_upload(), **alt}, format="multipart", HTTP_IDEMPOTENCY_KEY=KEY
        )

    first = upload(alt="A red door")
    again = upload(alt="A red door")
    assert (first.status_code, again.status_code) == (201, 201) and again.json() == first.json()
    assert_error(upload(alt="A blue door"), 422, "idempotency_key_reused")
    assert_error(upload(), 422, "idempotency_key_reused")
    assert list(Media.objects.values_list("alt", flat=True)) == ["A red door"]


def test_the_schema_documents_the_header(anonymous):
    schema = anonymous.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/tweets", "/api/medias"):
        parameters = schema["paths"][path]["post"]["parameters"]
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)
        assert "422" in schema["paths"][path]["post"]["responses"]


def test_the_compose_form_posted_twice_publishes_once(author):
    """Its hidden key makes a second click, a retry or the back button harmless."""
    browser = Client()
    browser.force_login(author.user)
    page = browser.get("/compose/").content.decode()
    key = page.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
    for _ in range(2):
        response = browser.post("/compose/", {"text": "hello once", "idempotency_key": key})
        assert response.status_code == 302
    assert Tweet.objects.filter(content="hello once").count() == 1
    changed = browser.post("/compose/", {"text": "changed", "idempotency_key": key})
    assert changed.status_code == 422


# --- Real concurrency and a connection lost at COMMIT, on PostgreSQL ---------------------------


@concurrent_db[0]
@concurrent_db[1]
def test_concurrent_duplicates_create_one_tweet(author):
    """Six connections posting with one key at once: one tweet, and every answer names it."""

    def post():
        response = post_tweet(author, "raced")
        return response.status_code, response.json().get("tweet_id")

    results = run_together([post] * 6)
    assert {status for status, _ in results} == {201}
    assert len({tweet_id for _, tweet_id in results}) == 1
    assert Tweet.objects.count() == 1


SLOW_COMMIT = """
CREATE FUNCTION chirp_test_slow_commit() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER chirp_test_slow_commit AFTER INSERT ON tweets_tweet
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chirp_test_slow_commit();
"""
NO_SLOW_COMMIT = """
DROP TRIGGER IF EXISTS chirp_test_slow_commit ON tweets_tweet;
DROP FUNCTION IF EXISTS chirp_test_slow_commit();
"""


@concurrent_db[0]
@concurrent_db[1]
def test_a_connection_lost_during_commit_is_logged_as_an_outcome_in_doubt(author, caplog):
    """The server ends the connection while COMMIT runs: a 503 with Retry-After, a log line that
    says the outcome is in doubt and names the key, and the retry with that key posts once."""
    with other_connection() as admin:
        admin.execute(SLOW_COMMIT)
        try:
            connection.ensure_connection()
            pid = connection.connection.info.backend_pid

            def terminate_during_commit():
                time.sleep(1)
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])

            killer = threading.Thread(target=terminate_during_commit)
            killer.start()
            with caplog.at_level(logging.ERROR, logger="chirp.idempotency"):
                lost = post_tweet(author, "in doubt")
            killer.join()
        finally:
            admin.execute(NO_SLOW_COMMIT)
    connection.close()
    assert_error(lost, 503, "service_unavailable")
    assert lost["Retry-After"]
    assert any(
        "Outcome in doubt: POST /api/tweets" in record.getMessage() and KEY in record.getMessage()
        for record in caplog.records
    )
    retry = post_tweet(author, "in doubt")
    assert retry.status_code == 201
    assert Tweet.objects.filter(content="in doubt").count() == 1

"""The benchmark's write ceiling runs, under pgbench, the very statements a like and an unlike run."""

import datetime
import importlib.util
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tweets.models import Like, Tweet

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the write ceiling is PostgreSQL's pgbench"
)

_spec = importlib.util.spec_from_file_location(
    "write_ceiling", Path(settings.BASE_DIR) / "bench" / "write_ceiling.py"
)
assert _spec and _spec.loader
write_ceiling = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(write_ceiling)


def pgbench_once(script: str, *, user_id: int, tweet_id: int, folder: Path) -> None:
    """Run the script's statement once under pgbench -M prepared, as the benchmark does, for
    this user and tweet (its random draws replaced by them)."""
    statement = script.split("\n", 2)[2]
    path = folder / "script.sql"
    path.write_text(f"\\set uid {user_id}\n\\set tid {tweet_id}\n{statement}")
    db = connection.settings_dict
    now = datetime.datetime.now(datetime.UTC).isoformat()
    subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-c1", "-t1", "-D", f"now={now}", "-f", str(path),
         "-h", db["HOST"] or "localhost", "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]],
        check=True,
        capture_output=True,
    )  # fmt: skip


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_write_ceiling_likes_and_unlikes_as_chirp_does(author, follower, make_tweet, tmp_path):
    """The generated like script adds the like once with its counter and likers_version, the
    unlike script removes it: the feed shows what the API would have made."""
    tweet = make_tweet(author)
    like = write_ceiling.pgbench_script(like=True)
    unlike = write_ceiling.pgbench_script(like=False)

    pgbench_once(like, user_id=follower.id, tweet_id=tweet.id, folder=tmp_path)
    pgbench_once(like, user_id=follower.id, tweet_id=tweet.id, folder=tmp_path)

    tweet.refresh_from_db()
    assert (tweet.likes_count, tweet.likers_version) == (1, 1)
    feed = follower.client().get("/api/tweets").json()["tweets"]
    assert feed[0]["likes"] == [{"user_id": follower.id, "name": "Fred Follower"}]

    pgbench_once(unlike, user_id=follower.id, tweet_id=tweet.id, folder=tmp_path)

    tweet.refresh_from_db()
    assert (tweet.likes_count, tweet.likers_version) == (0, 2)
    assert not Like.objects.filter(tweet=tweet).exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_write_ceiling_cannot_like_a_hidden_tweet(author, follower, make_tweet, tmp_path):
    """The script keeps Chirp's visibility target: a hidden tweet gets no like."""
    tweet = make_tweet(author)
    Tweet.objects.filter(pk=tweet.pk).update(hidden_at=datetime.datetime.now(datetime.UTC))

    pgbench_once(
        write_ceiling.pgbench_script(like=True), user_id=follower.id, tweet_id=tweet.id, folder=tmp_path
    )

    tweet.refresh_from_db()
    assert tweet.likes_count == 0
    assert not Like.objects.exists()


def test_a_parameter_the_ceiling_cannot_vary_stops_the_script():
    """A statement binding anything but the user, the tweet or a time fails instead of drifting."""
    with pytest.raises(ValueError, match="cannot vary"):
        write_ceiling.pgbench_variable("a fixed string")

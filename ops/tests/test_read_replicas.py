"""Read replicas against a real PostgreSQL streaming replica, started by this module.

A private primary (initdb) and its hot standby (pg_basebackup -R) run from a temporary folder on
two ports of CHIRP_TEST_PG_PORTS (default 5450-5459). Each "node" is a separate Python process
configured like a web node (DATABASE_URL, DATABASE_REPLICA_URLS), speaking HTTP through Django's
test client. Replay on the standby is paused to make its lag as long as the test needs.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("CHIRP_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
# Long enough for the next node process to start on a loaded machine before the pin runs out.
PIN_SECONDS = 15

pytestmark = pytest.mark.skipif(
    not (PG_BIN / "pg_basebackup").exists(), reason=f"PostgreSQL server binaries not found in {PG_BIN}"
)


def free_ports(count: int) -> list[int]:
    first, last = (int(p) for p in os.environ.get("CHIRP_TEST_PG_PORTS", "5450-5459").split("-"))
    found = []
    for port in range(first, last + 1):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                found.append(port)
        if len(found) == count:
            return found
    pytest.fail(f"no {count} free ports in CHIRP_TEST_PG_PORTS")


def as_postgres(*command: str) -> list[str]:
    """initdb and the server refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


def pg(tool: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        as_postgres(str(PG_BIN / tool), *args), check=True, capture_output=True, text=True, **kwargs
    )


# The pg_ctl command lines that stop and start the module's replica (filled by its fixture).
REPLICA_CONTROL: dict[str, list[str]] = {}


@pytest.fixture(scope="module")
def streaming_replica():
    """(primary URL, replica URL) of a fresh database `chirp` with Chirp's schema, replicated."""
    folder = Path(tempfile.mkdtemp(prefix="chirp-replica-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    primary_port, replica_port = free_ports(2)
    primary, replica = folder / "primary", folder / "replica"
    options = f"-c listen_addresses=127.0.0.1 -k {folder} -c fsync=off -c max_connections=30"
    started = []
    try:
        pg("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        pg(
            "pg_ctl",
            "-D",
            str(primary),
            "-l",
            str(folder / "primary.log"),
            "-w",
            "start",
            "-o",
            f"-p {primary_port} {options}",
        )
        started.append(primary)
        pg(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary_port),
            "-U",
            "postgres",
            "-D",
            str(replica),
            "-R",
            "-X",
            "stream",
        )
        pg(
            "pg_ctl",
            "-D",
            str(replica),
            "-l",
            str(folder / "replica.log"),
            "-w",
            "start",
            "-o",
            f"-p {replica_port} {options}",
        )
        started.append(replica)
        base = "postgres://postgres@127.0.0.1:{}/{}"
        subprocess.run(
            [
                sys.executable,
                "-c",
                textwrap.dedent(f"""
            import psycopg
            with psycopg.connect({base.format(primary_port, "postgres")!r}, autocommit=True) as conn:
                conn.execute("CREATE DATABASE chirp")
        """),
            ],
            check=True,
        )
        urls = (base.format(primary_port, "chirp"), base.format(replica_port, "chirp"))
        env = node_env(*urls)
        for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=REPO, env=env, check=True)
        REPLICA_CONTROL.update(
            stop=as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(replica), "-m", "fast", "-w", "stop"),
            start=as_postgres(
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(replica),
                "-l",
                str(folder / "replica.log"),
                "-w",
                "start",
                "-o",
                f"-p {replica_port} {options}",
            ),
        )
        yield urls
    finally:
        for data in reversed(started):
            pg("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def node_env(primary_url: str, replica_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "DJANGO_"))}
    empty = Path(tempfile.gettempdir()) / "chirp-replica-test-empty.env"
    empty.write_text("")
    env.update(
        ENV_FILE=str(empty),
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=primary_url,
        DATABASE_REPLICA_URLS=replica_url,
        DATABASE_REPLICA_PIN_SECONDS=str(PIN_SECONDS),
        CHIRP_DATA_DIR=tempfile.gettempdir(),
    )
    return env


PRELUDE = """
import json, time
import django
django.setup()
from django.db import connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

def client(key):
    api = APIClient()
    api.credentials(HTTP_API_KEY=key)
    return api

def feed(key):
    return [tweet["content"] for tweet in client(key).get("/api/tweets").json()["tweets"]]

def following(key, user_id):
    return [user["name"] for user in client(key).get(f"/api/users/{user_id}").json()["user"]["following"]]

def directory(key, search):
    return client(key).get("/api/users", {"search": search}).json()["count"]

def cursor_pages(key, limit):
    # Every cursor page's (status, contents), following next at once.
    pages, url = [], f"/api/tweets?cursor=&limit={limit}"
    while url:
        response = client(key).get(url)
        body = response.json()
        pages.append((response.status_code, [tweet["content"] for tweet in body.get("tweets", [])]))
        url = body.get("next")
    return pages

def replay(paused):
    with connections["replica1"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")
    if not paused:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            target = cursor.fetchone()[0]
        for _ in range(200):
            with connections["replica1"].cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.05)
        raise AssertionError("the replica did not catch up")

out = {}
"""


def node(urls: tuple[str, str], script: str, **values) -> dict:
    """Run `script` in a fresh process configured as a web node; it fills and returns `out`."""
    code = PRELUDE + "".join(f"{name} = {value!r}\n" for name, value in values.items())
    code += textwrap.dedent(script) + "\nprint('OUT' + json.dumps(out))\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=node_env(*urls),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.rsplit("OUT", 1)[1])


def test_reads_go_to_the_replica_and_the_writer_reads_its_writes_on_every_node(streaming_replica):
    """While the replica lags, the user who wrote sees the write (on another node too), others don't yet."""
    setup = node(
        streaming_replica,
        """
        from accounts.services import follow_add, user_create
        ada, ada_key = user_create(name="Ada Writer")
        bob, bob_key = user_create(name="Bob Reader")
        follow_add(follower=bob, followee_id=ada.pk)
        replay(paused=False)
        replay(paused=True)
        carol, _ = user_create(name="Carol Newcomer")
        posted = client(ada_key).post("/api/tweets", {"tweet_data": "fresh from Ada"}, format="json")
        followed = client(ada_key).post(f"/api/users/{carol.pk}/follow")
        out.update(ada=ada.pk, ada_key=ada_key, bob_key=bob_key)
        out["statuses"] = [posted.status_code, followed.status_code]
        """,
    )
    assert setup["statuses"] == [201, 200]
    keys = {"ada_key": setup["ada_key"], "bob_key": setup["bob_key"], "ada": setup["ada"]}

    # Another process, as another web node would be: the pin is in the shared cache.
    lagging = node(
        streaming_replica,
        """
        with CaptureQueriesContext(connections["replica1"]) as on_replica:
            out["bob_feed"] = feed(bob_key)
        out["bob_feed_queries_on_replica"] = len(on_replica)
        out["ada_feed"] = feed(ada_key)
        out["ada_following_seen_by_ada"] = following(ada_key, ada)
        out["ada_following_seen_by_bob"] = following(bob_key, ada)
        out["carol_in_directory_for_ada"] = directory(ada_key, "Carol")
        out["carol_in_directory_for_bob"] = directory(bob_key, "Carol")
        """,
        **keys,
    )
    assert lagging["bob_feed"] == []
    assert lagging["bob_feed_queries_on_replica"] >= 1
    assert lagging["ada_feed"] == ["fresh from Ada"]
    assert lagging["ada_following_seen_by_ada"] == ["Carol Newcomer"]
    assert lagging["ada_following_seen_by_bob"] == []
    assert (lagging["carol_in_directory_for_ada"], lagging["carol_in_directory_for_bob"]) == (1, 0)

    caught_up = node(
        streaming_replica,
        """
        from common.replicas import is_pinned
        for _ in range(int(PIN_SECONDS * 10) + 50):
            if not is_pinned(user_id=ada):
                break
            time.sleep(0.1)
        out["ada_feed_after_pin"] = feed(ada_key)
        replay(paused=False)
        out["bob_feed_after_replay"] = feed(bob_key)
        out["ada_following_seen_by_bob_after_replay"] = following(bob_key, ada)
        """,
        PIN_SECONDS=PIN_SECONDS,
        **keys,
    )
    # Unpinned, Ada reads the still-paused replica too: proof her earlier reads came from the primary.
    assert caught_up["ada_feed_after_pin"] == []
    assert caught_up["bob_feed_after_replay"] == ["fresh from Ada"]
    assert caught_up["ada_following_seen_by_bob_after_replay"] == ["Carol Newcomer"]


def test_writes_authentication_and_the_cache_stay_on_the_primary(streaming_replica):
    """A read-only standby never receives a write: posting and liking succeed; another user reads it."""
    result = node(
        streaming_replica,
        """
        from accounts.services import user_create
        dan, dan_key = user_create(name="Dan Liker")
        eve, eve_key = user_create(name="Eve Reader")
        replay(paused=False)
        with CaptureQueriesContext(connections["replica1"]) as on_replica:
            posted = client(dan_key).post("/api/tweets", {"tweet_data": "hello"}, format="json")
            liked = client(dan_key).post(f"/api/tweets/{posted.json()['tweet_id']}/likes")
            me = client(eve_key).get("/api/users/me")
        out["statuses"] = [posted.status_code, liked.status_code, me.status_code]
        out["replica_statements"] = [query["sql"].split()[0].upper() for query in on_replica]
        """,
    )
    assert result["statuses"] == [201, 200, 200]
    assert result["replica_statements"] and set(result["replica_statements"]) == {"SELECT"}


def test_cursor_pages_work_at_once_while_the_replica_lags(streaming_replica):
    """Following `next` right away never answers "expired", and no tweet is skipped, whatever the lag."""
    result = node(
        streaming_replica,
        """
        from django.core.cache import cache
        from accounts.services import follow_add, user_create
        from tweets.services import tweet_create
        fay, fay_key = user_create(name="Fay Poster")
        gus, gus_key = user_create(name="Gus Pager")
        follow_add(follower=gus, followee_id=fay.pk)
        for number in range(7):
            tweet_create(author=fay, content=f"old {number}", media_ids=[])
        replay(paused=False)
        replay(paused=True)
        # Page 1 writes its snapshot to the primary; the paused replica never sees it.
        out["gus_pages"] = cursor_pages(gus_key, 3)
        # Fay posts (and is pinned to the primary), so her page 1 is ranked there, with tweets the
        # replica lacks; then her pin runs out and page 2 reads the replica.
        for number in range(4):
            client(fay_key).post("/api/tweets", {"tweet_data": f"new {number}"}, format="json")
        first = client(fay_key).get("/api/tweets?cursor=&limit=3").json()
        cache.delete(f"chirp:primary-pin:{fay.pk}")
        with CaptureQueriesContext(connections["replica1"]) as on_replica:
            second = client(fay_key).get(first["next"])
        out["fay_pages"] = [[t["content"] for t in page["tweets"]] for page in (first, second.json())]
        out["fay_second_status"] = second.status_code
        out["fay_second_on_replica"] = len(on_replica)
        replay(paused=False)
        """,
    )
    assert [status for status, _ in result["gus_pages"]] == [200, 200, 200]
    assert sorted(tweet for _, page in result["gus_pages"] for tweet in page) == [
        f"old {n}" for n in range(7)
    ]
    assert result["fay_second_status"] == 200
    assert result["fay_second_on_replica"] >= 1
    assert result["fay_pages"] == [["new 3", "new 2", "new 1"], ["new 0", "old 6", "old 5"]]


def test_a_stopped_replica_leaves_reads_to_the_primary_and_readyz_degraded(streaming_replica):
    """With the replica down the feed and profiles still answer; reads return to it once it is back."""
    result = node(
        streaming_replica,
        """
        import subprocess
        import common.replicas
        from accounts.services import follow_add, user_create
        from tweets.services import tweet_create
        common.replicas.REPLICA_RETRY_SECONDS = 1.0
        hal, hal_key = user_create(name="Hal Down")
        ivy, ivy_key = user_create(name="Ivy Up")
        follow_add(follower=hal, followee_id=ivy.pk)
        tweet_create(author=ivy, content="still here", media_ids=[])
        replay(paused=False)
        out["before"] = client(hal_key).get("/readyz").json()
        subprocess.run(STOP, check=True, capture_output=True)
        try:
            paths = ("/api/tweets", "/api/users/me", f"/api/users/{ivy.pk}")
            out["statuses"] = [client(hal_key).get(path).status_code for path in paths]
            out["feed_while_down"] = feed(hal_key)
            out["following_while_down"] = following(hal_key, hal.pk)
            readyz = client(hal_key).get("/readyz")
            out["readyz_while_down"] = [readyz.status_code, readyz.json()]
        finally:
            subprocess.run(START, check=True, capture_output=True)
        time.sleep(1.5)
        readyz = client(hal_key).get("/readyz")
        out["readyz_after"] = [readyz.status_code, readyz.json()["status"]]
        with CaptureQueriesContext(connections["replica1"]) as on_replica:
            out["feed_after"] = feed(hal_key)
        out["feed_after_on_replica"] = len(on_replica)
        """,
        STOP=REPLICA_CONTROL["stop"],
        START=REPLICA_CONTROL["start"],
    )
    assert result["before"]["checks"]["replicas"] == "ok"
    assert result["statuses"] == [200, 200, 200]
    assert result["feed_while_down"] == ["still here"]
    assert result["following_while_down"] == ["Ivy Up"]
    status, body = result["readyz_while_down"]
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"] == {**body["checks"], "database": "ok", "replicas": "degraded"}
    assert result["readyz_after"] == [200, "ok"]
    assert result["feed_after"] == ["still here"]
    assert result["feed_after_on_replica"] >= 1

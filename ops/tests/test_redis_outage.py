"""Redis stalled (SIGSTOP) or stopped: no 500s, at most 250 ms more for requests that use it.

Every test runs a private redis-server (conftest.private_redis) that Chirp's cache and likers
cache use, and pauses or stops it mid-test.
"""

import json
import logging
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import caches
from rest_framework.test import APIClient

from ops import metrics

PASSWORD = "correct horse battery staple"
FAILOVER_BUDGET = 0.25


@pytest.fixture
def login_rates(settings):
    """3 failed attempts per account and hour, so a test reaches the limit."""
    settings.LOGIN_THROTTLE_RATES = {**settings.LOGIN_THROTTLE_RATES, "account": (3, 3600)}


def timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def login(password: str = "wrong"):
    return APIClient().post("/api/auth/token", {"username": "ada", "password": password}, format="json")


def baseline_of(call, runs: int = 3) -> float:
    return min(timed(call)[1] for _ in range(runs))


@pytest.mark.parametrize("outage", ["pause", "stop"])
def test_login_answers_within_250_ms_and_stays_throttled_while_redis_is_out(
    outage, private_redis, make_user, login_rates
):
    """Throttle counters move to the database cache: answered fast, never a 500, never fail-open."""
    make_user("Ada", username="ada", password=PASSWORD)
    caches["default"].clear()
    baseline = baseline_of(lambda: APIClient().get("/api/tweets/0"))  # no cache, no throttle
    getattr(private_redis, outage)()

    answers = [timed(login) for _ in range(4)]

    assert [response.status_code for response, _ in answers] == [401, 401, 401, 429]
    assert max(elapsed for _, elapsed in answers) < baseline + FAILOVER_BUDGET


@pytest.mark.parametrize("outage", ["pause", "stop"])
def test_feed_and_cursor_pages_answer_within_250_ms_while_redis_is_out(
    outage, private_redis, author, follower, outsider, make_tweet
):
    """The likers come from the database and snapshots are rows: the same pages, no 500, no wait."""
    for n in range(3):
        make_tweet(author, f"tweet {n}", likers=[outsider])
    client = follower.client()
    before = client.get("/api/tweets").json()  # stores the likers lists in Redis
    baseline = baseline_of(lambda: client.get("/api/tweets"))
    getattr(private_redis, outage)()

    feed, feed_elapsed = timed(lambda: client.get("/api/tweets"))
    first, first_elapsed = timed(lambda: client.get("/api/tweets?cursor=&limit=2"))
    second, second_elapsed = timed(lambda: client.get(first.json()["next"]))

    assert feed.json() == before
    assert [t["id"] for t in first.json()["tweets"] + second.json()["tweets"]] == [
        t["id"] for t in before["tweets"]
    ]
    assert max(feed_elapsed, first_elapsed, second_elapsed) < baseline + FAILOVER_BUDGET


def test_a_stalled_redis_costs_one_timeout_then_is_skipped_and_logged_once(
    private_redis, author, follower, make_tweet, caplog, settings
):
    """After one failed call the worker leaves Redis alone (one log line, one outage counted)."""
    settings.REDIS_SOCKET_TIMEOUT_MS = settings.REDIS_CONNECT_TIMEOUT_MS = 150
    make_tweet(author, "hello")
    client = follower.client()
    client.get("/api/tweets")
    outages = metrics.REDIS_OUTAGES._value.get()
    fallbacks = metrics.REDIS_FALLBACKS.labels(use="likers")._value.get()
    private_redis.pause()

    with caplog.at_level(logging.WARNING, logger="chirp.redis"):
        elapsed = [timed(lambda: client.get("/api/tweets"))[1] for _ in range(5)]

    assert elapsed[0] >= 0.15  # the one call that found out
    assert max(elapsed[1:]) < 0.15  # skipped while the breaker is open
    breaker_lines = [record.getMessage() for record in caplog.records if record.name == "chirp.redis"]
    assert len(breaker_lines) == 1
    assert breaker_lines[0].startswith("Redis unavailable")
    assert metrics.REDIS_OUTAGES._value.get() == outages + 1
    # Each feed read skips two calls: the lists' lookup and the store of those read from the database.
    assert metrics.REDIS_FALLBACKS.labels(use="likers")._value.get() == fallbacks + 10


def test_redis_is_used_again_once_it_is_back(private_redis, author, follower, make_tweet, settings, caplog):
    """The breaker retries after REDIS_BREAKER_SECONDS; the first success closes it (logged)."""
    settings.REDIS_BREAKER_SECONDS = 1
    make_tweet(author, "hello")
    client = follower.client()
    private_redis.pause()
    client.get("/api/tweets")
    private_redis.resume()
    time.sleep(1.05)

    with caplog.at_level(logging.WARNING, logger="chirp.redis"):
        # On a loaded machine the first try after the pause may still time out and open the
        # breaker again; a few requests later Redis must be in use again.
        deadline = time.monotonic() + 10
        while "Redis is back" not in caplog.text and time.monotonic() < deadline:
            client.get("/api/tweets")
            time.sleep(0.2)

    assert "Redis is back" in caplog.text
    assert caches["default"].get("absent", "default") == "default"
    caches["default"].set("present", "value")
    assert private_redis_value(private_redis, "present")


def private_redis_value(server, key: str) -> bool:
    return any(key.encode() in name for name in redis.Redis.from_url(server.url).keys("*"))


@pytest.mark.django_db
def test_readyz_is_200_with_the_cache_degraded_while_redis_is_down(private_redis, client):
    """Redis down: the node still serves everything (throttles count in the database), so it stays ready."""
    assert client.get("/readyz").json()["checks"]["cache"] == "ok"
    private_redis.stop()

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "storage": "ok",
        "cache": "degraded",
    }


@pytest.mark.django_db
def test_readyz_answers_within_250_ms_while_redis_is_stalled(private_redis, client):
    """A stalled Redis costs the probe one short timeout, not the load balancer's whole probe timeout."""
    baseline = baseline_of(lambda: client.get("/readyz"))
    private_redis.pause()

    response, elapsed = timed(lambda: client.get("/readyz"))

    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "degraded"
    assert elapsed < baseline + FAILOVER_BUDGET


def test_readyz_is_503_when_the_database_is_down_whatever_redis_does(tmp_path, private_redis):
    """Without the database the node serves nothing: not ready, even with Redis answering."""
    (tmp_path / "empty.env").write_text("")
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ENV_FILE": str(tmp_path / "empty.env"),
        "DEBUG": "1",
        "CHIRP_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:8749/nothing_listens_here",
        "REDIS_URL": private_redis.url,
    }
    code = (
        "from django.test import Client; r = Client().get('/readyz');"
        "import json; print(r.status_code, json.dumps(r.json(), sort_keys=True))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )

    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {
        "status": "unavailable",
        "checks": {"database": "failed", "migrations": "failed", "storage": "ok", "cache": "ok"},
    }


def test_the_redis_cache_makes_its_client_once_and_reuses_it(private_redis):
    """Django's Redis cache makes a redis.Redis for every operation, whose constructor costs more
    than the round trip; Chirp's keeps one per connection pool."""
    cache = caches["default"]
    cache.set("first", 1)
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]

    cache.set("second", 2)

    assert cache._cache.get_client(write=True) is client  # type: ignore[attr-defined]
    assert (cache.get("first"), cache.get("second")) == (1, 2)


def test_each_request_s_cache_object_shares_the_process_s_redis_connections(private_redis):
    """Django makes a cache object per thread or asyncio context, and under the ASGI worker each
    request has a context of its own: fifty of them use the connections already open."""
    watcher = redis.Redis.from_url(private_redis.url)
    caches["default"].set("warm", 1)
    before = watcher.info("stats")["total_connections_received"]

    for n in range(50):
        caches.create_connection("default").set(f"request-{n}", n)

    assert watcher.info("stats")["total_connections_received"] - before <= 1


def test_the_redis_client_writes_to_the_first_server_reads_from_the_others_with_the_options_given():
    """LOCATION and OPTIONS as Django documents them: the first server takes writes, the others (a
    replica) reads; pool options reach each pool; the pools are made once, without connecting."""
    from ops.cache import ReusedRedisCacheClient

    servers = ["redis://writer.invalid:6001/2", "redis://reader.invalid:6002/2"]
    client = ReusedRedisCacheClient(servers, socket_timeout=0.25)

    writer, reader = client.get_client(write=True), client.get_client()

    assert writer.connection_pool.connection_kwargs["host"] == "writer.invalid"
    assert reader.connection_pool.connection_kwargs["host"] == "reader.invalid"
    assert reader.connection_pool.connection_kwargs["socket_timeout"] == 0.25
    assert ReusedRedisCacheClient(servers).get_client(write=True) is writer
    assert ReusedRedisCacheClient(servers[:1]).get_client() is writer  # one server: reads go to it too

"""Chirp's fault tests: the promises of docs/reliability.md, checked for real.

    bash scripts/faults                 # every scenario
    bash scripts/faults pg-restart redis-stall

Starts a private PostgreSQL and a private Redis (faults/servers.py) and Chirp under gunicorn with
gunicorn.conf.py and the production settings (2 workers), drives it with faults/load.py while
each fault happens, prints a table per scenario and exits non-zero when a promise fails.

    pg-restart     PostgreSQL stopped for 2 s and started again under write load (tweets, likes; each
                   acknowledged like keeps its author's notification):
                   no acknowledged write lost, only 503s while it is down, all well within 5 s after.
    redis-down     Redis stopped for 3 s under mixed load (feed pages, likes, logins, cursor pages).
    redis-stall    Redis paused (SIGSTOP) for 4 s under the same load.
                   Both: no 5xx, no request longer than 2 s, and no stale likers afterwards.
    worker-kill    kill -9 of one worker under mixed load: only requests in flight on it may fail,
                   and it is replaced.
    disk-full      uploads onto a 1 MiB tmpfs mounted as MEDIA_ROOT (needs root) until it is full:
                   503 storage_unavailable, no file without its row, uploads work again once a
                   deleted tweet frees room.
    replica-down   the read replica (DATABASE_REPLICA_URLS) stopped for 3 s under reads and writes:
                   reads go to the primary (only a request reading from it as it stops may be a
                   503), /readyz says 200 "degraded", then "ok" once it is back; nothing lost.
    replica-lagging  replay paused on the replica for 4 s while some users post and like and others
                   walk cursor pages: every request answered, no cursor "expired".
    sigterm        SIGTERM to gunicorn under write load: no reset connection, every acknowledged
                   write in the database, gunicorn exits cleanly.

Ports: FAULTS_PORT (default 8800) for gunicorn, FAULTS_PG_PORTS and FAULTS_REDIS_PORTS for the
private servers. The whole set takes about a minute.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from faults.load import Account, Client, Load, Result
from faults.servers import PrivatePostgres, PrivateRedis, PrivateReplica, wait_for_port

REPO = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
HANG_LIMIT = 2.0
RECOVERY_LIMIT = 5.0
USERS = 8
TWEETS_PER_USER = 3

SETUP = """
import json
from accounts.models import User
from accounts.services import follow_add, user_create
from tweets.services import tweet_create
accounts = []
for number in range({users}):
    user, key = user_create(name=f"Tester {{number}}", username=f"fault{{number}}", password="{password}")
    accounts.append({{"user_id": user.pk, "key": key, "username": user.username, "password": "{password}"}})
tweets = []
users = {{user.pk: user for user in User.objects.all()}}
for follower in accounts:
    for followee in accounts:
        if follower is not followee:
            follow_add(follower=users[follower["user_id"]], followee_id=followee["user_id"])
    for number in range({tweets}):
        tweet = tweet_create(author=users[follower["user_id"]], content=f"seed {{number}}", media_ids=[])
        tweets.append(tweet.pk)
print(json.dumps({{"accounts": accounts, "tweets": tweets}}))
"""


@dataclass
class Outcome:
    """What one scenario measured and which of its promises failed."""

    name: str
    results: list[Result]
    lost_writes: int | None = None
    recovery: float | None = None
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def check(self, promise: bool, failure: str) -> None:
        if not promise:
            self.failures.append(failure)

    def row(self) -> str:
        outcomes = Counter(result.outcome for result in self.results if not result.ok)
        errors = (
            ", ".join(f"{outcome}: {count}" for outcome, count in sorted(outcomes.items(), key=str)) or "none"
        )
        latency = max((result.latency for result in self.results), default=0.0)
        lost = "-" if self.lost_writes is None else str(self.lost_writes)
        recovery = "-" if self.recovery is None else f"{self.recovery:.2f} s"
        verdict = "ok" if not self.failures else "FAILED"
        cells = [self.name, len(self.results), errors, f"{latency * 1000:.0f}", lost, recovery, verdict]
        return "| " + " | ".join(str(cell) for cell in cells) + " |"


class Chirp:
    """Chirp under gunicorn with the production settings, on the private servers."""

    def __init__(self, port: int, postgres: PrivatePostgres, redis: PrivateRedis, folder: Path):
        self.port = port
        self.folder = folder
        self.database_url = postgres.url("chirp")
        (folder / "empty.env").write_text("")
        for name in ("media", "static", "data"):
            (folder / name).mkdir(exist_ok=True)
        self.media_root = folder / "media"
        self.env = {
            **{
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("GUNICORN_", "DJANGO_"))
            },
            "ENV_FILE": str(folder / "empty.env"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "JWT_SIGNING_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": redis.url(0),
            "CHIRP_DATA_DIR": str(folder / "data"),
            "MEDIA_ROOT": str(folder / "media"),
            "STATIC_ROOT": str(folder / "static"),
            "SERVE_MEDIA": "0",
            # As behind the TLS proxy; the load generator says X-Forwarded-Proto: https anyway.
            "SECURE_SSL_REDIRECT": "0",
            "TRUST_X_FORWARDED_PROTO": "1",
            # Logins are part of the mixed load; the throttles still run (and need the cache).
            "THROTTLE_LOGIN_ADDRESS": "100000/minute",
            "THROTTLE_LOGIN_ACCOUNT": "100000/hour",
            "THROTTLE_UPLOADS": "100000/hour",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
        }
        self.log_path = folder / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [str(PYTHON), "manage.py", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        log = open(self.log_path, "a")  # noqa: SIM115 (gunicorn writes to it until it exits)
        self.process = subprocess.Popen(
            [str(PYTHON.parent / "gunicorn"), "--config", "gunicorn.conf.py", "config.asgi"],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_for_port(self.port, timeout=60)
        client = Client(self.port, timeout=5)
        deadline = time.monotonic() + 60
        while client.request("GET", "/readyz")[0] != 200:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("gunicorn did not become ready; see " + str(self.log_path))
            time.sleep(0.1)
        # Both workers booted, so the scenarios start from a full house.
        while len(self.workers()) < 2:
            time.sleep(0.05)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def workers(self) -> list[int]:
        """The worker processes of the gunicorn master (from /proc)."""
        assert self.process is not None
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    children.append(int(entry.name))
        return sorted(children)

    def stop(self) -> None:
        if self.running():
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)

    def log_lines(self) -> list[str]:
        return self.log_path.read_text().splitlines() if self.log_path.exists() else []


class Faults:
    def __init__(self, port: int, *, small_media_disk: bool = False):
        self.small_media_disk = small_media_disk
        self.mounted = False
        self.folder = Path(tempfile.mkdtemp(prefix="chirp-faults-"))
        self.postgres = PrivatePostgres()
        self.redis = PrivateRedis()
        self.port = port
        self.chirp: Chirp | None = None
        # Made on first use (pg_basebackup of the migrated database): replica-down, replica-lagging.
        self.replica: PrivateReplica | None = None

    def __enter__(self) -> Faults:
        try:
            self.postgres.__enter__()
            self.redis.__enter__()
            with psycopg.connect(self.postgres.url(), autocommit=True) as connection:
                connection.execute("CREATE DATABASE chirp")
            self.chirp = Chirp(self.port, self.postgres, self.redis, self.folder)
            if self.small_media_disk:
                # A real disk that fills up, for disk-full: a tmpfs of MEDIA_DISK_BYTES as MEDIA_ROOT.
                subprocess.run(
                    [
                        "mount",
                        "-t",
                        "tmpfs",
                        "-o",
                        f"size={MEDIA_DISK_BYTES}",
                        "tmpfs",
                        str(self.chirp.media_root),
                    ],
                    check=True,
                )
                self.mounted = True
            self.chirp.manage("migrate", "--noinput", "-v", "0")
            password = secrets.token_urlsafe(12)
            setup = SETUP.format(users=USERS, tweets=TWEETS_PER_USER, password=password)
            # The last line: the app logs its own JSON lines to stdout before it.
            data = json.loads(self.chirp.manage("shell", "-c", setup).strip().splitlines()[-1])
        except BaseException:
            self.__exit__()
            raise
        self.accounts = [Account(**account) for account in data["accounts"]]
        self.tweet_ids = data["tweets"]
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.chirp:
                self.chirp.stop()
        finally:
            if self.replica:
                self.replica.remove()
            self.redis.remove()
            self.postgres.remove()
            if self.mounted:
                subprocess.run(["umount", str(self.folder / "media")], check=False)
            shutil.rmtree(self.folder, ignore_errors=True)

    def gunicorn(self) -> Chirp:
        assert self.chirp is not None
        if not self.chirp.running():
            self.chirp.start()
        return self.chirp

    def load(self, actions: dict[str, int], *, duration: float, threads: int = 6) -> Load:
        return Load(
            Client(self.port, timeout=10),
            self.accounts,
            self.tweet_ids,
            actions,
            threads=threads,
            duration=duration,
        ).start()

    def query(self, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(self.postgres.url("chirp"), connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchall()

    def lost_writes(self, results: list[Result]) -> int:
        """Acknowledged tweets and likes that are not in the database."""
        tweets = {result.ack[1] for result in results if result.ack and result.ack[0] == "tweet"}
        likes = {result.ack[1:] for result in results if result.ack and result.ack[0] == "like"}
        present = {
            row[0] for row in self.query("SELECT id FROM tweets_tweet WHERE id = ANY(%s)", [list(tweets)])
        }
        liked = set(self.query("SELECT user_id, tweet_id FROM tweets_like"))
        return len(tweets - present) + len(likes - liked)

    def lost_notifications(self, results: list[Result]) -> int:
        """Acknowledged likes of someone else's tweet whose author has no notification of them."""
        likes = {result.ack[1:] for result in results if result.ack and result.ack[0] == "like"}
        unnotified = self.query(
            "SELECT l.user_id, l.tweet_id FROM tweets_like l JOIN tweets_tweet t ON t.id = l.tweet_id"
            " WHERE t.author_id <> l.user_id AND NOT EXISTS (SELECT 1 FROM notifications_notification n"
            " WHERE n.kind = 'like' AND n.tweet_id = l.tweet_id AND n.actor_id = l.user_id)"
        )
        return len(likes & set(unnotified))

    def stale_likers(self) -> list[str]:
        """Tweets whose `likes` in a feed differ from their likes in the database."""
        truth: dict[int, set[int]] = {}
        for user_id, tweet_id in self.query("SELECT user_id, tweet_id FROM tweets_like"):
            truth.setdefault(tweet_id, set()).add(user_id)
        client = Client(self.port, timeout=10)
        stale = []
        for account in self.accounts:
            status, body, _ = client.request("GET", "/api/tweets", key=account.key)
            if status != 200:
                stale.append(f"the feed of user {account.user_id} answered {status}")
                continue
            for tweet in body["tweets"]:
                shown = {like["user_id"] for like in tweet["likes"]}
                expected = truth.get(tweet["id"], set())
                if shown != expected or tweet["likes_count"] != len(expected):
                    stale.append(
                        f"tweet {tweet['id']} shows {len(shown)} likers (likes_count "
                        f"{tweet['likes_count']}), has {len(expected)} likes"
                    )
        return sorted(set(stale))


def _unexpected(
    results: list[Result], allowed: Callable[[Result], bool] = lambda result: False
) -> list[Result]:
    """Requests that neither succeeded nor failed in an allowed way (a login may be throttled)."""
    return [
        result
        for result in results
        if not result.ok and not (result.kind == "login" and result.outcome == 429) and not allowed(result)
    ]


def _hung(results: list[Result], *, fault_at: float) -> list[Result]:
    """The requests that hung: slower than HANG_LIMIT and than twice the slowest of their kind
    answered before the fault. A login hashes a password: on a machine busy with other work it
    can take over HANG_LIMIT with every service up, which is the machine's pace, not a hang on a
    failed service (that waits out a connect or socket timeout of several seconds)."""
    before: dict[str, float] = {}
    for result in results:
        if result.ended < fault_at:
            before[result.kind] = max(before.get(result.kind, 0.0), result.latency)
    limit = {kind: max(HANG_LIMIT, 2 * slowest) for kind, slowest in before.items()}
    return [result for result in results if result.latency > limit.get(result.kind, HANG_LIMIT)]


def _describe(results: list[Result], limit: int = 3) -> str:
    return "; ".join(
        f"{result.kind} {result.outcome} after {result.latency:.2f} s"
        + (
            f" ({result.body.get('error_type')})"
            if isinstance(result.body, dict) and "error_type" in result.body
            else ""
        )
        for result in results[:limit]
    )


def pg_restart(faults: Faults) -> Outcome:
    """PostgreSQL stopped (fast shutdown) for 2 s, then started, under tweets and likes."""
    chirp = faults.gunicorn()
    log_start = len(chirp.log_lines())
    load = faults.load({"tweet": 1, "like": 1}, duration=7.0)
    time.sleep(1.5)
    down = time.monotonic()
    faults.postgres.stop("fast")
    time.sleep(2.0)
    back = faults.postgres.start()
    time.sleep(3.5)
    results = load.stop()
    outcome = Outcome("PostgreSQL restart under writes", results)
    outcome.lost_writes = faults.lost_writes(results)
    failed_after = [result.ended for result in results if not result.ok and result.started >= back]
    outcome.recovery = max(failed_after, default=back) - back
    first_success = min(
        (result.ended for result in results if result.ok and result.started >= back), default=None
    )
    if first_success is not None:
        outcome.notes.append(
            f"first success {1000 * (first_success - back):.0f} ms after PostgreSQL was back"
        )
    outcome.notes.append(f"outage {back - down:.2f} s")

    def during_outage(result: Result) -> bool:
        return (
            result.outcome == 503
            and result.started <= back + RECOVERY_LIMIT
            and result.ended >= down
            and isinstance(result.body, dict)
            and result.body.get("error_type") == "service_unavailable"
            and bool(result.retry_after)
        )

    unexpected = _unexpected(results, during_outage)
    outcome.check(outcome.lost_writes == 0, f"{outcome.lost_writes} acknowledged writes lost")
    # A like's notification is written by the like's own statement: none may be missing either.
    unnotified = faults.lost_notifications(results)
    outcome.notes.append(f"{unnotified} acknowledged likes without their notification")
    outcome.check(unnotified == 0, f"{unnotified} acknowledged likes lost their notification")
    outcome.check(
        not unexpected, f"{len(unexpected)} errors besides 503 service_unavailable: " + _describe(unexpected)
    )
    outcome.check(outcome.recovery < RECOVERY_LIMIT, f"recovery took {outcome.recovery:.2f} s")
    lines = chirp.log_lines()[log_start:]
    tracebacks = sum(1 for line in lines if "Traceback" in line)
    reasons = sum(1 for line in lines if '"message": "Database unavailable: ' in line)
    answered = sum(1 for result in results if result.outcome == 503)
    outcome.notes.append(
        f"{tracebacks} log lines with a traceback; {reasons} 'Database unavailable' lines for {answered} 503s"
    )
    outcome.check(tracebacks == 0, f"{tracebacks} tracebacks logged during the outage")
    outcome.check(
        reasons == answered, f"{reasons} 'Database unavailable' log lines for {answered} 503s (one each)"
    )
    return outcome


MEDIA_DISK_BYTES = 1024 * 1024


def _noise_png(side: int, seed: int) -> bytes:
    """A PNG of random pixels: it does not compress, so its re-encoded copy is as large."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), random.Random(seed).randbytes(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def disk_full(faults: Faults) -> Outcome:
    """Uploads onto a 1 MiB tmpfs until it is full; then a tweet's images deleted free room again."""
    chirp = faults.gunicorn()
    client = Client(faults.port, timeout=10)
    account = faults.accounts[0]
    results: list[Result] = []
    uploaded: list[int] = []

    def upload(number: int) -> Result:
        started = time.monotonic()
        outcome, body, headers = client.request(
            "POST", "/api/medias", key=account.key, file=_noise_png(250, number)
        )
        result = Result(
            "upload", started, time.monotonic(), outcome, body=body, retry_after=headers.get("retry-after")
        )
        if result.ok:
            uploaded.append(body["media_id"])
        results.append(result)
        return result

    number = 0
    while sum(1 for result in results if result.outcome == 503) < 3 and number < 20:
        upload(number)
        number += 1
    outcome = Outcome("media disk full", results)
    refused = [result for result in results if result.outcome == 503]

    def storage_unavailable(result: Result) -> bool:
        return (
            result.outcome == 503
            and isinstance(result.body, dict)
            and result.body.get("error_type") == "storage_unavailable"
            and bool(result.retry_after)
        )

    unexpected = _unexpected(results, storage_unavailable)
    on_disk = sorted(
        str(path.relative_to(chirp.media_root)) for path in chirp.media_root.rglob("*") if path.is_file()
    )
    named = sorted(
        name for row in faults.query("SELECT file, thumbnail FROM media_media") for name in row if name
    )
    outcome.notes.append(
        f"{len(uploaded)} uploads stored, then {len(refused)} refused; {len(on_disk)} files on the disk"
    )
    outcome.check(bool(refused), "the disk never filled up: no upload was refused")
    outcome.check(
        not unexpected, "failed uploads other than 503 storage_unavailable: " + _describe(unexpected)
    )
    outcome.check(
        on_disk == named, f"files on the disk {len(on_disk)} != files of media rows {len(named)} (orphans)"
    )
    # Room again: a tweet holding the stored images is deleted, and with it its files.
    if uploaded:
        status, body, _ = client.request(
            "POST",
            "/api/tweets",
            key=account.key,
            body={"tweet_data": "full disk", "tweet_media_ids": uploaded[:4]},
        )
        if status == 201:
            client.request("DELETE", f"/api/tweets/{body['tweet_id']}", key=account.key)
        freed = time.monotonic()
        again = upload(number)
        outcome.recovery = again.ended - freed
        outcome.check(again.ok, f"after room was freed an upload answered {again.outcome}")
    return outcome


MIXED = {"feed page": 6, "like/unlike": 4, "cursor page": 3, "login": 1}


def _redis_fault(
    faults: Faults, name: str, fault: Callable[[], None], heal: Callable[[], None], hold: float
) -> Outcome:
    faults.gunicorn()
    load = faults.load(MIXED, duration=hold + 4.0)
    time.sleep(1.5)
    fault_at = time.monotonic()
    fault()
    time.sleep(hold)
    heal()
    healed = time.monotonic()
    time.sleep(2.0)
    results = load.stop()
    # Redis is back; what the feed shows now must be what the database holds.
    time.sleep(0.5)
    outcome = Outcome(name, results)
    # Until the last request that failed or hung was answered.
    troubled = [result.ended for result in results if not result.ok or result.latency > HANG_LIMIT]
    outcome.recovery = max(0.0, max(troubled, default=healed) - healed)
    stale = faults.stale_likers()
    outcome.notes.append(f"{len(stale)} tweets with stale likers afterwards")
    unexpected = _unexpected(results)
    slow = _hung(results, fault_at=fault_at)
    outcome.check(not unexpected, f"{len(unexpected)} failed requests: " + _describe(unexpected))
    outcome.check(not slow, f"{len(slow)} requests hung (over {HANG_LIMIT:.0f} s): " + _describe(slow))
    outcome.check(not stale, f"stale likers: {'; '.join(stale[:3])}")
    return outcome


def redis_down(faults: Faults) -> Outcome:
    """Redis stopped for 3 s under mixed load, then started again (empty, as after a restart)."""
    return _redis_fault(faults, "Redis stopped 3 s", faults.redis.stop, faults.redis.start, 3.0)


def redis_stall(faults: Faults) -> Outcome:
    """Redis paused with SIGSTOP for 4 s under mixed load: connections open, no answers."""
    return _redis_fault(faults, "Redis stalled 4 s", faults.redis.pause, faults.redis.resume, 4.0)


def worker_kill(faults: Faults) -> Outcome:
    """kill -9 of one gunicorn worker under mixed load."""
    chirp = faults.gunicorn()
    before = chirp.workers()
    load = faults.load({"feed page": 3, "tweet": 1, "like": 1}, duration=6.0)
    time.sleep(1.5)
    # A worker may have just been recycled (GUNICORN_MAX_REQUESTS): take one that is alive now.
    while True:
        before = chirp.workers()
        victim = before[0]
        killed = time.monotonic()
        try:
            os.kill(victim, signal.SIGKILL)
            break
        except ProcessLookupError:
            continue
    replaced = None
    while time.monotonic() < killed + 10:
        workers = chirp.workers()
        if len(workers) == len(before) and victim not in workers:
            replaced = time.monotonic() - killed
            break
        time.sleep(0.02)
    time.sleep(max(0.0, killed + 4.5 - time.monotonic()))
    results = load.stop()
    outcome = Outcome("kill -9 of a worker", results)
    outcome.lost_writes = faults.lost_writes(results)
    outcome.recovery = replaced

    def in_flight_on_victim(result: Result) -> bool:
        # Only a request the dead worker was serving may be cut; the others must not notice.
        return isinstance(result.outcome, str) and result.started <= killed <= result.ended

    unexpected = _unexpected(results, in_flight_on_victim)
    cut = [result for result in results if in_flight_on_victim(result)]
    outcome.notes.append(f"{len(cut)} requests cut in flight on the killed worker; replaced in "
                         + ("never" if replaced is None else f"{replaced:.2f} s"))  # fmt: skip
    outcome.check(replaced is not None, "the killed worker was not replaced within 10 s")
    outcome.check(not unexpected, f"{len(unexpected)} failed requests besides the killed worker's: "
                  + _describe(unexpected))  # fmt: skip
    outcome.check(outcome.lost_writes == 0, f"{outcome.lost_writes} acknowledged writes lost")
    return outcome


def sigterm(faults: Faults) -> Outcome:
    """SIGTERM to the gunicorn master under write load; the load goes on until it has exited."""
    chirp = faults.gunicorn()
    load = faults.load({"tweet": 1, "like": 1}, duration=8.0)
    time.sleep(1.5)
    signalled = time.monotonic()
    chirp.process.send_signal(signal.SIGTERM)
    code = chirp.process.wait(timeout=60)
    stopped = time.monotonic() - signalled
    time.sleep(0.3)
    results = load.stop()
    outcome = Outcome("SIGTERM to gunicorn under writes", results)
    outcome.lost_writes = faults.lost_writes(results)
    outcome.recovery = None
    outcome.notes.append(f"gunicorn exited {code} after {stopped:.2f} s")

    def refused_once_stopped(result: Result) -> bool:
        # A stopped server refuses new connections (a load balancer sends them elsewhere);
        # what it had accepted must be answered, not reset. A connection opened after the signal
        # no worker accepts (they stop accepting at once): the kernel either refuses it or, if it
        # was still queued when the master closed the socket, resets it; either is a refusal.
        refusals = ("ConnectionRefusedError", "ConnectionResetError")
        return result.outcome in refusals and result.started >= signalled

    unexpected = _unexpected(results, refused_once_stopped)
    refused = sum(1 for result in results if refused_once_stopped(result))
    outcome.notes.append(f"{refused} connections refused (or reset unaccepted) after SIGTERM (expected)")
    outcome.check(code == 0, f"gunicorn exited with {code}")
    outcome.check(not unexpected, f"{len(unexpected)} failed or reset requests: " + _describe(unexpected))
    outcome.check(outcome.lost_writes == 0, f"{outcome.lost_writes} acknowledged writes lost")
    return outcome


REPLICA_MIX = {"feed page": 4, "cursor page": 3, "like/unlike": 2, "tweet": 1}


def _with_replica(faults: Faults) -> PrivateReplica:
    """Gunicorn restarted with DATABASE_REPLICA_URLS naming a streaming replica of the database."""
    if faults.replica is None:
        faults.replica = PrivateReplica(faults.postgres).__enter__()
    chirp = faults.gunicorn()
    chirp.stop()
    chirp.env["DATABASE_REPLICA_URLS"] = faults.replica.url("chirp")
    faults.gunicorn()
    return faults.replica


def _without_replica(faults: Faults) -> None:
    assert faults.chirp is not None
    faults.chirp.stop()
    faults.chirp.env.pop("DATABASE_REPLICA_URLS", None)


def _replay(replica: PrivateReplica, *, paused: bool) -> None:
    with psycopg.connect(replica.url(), autocommit=True, connect_timeout=5) as connection:
        connection.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


def replica_down(faults: Faults) -> Outcome:
    """The read replica stopped (fast shutdown) for 3 s under reads and writes, then started."""
    replica = _with_replica(faults)
    client = Client(faults.port, timeout=10)
    try:
        load = faults.load(REPLICA_MIX, duration=8.0)
        time.sleep(1.5)
        stopped = time.monotonic()
        replica.stop()
        time.sleep(0.5)
        down_status, down_body, _ = client.request("GET", "/readyz")
        time.sleep(2.5)
        replica.start()
        back = time.monotonic()
        recovered = None
        while recovered is None and time.monotonic() < back + 15:
            status, body, _ = client.request("GET", "/readyz")
            if status == 200 and isinstance(body, dict) and body.get("status") == "ok":
                recovered = time.monotonic() - back
            time.sleep(0.1)
        time.sleep(max(0.0, back + 2.0 - time.monotonic()))
        results = load.stop()
    finally:
        _without_replica(faults)
    outcome = Outcome("replica stopped 3 s", results)
    outcome.lost_writes = faults.lost_writes(results)
    outcome.recovery = recovered
    checks = down_body.get("checks", {}) if isinstance(down_body, dict) else {}
    again = "never" if recovered is None else f"{recovered:.2f} s after it was back"
    outcome.notes.append(f"/readyz while down: {down_status} {checks.get('replicas')}; 'ok' again {again}")

    def reading_as_it_stopped(result: Result) -> bool:
        return result.outcome == 503 and result.started <= stopped <= result.ended

    unexpected = _unexpected(results, reading_as_it_stopped)
    slow = _hung(results, fault_at=stopped)
    cut = sum(1 for result in results if reading_as_it_stopped(result))
    outcome.notes.append(f"{cut} requests reading from the replica as it stopped answered 503 (allowed)")
    outcome.check(not unexpected, f"{len(unexpected)} failed requests: " + _describe(unexpected))
    outcome.check(not slow, f"{len(slow)} requests hung (over {HANG_LIMIT:.0f} s): " + _describe(slow))
    outcome.check((down_status, checks.get("replicas")) == (200, "degraded"),
                  f"/readyz while the replica was down: {down_status} {down_body}")  # fmt: skip
    outcome.check(recovered is not None, "/readyz did not say ok within 15 s of the replica being back")
    outcome.check(outcome.lost_writes == 0, f"{outcome.lost_writes} acknowledged writes lost")
    return outcome


def replica_lagging(faults: Faults) -> Outcome:
    """Replay paused on the read replica for 4 s: three users post and like, three others walk cursor
    pages (following `next` at once) and read feed pages; none of the readers writes."""
    replica = _with_replica(faults)
    try:
        _replay(replica, paused=True)
        client = Client(faults.port, timeout=10)
        writers = Load(
            client, faults.accounts[:3], faults.tweet_ids, {"tweet": 1, "like": 1}, threads=3, duration=4.0
        )
        readers = Load(
            client,
            faults.accounts[3:6],
            faults.tweet_ids,
            {"cursor page": 3, "feed page": 1},
            threads=3,
            duration=4.0,
        )
        writers.start()
        readers.start()
        time.sleep(4.0)
        results = writers.stop() + readers.stop()
        primary = faults.query("SELECT count(*) FROM tweets_tweet")[0][0]
        with psycopg.connect(replica.url("chirp"), connect_timeout=5) as connection:
            on_replica = connection.execute("SELECT count(*) FROM tweets_tweet").fetchone()[0]
        _replay(replica, paused=False)
    finally:
        _without_replica(faults)
    outcome = Outcome("replica replay paused 4 s", results)
    outcome.lost_writes = faults.lost_writes(results)
    cursor_pages = [result for result in results if result.kind == "cursor page"]
    outcome.notes.append(
        f"the replica was {primary - on_replica} tweets behind; {len(cursor_pages)} cursor pages"
    )
    unexpected = _unexpected(results)
    outcome.check(primary > on_replica, "the replica did not lag (no tweet posted while replay was paused)")
    outcome.check(not unexpected, f"{len(unexpected)} failed requests: " + _describe(unexpected))
    outcome.check(outcome.lost_writes == 0, f"{outcome.lost_writes} acknowledged writes lost")
    return outcome


SCENARIOS: dict[str, Callable[[Faults], Outcome]] = {
    "pg-restart": pg_restart,
    "redis-down": redis_down,
    "redis-stall": redis_stall,
    "worker-kill": worker_kill,
    "disk-full": disk_full,
    "replica-down": replica_down,
    "replica-lagging": replica_lagging,
    # Last: it stops gunicorn.
    "sigterm": sigterm,
}


def _over_time(signum, frame) -> None:
    # Raised in the main thread, so the servers are still stopped and removed on the way out.
    raise TimeoutError("the fault tests ran over their time limit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)} (default: all, in this order)"
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAULTS_PORT", "8800")))
    parser.add_argument("--timeout", type=float, default=420.0, help="give up after this many seconds")
    args = parser.parse_args(argv)
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    chosen = [name for name in SCENARIOS if name in args.scenarios] or list(SCENARIOS)
    if "disk-full" in chosen and os.geteuid() != 0:
        if args.scenarios:
            parser.error("disk-full mounts a tmpfs: run it as root")
        print("faults: disk-full NOT RUN: mounting its tmpfs needs root", flush=True)
        chosen.remove("disk-full")
    signal.signal(signal.SIGALRM, _over_time)
    signal.alarm(int(args.timeout))
    started = time.monotonic()
    outcomes: list[Outcome] = []
    with Faults(args.port, small_media_disk="disk-full" in chosen) as faults:
        print(f"faults: set up in {time.monotonic() - started:.1f} s", flush=True)
        for name in chosen:
            outcome = SCENARIOS[name](faults)
            outcomes.append(outcome)
            print(f"faults: {name}: {'ok' if not outcome.failures else 'FAILED'}", flush=True)
    signal.alarm(0)
    print()
    print("| scenario | requests | errors by outcome | max latency ms | lost writes | recovery | result |")
    print("|---|---:|---|---:|---:|---:|---|")
    for outcome in outcomes:
        print(outcome.row())
    print()
    for outcome in outcomes:
        for note in outcome.notes:
            print(f"{outcome.name}: {note}")
        for failure in outcome.failures:
            print(f"{outcome.name}: FAILED: {failure}")
    print(f"\nfaults: {len(outcomes)} scenarios in {time.monotonic() - started:.1f} s")
    return 1 if any(outcome.failures for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())

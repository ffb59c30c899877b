"""Chirp's benchmark: a preset in a fresh PostgreSQL database, Chirp under gunicorn, wrk, pgbench.

Run through `bash bench/run` (see docs/performance.md). Prints one table and writes it
to bench/results/. Exits non-zero when a scenario had errors or likes_count drifted from the likes.
"""

import argparse
import datetime
import json
import os
import pickle
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PRESETS = {
    # users, follows per user, tweets per user, likes: the sizes of the presets.
    "S": (1_000, 20, 20, 100_000),
    "M": (10_000, 50, 100, 5_000_000),
    "L": (100_000, 100, 100, 50_000_000),
}
# The thread scenarios read the first THREADS tweets, each given REPLIES replies before the run.
THREADS = 1_000
REPLIES = 5
# search-rare's word is in this many posts, spread over the whole time span.
RARE_POSTS = 50
# The notifications scenario reads the first user's, who is given this many before the run.
HEAVY_NOTIFICATIONS = 10_000
SCENARIOS = [
    # First among the feed scenarios, and with the likers cache emptied right before it (see main).
    ("whole-cold", "whole feed, cold likers cache, first run"),
    ("page1", "feed first page ?offset=1&limit=20"),
    ("web", "web home page (signed-in session, HTML, 20 tweets)"),
    ("page3", "feed third page ?offset=3&limit=20"),
    ("whole", "whole feed (no parameters)"),
    ("like", "like/unlike (alternating POST/DELETE)"),
    ("post", "post a tweet"),
    ("post-unindexed", "post a tweet, the search index's trigger disabled (compare with post)"),
    ("post-entities", "post a tweet with two @mentions and two #tags"),
    ("me", "users/me"),
    ("latest", "Latest first page ?order=latest&limit=20"),
    ("web-latest", "web Latest tab /latest/ (signed-in session, HTML, 20 tweets)"),
    (
        "thread",
        f"a thread's replies /api/tweets/<id>/replies (one of {THREADS:,} tweets with {REPLIES} replies)",
    ),
    ("web-thread", "web thread page /tweets/<id>/ (the post, its chain, its replies)"),
    ("tag", "tag page /api/tags/bench/tweets?limit=20 (the tag post-entities writes)"),
    ("search-common", "search a common word /api/search?q=deploy&limit=20 (in a fifth of the posts)"),
    ("search-rare", f"search a rare word /api/search?q=zeppelin&limit=20 (in {RARE_POSTS} posts)"),
    ("search-phrase", 'search a phrase /api/search?q="fix the bug"&limit=20'),
    ("search-from", "search one author's posts /api/search?q=from:<username>&limit=20"),
    ("follow", "follow/unfollow (alternating POST/DELETE, random users)"),
    ("notifications-unread", "unread notifications count /api/notifications/unread (random users)"),
    (
        "notifications",
        f"notifications page 1 /api/notifications?limit=20 (the first user: {HEAVY_NOTIFICATIONS:,})",
    ),
]
# Scenarios whose runs follow a warm-up of their own; whole-cold must not have one.
WARMED = (
    "page1",
    "web",
    "page3",
    "whole",
    "me",
    "latest",
    "web-latest",
    "thread",
    "web-thread",
    "tag",
    "search-common",
    "search-rare",
    "search-phrase",
    "search-from",
    "notifications-unread",
    "notifications",
)
# The web client's scenarios: a session cookie per user instead of an api key.
WEB_SCENARIOS = ("web", "web-latest", "web-thread")
MEMORY_TARGET_PERCENT = 10
COLD_TARGET_MS = 1000


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, **kwargs)


class Postgres:
    def __init__(self, base_url: str, name: str):
        self.base_url, self.name = base_url.rstrip("/"), name
        self.url = f"{self.base_url}/{name}"

    def psql(self, sql: str, db: str | None = None) -> str:
        url = f"{self.base_url}/{db or self.name}"
        return run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], capture_output=True).stdout.strip()

    def recreate(self) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', db="postgres")
        self.psql(f'CREATE DATABASE "{self.name}"', db="postgres")

    def exists(self) -> bool:
        return self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.name}'", db="postgres") == "1"


def manage(python: str, env: dict, *args: str) -> None:
    run([python, "manage.py", *args], cwd=ROOT, env=env)


def manage_measured(python: str, env: dict, *args: str) -> str:
    """Run a management command; returns its wall time and peak resident memory, for the table."""
    started = time.monotonic()
    process = subprocess.Popen([python, "manage.py", *args], cwd=ROOT, env=env)
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the maximum over all of them).
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, process.args)
    # ru_maxrss is in KiB on Linux.
    return f"{args[0]} {time.monotonic() - started:.0f} s (peak RSS {usage.ru_maxrss / 1024:.0f} MiB)"


def load_data(args, db: Postgres, env: dict) -> tuple[Path, str | None]:
    """A fresh database holding the preset; returns the file of api keys (one a line) and, when
    this run loaded the data, a line for the table with what generating and importing cost."""
    data_dir = BENCH / "data" / f"{args.preset}-seed{args.seed}"
    keys_file = data_dir / "keys.txt"
    if args.reuse_db and db.exists() and keys_file.exists():
        log(f"reusing database {db.name}")
        # Loaded by an earlier tree: brought to this one's schema, as an operator's upgrade would.
        manage(args.python, env, "migrate", "-v0")
        return keys_file, None
    data_dir.mkdir(parents=True, exist_ok=True)
    db.recreate()
    manage(args.python, env, "migrate", "-v0")
    started = time.monotonic()
    steps = []
    if args.source == "sql":
        users, follows, tweets, likes = PRESETS[args.preset]
        run(
            ["psql", db.url, "-v", "ON_ERROR_STOP=1", "-qf", str(BENCH / "sql_fill.sql")]
            + [f"-v{k}={v}" for k, v in (("users", users), ("follows", follows))]
            + [f"-vtweets={users * tweets}", f"-vlikes={likes}"],
            stdout=subprocess.DEVNULL,
        )
        steps.append(f"sql_fill.sql {time.monotonic() - started:.0f} s")
        keys_file.write_text("".join(f"bench-key-{i}\n" for i in range(1, users + 1)))
    else:
        if (data_dir / "users.csv").exists():
            steps.append(f"generate_dataset not run (files cached in bench/data/{data_dir.name})")
        else:
            log(f"generating preset {args.preset} (seed {args.seed}) into {data_dir}")
            generate = ("generate_dataset", str(data_dir), "--preset", args.preset, "--seed", str(args.seed))
            steps.append(manage_measured(args.python, env, *generate))
        steps.append(manage_measured(args.python, env, "import_csv", str(data_dir)))
        with (data_dir / "users.csv").open() as users_csv:
            header = users_csv.readline().strip().split(",")
            column = header.index("api_key")
            keys = [line.rstrip("\n").split(",")[column] for line in users_csv if line.strip()]
        keys_file.write_text("".join(f"{key}\n" for key in keys))
    db.psql("VACUUM ANALYZE")
    log(f"data loaded in {time.monotonic() - started:.0f} s")
    return keys_file, f"Data: {', '.join(steps)}; loaded in {time.monotonic() - started:.0f} s in all"


def worker_overrides(args) -> list[str]:
    # The shipped asgi worker takes its request threads from GUNICORN_THREADS (config/asgi.py), not
    # from gunicorn's --threads, which only its threaded worker classes read.
    threads = args.threads if args.worker_class else None
    flags = (("--workers", args.workers), ("--worker-class", args.worker_class), ("--threads", threads))
    return [part for flag, value in flags if value is not None for part in (flag, str(value))]


def app_args(args) -> list[str]:
    """Chirp's app for gunicorn: config.asgi unless --app names another (with --pythonpath)."""
    return [*(["--pythonpath", args.pythonpath] if args.pythonpath else []), args.app]


def server_env(args, database_url: str) -> dict:
    """The environment Chirp runs in under the benchmark: production settings, the bench's database
    and Redis, no worker recycling; --threads as GUNICORN_THREADS for the asgi worker."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(40),
        # wrk speaks plain HTTP to gunicorn, as nginx does once TLS has ended in front of it.
        "SECURE_SSL_REDIRECT": "0",
        # Production recycles workers every ~2,000 requests; off here, so that the RSS figures
        # show whether memory grows.
        "GUNICORN_MAX_REQUESTS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SERVE_MEDIA": "0",  # a front server serves files in production
        "REDIS_URL": args.redis,
        "LOG_LEVEL": "WARNING",
        # The web page names its CSS and JS by their hashed names, from collectstatic's manifest.
        "STATIC_ROOT": str(BENCH / "out" / "static"),
    }
    if args.threads and not args.worker_class:
        env["GUNICORN_THREADS"] = str(args.threads)
    return env


def shipped_worker_model(args, env: dict) -> str:
    """Workers, worker class and threads that gunicorn.conf.py gives in this environment."""
    code = (
        "import runpy; c = runpy.run_path('gunicorn.conf.py'); "
        "w = c.get('worker_class', 'sync'); "
        "print(c.get('workers'), getattr(w, '__name__', w), c.get('threads', 1))"
    )
    workers, worker_class, threads = run(
        [args.python, "-c", code], cwd=ROOT, env=env, capture_output=True
    ).stdout.split()
    if worker_class == "asgi" and not args.worker_class and args.app == "config.asgi:application":
        # Django's threads per worker are config.asgi's (GUNICORN_THREADS), which --threads sets.
        code = "import config.asgi; print(config.asgi.THREADS)"
        threads = run([args.python, "-c", code], cwd=ROOT, env=env, capture_output=True).stdout.strip()
    workers = args.workers or workers
    worker_class = (args.worker_class or worker_class).rsplit(".", 1)[-1]
    return f"{workers} x {worker_class}/{args.threads or threads} threads"


class Server:
    """Chirp (or the floor app) under gunicorn with the production settings (DEBUG off)."""

    def __init__(self, args, env: dict, app: tuple[str, ...] | None = None):
        self.port, self.args = args.port, args
        cmd = [
            # The shipped gunicorn.conf.py as an operator runs it (no access log); only the address
            # and the error log differ. --workers, --worker-class and --threads override it for
            # experiments.
            args.python, "-m", "gunicorn", "-c", "gunicorn.conf.py", *(app or app_args(args)),
            "--bind", f"127.0.0.1:{args.port}",
            *(["--access-logfile", "-"] if args.access_log else []),
            "--error-logfile", str(BENCH / "out" / "gunicorn.log"),
            *worker_overrides(args),
        ]  # fmt: skip
        (BENCH / "out").mkdir(exist_ok=True)
        # Chirp's settings plus an X-Query-Count header on every response (bench/settings.py).
        env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=env)
        # Generous: on a loaded machine five workers importing Django take a while.
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/users/me", timeout=2)
            except urllib.error.HTTPError:
                break  # 401 without a key (Chirp), 404 for an unknown key (the floor): it answers
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit("gunicorn did not start; see bench/out/gunicorn.log") from None
                time.sleep(0.3)

    def worker_rss_kib(self) -> dict[int, int]:
        """Resident KiB of each worker (the master's children), by pid."""
        out = run(["ps", "--ppid", str(self.process.pid), "-o", "pid=,rss="], capture_output=True).stdout
        return {int(pid): int(kib) for pid, kib in (line.split() for line in out.splitlines())}

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def scenario_parts(name: str) -> tuple[str, int | None]:
    """A --scenarios entry: `notifications` or `notifications@2` (its own number of connections)."""
    scenario, _, connections = name.partition("@")
    if connections and not (connections.isdigit() and int(connections) > 0):
        raise SystemExit(f"not a number of connections: {name!r} (e.g. notifications@2)")
    return scenario, int(connections) if connections else None


def wrk_cmd(
    args, keys_file: Path, scenario: str, duration: str, max_tweet: int, connections: int | None = None
) -> list[str]:
    connections = connections or args.connections
    return [
        "wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}",
        "--timeout", "10s", "--latency",
        "-s", str(BENCH / "wrk.lua"), f"http://127.0.0.1:{args.port}",
        "--", str(keys_file), scenario, str(max_tweet), getattr(args, "mentions", ""), str(THREADS),
    ]  # fmt: skip


def wrk(
    args, keys_file: Path, scenario: str, duration: str, max_tweet: int, connections: int | None = None
) -> dict:
    cmd = wrk_cmd(args, keys_file, scenario, duration, max_tweet, connections)
    return wrk_result(run(cmd, capture_output=True).stdout)


def cpu_ticks(pids) -> dict[int, int]:
    """utime + stime of each process, in clock ticks (/proc/<pid>/stat); a process gone is left out."""
    ticks = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        # Fields after the command name, which is in parentheses and may hold spaces.
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_used_ms(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU milliseconds the processes in `after` used since `before` (all of it for a new one)."""
    used = sum(ticks - before.get(pid, 0) for pid, ticks in after.items())
    return used * 1000 / os.sysconf("SC_CLK_TCK")


def wrk_result(out: str) -> dict:
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[len("BENCH ") :])
    seconds = result["duration_us"] / 1e6
    return {
        "rps": result["requests"] / seconds,
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "max_ms": result["max_us"] / 1000,
        "errors": result["non2xx"] + result["socket_errors"],
        "requests": result["requests"],
        "queries_per_request": result["queries"] / result["counted"] if result["counted"] else None,
        # The mixed scenario's kinds: name -> (percent in the mix, requests sent).
        "mix": result["mix"],
    }


def seconds_of(duration: str) -> int:
    """wrk's duration syntax (30s, 10m, 1h; a bare number is seconds) in seconds."""
    match = re.fullmatch(r"(\d+)([smh]?)", duration)
    if not match:
        raise SystemExit(f"not a duration: {duration!r} (30s, 10m, 1h)")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def redis_flush(args) -> None:
    run(["redis-cli", "-u", args.redis, "FLUSHDB"], capture_output=True)


def likers_lists_cached(args) -> int:
    """Keys of the likers cache (tweets/likers_cache.py) in the bench's Redis database."""
    out = run(
        ["redis-cli", "-u", args.redis, "--scan", "--pattern", "chirp:likers:*"], capture_output=True
    ).stdout
    return len(out.split())


def mixed_run(args, server: Server, keys_file: Path, max_tweet: int) -> tuple[dict, dict]:
    """wrk.lua's mixed load for --mixed; each worker's RSS after every minute and at the end.

    Returns the wrk result and the samples: {seconds into the run or "end": {pid: KiB}}. A run of
    a minute or less is sampled halfway instead (for trying the option out).
    """
    seconds = seconds_of(args.mixed)
    interval = 60 if seconds > 60 else seconds / 2
    cmd = wrk_cmd(args, keys_file, "mixed", f"{seconds}s", max_tweet)
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    started, samples, step = time.monotonic(), {}, 1
    while step * interval < seconds:
        try:
            process.wait(timeout=max(0.0, started + step * interval - time.monotonic()))
            break  # wrk ended early: it reports why below
        except subprocess.TimeoutExpired:
            at = round(step * interval)
            samples[at] = server.worker_rss_kib()
            log(
                f"mixed load, {at} s: worker RSS MiB "
                + ", ".join(f"{pid} {kib / 1024:.1f}" for pid, kib in samples[at].items())
            )
            step += 1
    out, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"wrk failed in the mixed load (exit {process.returncode})")
    samples["end"] = server.worker_rss_kib()
    log(
        "mixed load, end: worker RSS MiB "
        + ", ".join(f"{pid} {kib / 1024:.1f}" for pid, kib in samples["end"].items())
    )
    return wrk_result(out), samples


def memory_lines(samples: dict) -> list[str]:
    """Per worker, RSS after the first sample and at the end; a replaced worker is named, not compared."""
    times = [at for at in samples if at != "end"]
    if not times:
        return ["Worker RSS: the mixed load ended before its first sample"]
    first, end = samples[times[0]], samples["end"]
    # "minute 1" in a full run; a short trial run names its halfway point instead.
    base = "minute 1" if times[0] == 60 else f"{times[0]} s"
    lines, growths = [], []
    for pid, kib in first.items():
        if pid in end:
            growth = 100 * (end[pid] - kib) / kib
            growths.append(growth)
            lines.append(
                f"worker {pid}: {base} {kib / 1024:.1f} MiB, end {end[pid] / 1024:.1f} MiB, {growth:+.1f} %"
            )
        else:
            gone = next(at for at in samples if pid not in samples[at])
            lines.append(
                f"worker {pid}: {base} {kib / 1024:.1f} MiB, gone by "
                f"{'the end' if gone == 'end' else f'{gone} s'}: replaced, not compared"
            )
    for pid, kib in end.items():
        if pid not in first:
            seen = next(at for at in samples if pid in samples[at])
            lines.append(
                f"worker {pid}: new since {base} (first seen "
                f"{'at the end' if seen == 'end' else f'at {seen} s'}), end {kib / 1024:.1f} MiB: "
                "not compared"
            )
    replaced = len(first) - len(growths)
    summary = (
        f"max growth per worker after {base}: {max(growths):.1f} % (target <= {MEMORY_TARGET_PERCENT} %)"
        if growths
        else f"max growth per worker after {base}: n/a, no worker lived through the run"
    )
    if replaced:
        summary += f"; {replaced} worker(s) replaced during the run"
    return [*lines, summary]


# The floor step (docs/performance.md): these scenarios' responses, replayed by bench/floor.py.
FLOOR_PATHS = {
    "page1": "/api/tweets?offset=1&limit=20",
    "page3": "/api/tweets?offset=3&limit=20",
    "me": "/api/users/me",
}
FLOOR_APP = ("--pythonpath", str(BENCH), "floor:asgi_application")


def floor_keys_file(keys_file: Path, count: int, seed: int) -> Path:
    """A fixed random sample of the preset's users, for Chirp's and the floor's runs alike."""
    keys = keys_file.read_text().split()
    sample = random.Random(seed).sample(keys, min(count, len(keys)))
    path = BENCH / "out" / "floor-keys.txt"
    path.write_text("".join(f"{key}\n" for key in sample))
    return path


def capture(args, keys_file: Path, names: list[str]) -> dict[tuple[str, str], tuple[str, bytes]]:
    """Each floor user's response from Chirp, per scenario path: what the floor app will send."""
    captured = {}
    for name in names:
        path = FLOOR_PATHS[name]
        for key in keys_file.read_text().split():
            request = urllib.request.Request(f"http://127.0.0.1:{args.port}{path}", headers={"api-key": key})
            with urllib.request.urlopen(request, timeout=30) as response:
                captured[(path, key)] = (response.headers["Content-Type"], response.read())
    return captured


def pgbench(args, db: Postgres, users: int, duration: str, script: str, **variables: int) -> float:
    """pgbench running a ceiling's SQL (bench/<script>, these -D variables) for random users: tx/s."""
    variables = {"users": users, **variables}
    defines = [arg for name, value in variables.items() for arg in ("-D", f"{name}={value}")]
    cmd = [
        "pgbench", "-n", "-M", "prepared", f"-c{args.connections}", "-j2", f"-T{int(duration.rstrip('s'))}",
        *defines, "-f", str(BENCH / script), db.url,
    ]  # fmt: skip
    out = run(cmd, capture_output=True).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def write_ceiling(args, db: Postgres, env: dict, users: int, max_tweet: int, duration: str) -> float:
    """pgbench running Chirp's own like and unlike statements (bench/write_ceiling.py), half each."""
    scripts = BENCH / "out" / "write-ceiling"
    run([args.python, str(BENCH / "write_ceiling.py"), str(scripts)], cwd=ROOT, env=env)
    now = datetime.datetime.now(datetime.UTC).isoformat()
    cmd = [
        "pgbench", "-n", "-M", "prepared", f"-c{args.connections}", "-j2", f"-T{int(duration.rstrip('s'))}",
        "-D", f"users={users}", "-D", f"tweets={max_tweet}", "-D", f"now={now}",
        "-f", f"{scripts / 'like.sql'}@1", "-f", f"{scripts / 'unlike.sql'}@1", db.url,
    ]  # fmt: skip
    out = run(cmd, capture_output=True).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def replies_for_threads(db: Postgres) -> None:
    """REPLIES replies to each of the first THREADS tweets, once per database (the presets have none)."""
    if db.psql("SELECT count(*) FROM tweets_tweet WHERE in_reply_to_id IS NOT NULL").strip() != "0":
        return
    db.psql(
        "INSERT INTO tweets_tweet (author_id, content, created_at, likes_count, likers_version,"
        " in_reply_to_id, mentioned_ids, tags)"
        " SELECT t.author_id, 'Benchmark reply ' || n, t.created_at + n * interval '1 minute', 0, 0, t.id,"
        " '[]', '[]'"
        f" FROM (SELECT id, author_id, created_at FROM tweets_tweet ORDER BY id LIMIT {THREADS}) AS t,"
        f" generate_series(1, {REPLIES}) AS n;"
        " ANALYZE tweets_tweet"
    )


def notifications_for_first_user(db: Postgres) -> None:
    """HEAVY_NOTIFICATIONS for the first user, once per database: likes of their posts (groups of
    one post's likers), follows over a month, mentions; the older four fifths read. Fewer on a
    preset with fewer users than that (a like or follow by the same person is one)."""
    if db.psql("SELECT count(*) FROM notifications_notification WHERE recipient_id = 1").strip() != "0":
        return
    likes, follows = HEAVY_NOTIFICATIONS * 8 // 10, HEAVY_NOTIFICATIONS // 10
    mentions = HEAVY_NOTIFICATIONS - likes - follows
    columns = "recipient_id, kind, actor_id, tweet_id, group_key, reason, created_at, read"
    # Someone other than the first user: 2 .. max(id).
    actor = "2 + g % ((SELECT max(id) FROM accounts_user) - 1)"
    db.psql(
        f"INSERT INTO notifications_notification ({columns})"
        f" SELECT 1, 'like', {actor}, t.ids[1 + g % cardinality(t.ids)], t.ids[1 + g % cardinality(t.ids)],"
        f" '', now() - g * interval '4 minutes', g > {likes // 5}"
        " FROM (SELECT array_agg(id) AS ids FROM tweets_tweet WHERE author_id = 1) AS t,"
        f" generate_series(1, {likes}) AS g WHERE cardinality(t.ids) > 0 ON CONFLICT DO NOTHING;"
        f" INSERT INTO notifications_notification ({columns})"
        f" SELECT 1, 'follow', {actor}, NULL, (now() - g * interval '43 minutes')::date - date '1970-01-01',"
        f" '', now() - g * interval '43 minutes', g > {follows // 5} FROM generate_series(1, {follows}) AS g"
        " ON CONFLICT DO NOTHING;"
        f" INSERT INTO notifications_notification ({columns})"
        " SELECT 1, 'mention', t.author_id, t.id, NULL, '', now() - t.n * interval '43 minutes',"
        f" t.n > {mentions // 5} FROM (SELECT id, author_id, row_number() OVER (ORDER BY id) AS n"
        f" FROM tweets_tweet WHERE author_id <> 1 ORDER BY id LIMIT {mentions}) AS t;"
        " ANALYZE notifications_notification"
    )


def rare_word_for_search(db: Postgres) -> None:
    """search-rare's word in RARE_POSTS posts spread over the ids (an edit: the trigger indexes it)."""
    db.psql(
        "UPDATE tweets_tweet SET content = content || ' zeppelin' WHERE id IN"
        f" (SELECT (g * (SELECT max(id) FROM tweets_tweet) / {RARE_POSTS})::bigint"
        f" FROM generate_series(1, {RARE_POSTS}) g) AND content NOT LIKE '%zeppelin'"
    )


SEARCH_TRIGGER = "tweet_search_vector"
# The PostgreSQL backends serving the bench database (Chirp's workers' connections), for CPU time.
BACKENDS_SQL = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def likes_mismatches(db: Postgres) -> int:
    return int(
        db.psql(
            "SELECT count(*) FROM tweets_tweet t LEFT JOIN "
            "(SELECT tweet_id, count(*) n FROM tweets_like GROUP BY tweet_id) l ON l.tweet_id = t.id "
            "WHERE t.likes_count <> coalesce(l.n, 0)"
        )
    )


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} CPUs ({model}), {mem_kib / 2**20:.0f} GiB RAM, {system}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--preset",
        choices=PRESETS,
        default="S",
        help="S: 1,000 users, 20,000 tweets, 100,000 likes; M: 10,000 users, 1,000,000 tweets, "
        "5,000,000 likes; L: 100,000 users, 10,000,000 tweets, 50,000,000 likes (1.9 GB of CSV, "
        "11 GB in PostgreSQL, 5 to 11 minutes to generate and import)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", default="10s", help="per scenario, wrk syntax (10s, 5m)")
    parser.add_argument(
        "--smoke", action="store_true", help="CI: preset S, 2 s per scenario, no results file"
    )
    parser.add_argument(
        "--source",
        choices=["csv", "sql"],
        default="csv",
        help="csv: generate_dataset + import_csv; sql: bench/sql_fill.sql (profiling)",
    )
    parser.add_argument("--reuse-db", action="store_true", help="keep an existing bench database")
    parser.add_argument("--db", default=None, help="database name (default chirp_bench_<preset>)")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--port", type=int, default=8400)
    # Default: the worker model gunicorn.conf.py ships (GUNICORN_* variables apply as in production).
    parser.add_argument("--workers", type=int, default=None, help="override gunicorn.conf.py")
    parser.add_argument("--worker-class", default=None, help="override gunicorn.conf.py")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="request threads per worker: GUNICORN_THREADS for the shipped asgi worker, gunicorn's "
        "--threads with a --worker-class",
    )
    parser.add_argument(
        "--app",
        default="config.asgi:application",
        help="the application gunicorn serves (config.wsgi:application for a WSGI worker class)",
    )
    parser.add_argument(
        "--pythonpath",
        default=None,
        help="folders (comma-separated) gunicorn adds to sys.path, e.g. for a --worker-class kept "
        "outside the product",
    )
    parser.add_argument(
        "--floor-users",
        type=int,
        default=300,
        help="users whose responses the floor step captures and replays (0: no floor step)",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--scenarios",
        # Page 1 of 10,000 notifications is one user's latency: also on 2 connections, the machine's cores.
        default=",".join([*(name for name, _ in SCENARIOS), "notifications@2"]),
        help="comma-separated; empty for none (with --mixed: only the mixed load); name@N runs a "
        "scenario with N connections instead of --connections (notifications@2)",
    )
    parser.add_argument(
        "--mixed",
        metavar="DURATION",
        default=None,
        help="after the scenarios, wrk.lua's mixed load for DURATION (10m), each worker's RSS "
        "sampled every minute; off with --smoke",
    )
    parser.add_argument("--no-ceiling", action="store_true")
    parser.add_argument("--access-log", action="store_true")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    if args.smoke:
        args.preset, args.duration, args.mixed = "S", "2s", None
    names = [name for name in args.scenarios.split(",") if name]
    # name -> (scenario, its own connections or None): `notifications@2` runs notifications on 2.
    parts = {name: scenario_parts(name) for name in names}
    unknown = {scenario for scenario, _ in parts.values()} - set(dict(SCENARIOS))
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.mixed:
        seconds_of(args.mixed)  # a bad value fails now, not after the data is loaded
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (bench/run installs it with apt-get)")

    db = Postgres(args.pg, args.db or f"chirp_bench_{args.preset.lower()}")
    env = server_env(args, db.url)
    keys_file, data_line = load_data(args, db, env)
    users = len(keys_file.read_text().split())
    # The web scenario signs in with a session cookie per user, not an api key.
    cookies_file = BENCH / "out" / "cookies.txt"
    if set(WEB_SCENARIOS) & {scenario for scenario, _ in parts.values()}:
        (BENCH / "out").mkdir(exist_ok=True)
        manage(args.python, env, "collectstatic", "--noinput", "-v0")
        run(
            [args.python, str(BENCH / "sessions.py"), str(keys_file), str(cookies_file), "1000"],
            cwd=ROOT,
            env=env,
        )
    replies_for_threads(db)
    rare_word_for_search(db)
    if any(scenario == "notifications" for scenario, _ in parts.values()):
        notifications_for_first_user(db)
    # Two users to @mention in post-entities: real usernames, so that the mentions are stored.
    args.mentions = " ".join(
        f"@{name}" for name in db.psql("SELECT username FROM accounts_user ORDER BY id LIMIT 2").split()
    )
    max_tweet = int(db.psql("SELECT coalesce(max(id), 1) FROM tweets_tweet"))
    if args.redis:
        # Ids restart with every fresh database: a cache from an earlier run (or preset) would lie.
        redis_flush(args)

    model = shipped_worker_model(args, env)
    if not args.worker_class:
        # The floor app's server gets the same threads per worker as Chirp's (bench/floor.py).
        env.setdefault("GUNICORN_THREADS", model.rsplit("/", 1)[1].split()[0])
    server = Server(args, env)
    results: dict[str, dict] = {}
    floor_names: list[str] = []
    cold_lists: tuple[int, int] | None = None
    memory: dict = {}
    try:
        warmup = "1s" if args.smoke else "3s"
        rss: dict[str, dict[int, int]] = {}
        for name in names:
            scenario, connections = parts[name]
            credentials = cookies_file if scenario in WEB_SCENARIOS else keys_file
            if scenario in WARMED:
                wrk(args, credentials, scenario, warmup, max_tweet, connections)
            elif scenario == "whole-cold":
                # Cold means the likers cache, not the processes: a users/me warm-up opens the
                # workers' connections and loads their code without reading any likers, then the
                # Redis database is emptied (whatever ran before), and the run has no warm-up.
                wrk(args, keys_file, "me", warmup, max_tweet)
                if args.redis:
                    redis_flush(args)
            if not rss:
                rss["start"] = server.worker_rss_kib()
            cached_before = likers_lists_cached(args) if scenario == "whole-cold" and args.redis else 0
            log(f"scenario {name} for {args.duration}")
            if scenario == "post-unindexed":
                db.psql(f"ALTER TABLE tweets_tweet DISABLE TRIGGER {SEARCH_TRIGGER}")
            backends = [int(pid) for pid in db.psql(BACKENDS_SQL).split()]
            pids = [*server.worker_rss_kib(), *backends]
            cpu_before = cpu_ticks(pids)
            try:
                results[name] = wrk(args, credentials, scenario, args.duration, max_tweet, connections)
                # Backends opened during the run count whole; one closed during it is lost (rare:
                # the workers keep their connections).
                backends = [int(pid) for pid in db.psql(BACKENDS_SQL).split()]
                workers = cpu_ticks(server.worker_rss_kib())
                postgres = cpu_ticks(backends)
                requests = results[name]["requests"] or 1
                results[name]["cpu_app_ms"] = cpu_used_ms(cpu_before, workers) / requests
                results[name]["cpu_db_ms"] = cpu_used_ms(cpu_before, postgres) / requests
                results[name]["load"] = os.getloadavg()[0]
            finally:
                if scenario == "post-unindexed":
                    db.psql(f"ALTER TABLE tweets_tweet ENABLE TRIGGER {SEARCH_TRIGGER}")
            if scenario == "whole-cold" and args.redis:
                cold_lists = (cached_before, likers_lists_cached(args))
            rss[name] = server.worker_rss_kib()
        if args.mixed:
            log(f"mixed load for {args.mixed}")
            results["mixed"], memory = mixed_run(args, server, keys_file, max_tweet)
        floor_names = [name for name in FLOOR_PATHS if name in results] if args.floor_users else []
        if floor_names:
            floor_keys = floor_keys_file(keys_file, args.floor_users, args.seed)
            same_keys = {}
            for name in floor_names:
                log(f"floor step: Chirp, {name}, the floor's {args.floor_users} users, {args.duration}")
                wrk(args, floor_keys, name, warmup, max_tweet)
                same_keys[name] = wrk(args, floor_keys, name, args.duration, max_tweet)
            captured = capture(args, floor_keys, floor_names)
    finally:
        server.stop()
    floor = {}
    if floor_names:
        floor_file = BENCH / "out" / "floor.pickle"
        floor_file.write_bytes(pickle.dumps(captured))
        server = Server(args, {**env, "BENCH_FLOOR_FILE": str(floor_file)}, app=FLOOR_APP)
        try:
            for name in floor_names:
                log(f"floor step: the bare WSGI app, {name}, {args.duration}")
                wrk(args, floor_keys, name, warmup, max_tweet)
                floor[name] = wrk(args, floor_keys, name, args.duration, max_tweet)
        finally:
            server.stop()
    liked = any(scenario == "like" for scenario, _ in parts.values())
    mismatches = likes_mismatches(db) if liked or "mixed" in results else None
    # By the scenario each ceiling is for.
    ceiling: dict[str, float] = {}
    after_ceiling = None
    if not args.no_ceiling:
        for page in (1, 3):
            log(f"ceiling: pgbench page {page} for {args.duration}")
            ceiling[f"page{page}"] = pgbench(
                args, db, users, args.duration, "ceiling.sql", offset=(page - 1) * 20, depth=page * 20
            )
        if "latest" in results:
            log(f"ceiling: pgbench Latest first page for {args.duration}")
            ceiling["latest"] = pgbench(args, db, users, args.duration, "ceiling_latest.sql")
        if "like" in results:
            log(f"write ceiling: pgbench like/unlike for {args.duration}")
            ceiling["like"] = write_ceiling(args, db, env, users, max_tweet, args.duration)
            after_ceiling = likes_mismatches(db)

    labels = dict(SCENARIOS)
    for name, (scenario, connections) in parts.items():
        if connections:
            labels[name] = f"{labels[scenario]}, {connections} connections"
    if "mixed" in results:
        kinds = results["mixed"]["mix"]
        labels["mixed"] = f"mixed load for {args.mixed}: " + ", ".join(
            f"{share} % {kind}" for kind, (share, _) in kinds.items()
        )
    now = datetime.datetime.now(datetime.UTC)
    lines = [
        f"Chirp benchmark, preset {args.preset} (seed {args.seed}, data from {args.source}), "
        f"{f'{args.duration} per scenario' if names else 'no scenarios'}"
        f"{f', mixed load {args.mixed}' if args.mixed else ''}, "
        f"{args.connections} connections, gunicorn {model}, {args.app}, "
        f"{now:%Y-%m-%d %H:%M} UTC",
        f"Machine: {machine()}; load average at the end {os.getloadavg()[0]:.1f}",
        *([data_line] if data_line else []),
        "",
        "| scenario | req/s | p50 ms | p99 ms | errors | SQL queries/request "
        "| CPU ms/request, workers + PostgreSQL | load average |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        qpr = f"{r['queries_per_request']:.2f}" if r["queries_per_request"] is not None else "n/a"
        cells = [
            labels[name],
            f"{r['rps']:.1f}",
            f"{r['p50_ms']:.1f}",
            f"{r['p99_ms']:.1f}",
            r["errors"],
            qpr,
            f"{r['cpu_app_ms']:.2f} + {r['cpu_db_ms']:.2f}" if "cpu_app_ms" in r else "n/a",
            f"{r['load']:.1f}" if "load" in r else "n/a",
        ]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    lines.append("")
    if "whole-cold" in results:
        r = results["whole-cold"]
        lists = (
            f"likers lists cached {cold_lists[0]} before, {cold_lists[1]} after"
            if cold_lists
            else "no Redis, so no likers cache"
        )
        lines.append(
            f"Whole feed, cold likers cache: p99 {r['p99_ms']:.0f} ms (target <= {COLD_TARGET_MS} ms); "
            f"p50 {r['p50_ms']:.0f} ms, max {r['max_ms']:.0f} ms, {r['requests']} requests in the "
            f"{args.duration} after emptying Redis, {lists}"
        )
    if "mixed" in results:
        sent = results["mixed"]["mix"]
        total = sum(count for _, count in sent.values()) or 1
        lines.append(
            "Mixed load, requests sent: "
            + ", ".join(f"{kind} {count} ({100 * count / total:.0f} %)" for kind, (_, count) in sent.items())
        )
        lines.extend(memory_lines(memory))
    if "web" in results and "page1" in results:
        # Issue 24's target: the web home page at >= 80 % of the API's first page, p99 <= 1.5x.
        web, page1 = results["web"], results["page1"]
        lines.append(
            f"Web/API: the web home page serves {web['rps']:.1f} req/s = "
            f"{100 * web['rps'] / page1['rps']:.0f} % of the API's first page ({page1['rps']:.1f}); "
            f"p99 {web['p99_ms']:.1f} ms = {web['p99_ms'] / page1['p99_ms']:.2f}x"
            f" its {page1['p99_ms']:.1f} ms"
        )
    for key, what in (("page1", "page 1"), ("page3", "page 3"), ("latest", "latest")):
        if key in ceiling and key in results:
            rps = results[key]["rps"]
            lines.append(
                f"Ceiling {what}: pgbench {ceiling[key]:.1f} tx/s; Chirp {rps:.1f} req/s "
                f"= {100 * rps / ceiling[key]:.0f} % of it"
            )
    if "like" in ceiling:
        rps = results["like"]["rps"]
        lines.append(
            f"Write ceiling: pgbench {ceiling['like']:.1f} tx/s; Chirp like/unlike {rps:.1f} req/s "
            f"= {100 * rps / ceiling['like']:.0f} % of it"
        )
    for name, r in floor.items():
        sizes = [len(body) for (path, _), (_, body) in captured.items() if path == FLOOR_PATHS[name]]
        chirp = same_keys[name]["rps"]
        lines.append(
            f"Floor {labels[name]}: bare WSGI app {r['rps']:.1f} req/s with Chirp's bytes "
            f"({len(sizes)} users, mean {sum(sizes) / len(sizes) / 1024:.0f} KiB); "
            f"Chirp {chirp:.1f} req/s for the same users = {100 * chirp / r['rps']:.0f} % of it"
        )
    if mismatches is not None:
        lines.append(f"likes_count == count(likes) after like/unlike: {mismatches} mismatching tweets")
    if after_ceiling is not None:
        lines.append(
            f"likes_count == count(likes) after the write ceiling: {after_ceiling} mismatching tweets"
        )
    # Resident memory of the gunicorn workers (ps rss), summed, after the first warm-up and
    # after each scenario: flat means no growth across the scenarios' repeats of the same work.
    if rss:
        last = rss[list(rss)[-1]].values()
        lines.append(
            "Worker RSS, MiB summed over workers: "
            + ", ".join(f"{name} {sum(kib.values()) / 1024:.0f}" for name, kib in rss.items())
            + f" (per worker at the end: {', '.join(f'{kib / 1024:.0f}' for kib in last)})"
        )
    table = "\n".join(lines)
    print(table)
    if not args.smoke:
        out = BENCH / "results" / f"{args.preset}-{now:%Y%m%d-%H%M}.md"
        out.parent.mkdir(exist_ok=True)
        out.write_text(table + "\n")
        log(f"written to {out.relative_to(ROOT)}")
    failed = [name for name, r in results.items() if r["errors"] or not r["requests"]]
    if failed or mismatches or after_ceiling:
        print(
            f"FAILED: errors in {failed or 'none'}, likes_count mismatches {mismatches} "
            f"(after the write ceiling {after_ceiling})",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

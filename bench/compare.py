"""Servers compared on one loaded bench database, interleaved: all up at once, wrk alternating.

On a machine shared with other work, runs of bench/run minutes apart differ by more than the
servers do. Here every variant (a set of bench.py's server options) runs at the same time on its
own port, and each scenario alternates short wrk runs between them, the order rotating each round:
what disturbs the machine falls on all of them alike. Prints, per scenario, each variant's
requests/s over all its rounds (and as a share of the first variant's), the rounds' requests/s,
and CPU milliseconds per request of its gunicorn workers and of its PostgreSQL backends (told
apart by application_name). The database must have been loaded by bench/run (--reuse-db).

    flock /tmp/chirp-bench.lock .venv/bin/python bench/compare.py --preset M --db chirp_bench_m \\
        --port 8401 --scenarios page1,page3,like,post,me --rounds 4 --seconds 5 \\
        --variant 'shipped=' --variant 'two threads=--threads 2'
"""

import argparse
import importlib.util
import os
import shlex
from pathlib import Path

BENCH = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_bench", BENCH / "bench.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def variant_options(text: str) -> tuple[str, argparse.Namespace]:
    """`name=options`, options as bench.py takes them: --app, --pythonpath, --workers, --worker-class,
    --threads."""
    name, _, options = text.partition("=")
    parser = argparse.ArgumentParser(prog=f"--variant {name}=")
    parser.add_argument("--app", default="config.asgi:application")
    parser.add_argument("--pythonpath", default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--worker-class", default=None)
    parser.add_argument("--threads", type=int, default=None)
    return name, parser.parse_args(shlex.split(options))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=bench.PRESETS, default="M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", required=True, help="a bench database bench/run has loaded")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--port", type=int, default=8401, help="the first variant's; the next ones follow")
    parser.add_argument("--scenarios", default="page1,page3,like,post,me")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5, help="per variant and round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--variant", action="append", required=True, help="name=options, at least two")
    parser.add_argument("--python", default=str(BENCH.parent / ".venv" / "bin" / "python"))
    args = parser.parse_args()
    variants = dict(variant_options(text) for text in args.variant)
    scenarios = [name for name in args.scenarios.split(",") if name]
    unknown = set(scenarios) - set(dict(bench.SCENARIOS)) | set(scenarios) & set(bench.WEB_SCENARIOS)
    if unknown:
        raise SystemExit(f"not comparable here: {', '.join(sorted(unknown))} (API scenarios only)")

    db = bench.Postgres(args.pg, args.db)
    keys_file = BENCH / "data" / f"{args.preset}-seed{args.seed}" / "keys.txt"
    mentions = " ".join(
        f"@{n}" for n in db.psql("SELECT username FROM accounts_user ORDER BY id LIMIT 2").split()
    )
    max_tweet = int(db.psql("SELECT coalesce(max(id), 1) FROM tweets_tweet"))
    bench.redis_flush(args)
    servers = {}
    try:
        for number, (name, options) in enumerate(variants.items()):
            options.port, options.python, options.access_log = args.port + number, args.python, False
            options.connections, options.mentions = args.connections, mentions
            options.redis = args.redis
            env = bench.server_env(options, f"{db.url}?application_name=compare{number}")
            # Each server makes a metrics folder of its own (gunicorn.conf.py).
            env.pop("PROMETHEUS_MULTIPROC_DIR", None)
            servers[name] = (number, options, bench.Server(options, env))
        print("load average at the start: " + " ".join(f"{load:.1f}" for load in os.getloadavg()))
        for scenario in scenarios:
            compare(db, servers, scenario, keys_file, max_tweet, args)
    finally:
        for _, _, server in servers.values():
            server.stop()


def compare(db, servers: dict, scenario: str, keys_file: Path, max_tweet: int, args) -> None:
    names = list(servers)
    for name in names:
        bench.wrk(servers[name][1], keys_file, scenario, "3s", max_tweet)
    totals = {
        name: {"requests": 0, "seconds": 0.0, "app_ms": 0.0, "db_ms": 0.0, "rounds": []} for name in names
    }
    for round_ in range(args.rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            number, options, server = servers[name]
            backends_sql = f"SELECT pid FROM pg_stat_activity WHERE application_name = 'compare{number}'"
            backends = [int(pid) for pid in db.psql(backends_sql).split()]
            before = bench.cpu_ticks([*server.worker_rss_kib(), *backends])
            result = bench.wrk(options, keys_file, scenario, f"{args.seconds}s", max_tweet)
            backends = [int(pid) for pid in db.psql(backends_sql).split()]
            total = totals[name]
            total["requests"] += result["requests"]
            total["seconds"] += result["requests"] / result["rps"] if result["rps"] else args.seconds
            total["app_ms"] += bench.cpu_used_ms(before, bench.cpu_ticks(server.worker_rss_kib()))
            total["db_ms"] += bench.cpu_used_ms(before, bench.cpu_ticks(backends))
            total["rounds"].append(result["rps"])
            if result["errors"]:
                print(f"{scenario}, {name}: {result['errors']} errors")
    first = totals[names[0]]["requests"] / totals[names[0]]["seconds"]
    print(f"{scenario} (load average {os.getloadavg()[0]:.1f}):")
    for name in names:
        total = totals[name]
        rps = total["requests"] / total["seconds"]
        rounds = ", ".join(f"{value:.0f}" for value in total["rounds"])
        print(
            f"  {name}: {rps:.1f} req/s ({100 * rps / first:.0f} %; rounds {rounds}), CPU ms/request "
            f"{total['app_ms'] / total['requests']:.2f} + {total['db_ms'] / total['requests']:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()

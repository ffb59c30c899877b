"""The benchmark's CPU per request: what the gunicorn workers and the PostgreSQL backends spent."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

_spec = importlib.util.spec_from_file_location("bench", Path(settings.BASE_DIR) / "bench" / "bench.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

# Burns about `seconds` of CPU in a thread other than the main one, then waits to be read.
BURN = """
import sys, threading, time
def burn():
    end = time.process_time() + float(sys.argv[1])
    while time.process_time() < end:
        pass
thread = threading.Thread(target=burn)
thread.start()
thread.join()
print("done", flush=True)
sys.stdin.read()
"""


def burning_process(seconds: float) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", BURN, str(seconds)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout and process.stdout.readline() == "done\n"
    return process


def test_cpu_per_request_counts_every_thread_of_the_processes():
    """A process that burned 0.6 s in a thread, over 3 requests: about 200 ms each."""
    idle = burning_process(0)
    before = bench.cpu_ticks([idle.pid])
    busy = burning_process(0.6)  # started after the first sample: counted from zero
    try:
        after = bench.cpu_ticks([idle.pid, busy.pid])
    finally:
        for process in (idle, busy):
            process.communicate("")

    per_request = bench.cpu_used_ms(before, after) / 3
    assert 190 <= per_request <= 300, per_request


def test_a_process_that_has_exited_is_left_out_of_a_sample():
    process = burning_process(0)
    process.communicate("")

    assert bench.cpu_ticks([process.pid]) == {}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the backends are PostgreSQL's processes")
@pytest.mark.django_db
def test_the_backends_serving_the_bench_database_are_found_and_their_cpu_counted():
    """The test's own connection is one of its database's backends; a query's CPU shows in its ticks."""
    db = connection.settings_dict
    base_url = f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
        backends = [int(pid) for pid in bench.Postgres(base_url, db["NAME"]).psql(bench.BACKENDS_SQL).split()]
        before = bench.cpu_ticks(backends)
        cursor.execute("SELECT count(*) FROM generate_series(1, 5000000)")
        after = bench.cpu_ticks(backends)

    assert pid in backends
    assert bench.cpu_used_ms(before, after) >= 100

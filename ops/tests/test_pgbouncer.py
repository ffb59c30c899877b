"""Chirp behind a real PgBouncer in transaction mode (Debian's package), started by this module.

PgBouncer listens on a port of CHIRP_TEST_PG_PORTS (default 5450-5459) in front of the test
database. Each "node" is a separate Python process configured like a web node whose DATABASE_URL
points at PgBouncer, speaking HTTP through Django's test client from six threads at once.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from django.db import connection

from faults.servers import free_port, port_range, wait_for_port

REPO = Path(__file__).resolve().parents[2]
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

pytestmark = pytest.mark.skipif(
    not Path(PGBOUNCER).exists(), reason="PgBouncer not installed (apt-get install -y pgbouncer)"
)


@pytest.fixture(scope="module")
def pgbouncer_url(django_db_setup, django_db_blocker):
    """URL of the test database through PgBouncer (pool_mode = transaction, 4 server connections)."""
    if connection.vendor != "postgresql":
        pytest.skip("PgBouncer pools PostgreSQL: this module runs in the PostgreSQL suite")
    database = connection.settings_dict
    folder = Path(tempfile.mkdtemp(prefix="chirp-pgbouncer-"))
    os.chmod(folder, 0o755)
    port = free_port(port_range("CHIRP_TEST_PG_PORTS", "5450-5459"))
    server = f"host={database['HOST'] or '127.0.0.1'} port={database['PORT'] or 5432} user={database['USER']}"
    if database["PASSWORD"]:
        server += f" password={database['PASSWORD']}"
    (folder / "pgbouncer.ini").write_text(
        textwrap.dedent(f"""
        [databases]
        {database["NAME"]} = {server} dbname={database["NAME"]}
        [pgbouncer]
        listen_addr = 127.0.0.1
        listen_port = {port}
        unix_socket_dir =
        pool_mode = transaction
        auth_type = any
        ignore_startup_parameters = extra_float_digits,options
        default_pool_size = 4
        logfile = {folder}/pgbouncer.log
        """)
    )
    # PgBouncer will not run as root.
    as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    bouncer = subprocess.Popen(
        [PGBOUNCER, "-q", *as_user, str(folder / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, timeout=10)
        yield f"postgres://{database['USER']}@127.0.0.1:{port}/{database['NAME']}"
    finally:
        bouncer.terminate()
        bouncer.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


NODE = """
import json, threading
import django
django.setup()
from rest_framework.test import APIClient

answers = []

def requests():
    api = APIClient()
    api.credentials(HTTP_API_KEY=KEY)
    for path in ["/api/users/me", "/api/tweets", "/api/users/me", "/api/tweets"] * 5:
        response = api.get(path)
        answers.append([response.status_code, response.json().get("error_type")])

threads = [threading.Thread(target=requests) for _ in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
readyz = APIClient().get("/readyz")
print("OUT" + json.dumps({"answers": answers, "readyz": [readyz.status_code, readyz.json()]}))
"""


def node(url: str, key: str, *, server_side_binding: str) -> tuple[dict, str]:
    """(answers, log) of 120 API requests and a /readyz from a node whose database is `url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "DJANGO_", "DB_"))}
    empty = Path(tempfile.gettempdir()) / "chirp-pgbouncer-test-empty.env"
    empty.write_text("")
    env.update(
        ENV_FILE=str(empty),
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="pgbouncer-test-secret-key-" + "x" * 40,
        JWT_SIGNING_KEY="pgbouncer-test-jwt-signing-key-" + "y" * 40,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=url,
        DB_SERVER_SIDE_BINDING=server_side_binding,
        CHIRP_DATA_DIR=tempfile.gettempdir(),
    )
    result = subprocess.run(
        [sys.executable, "-c", f"KEY = {key!r}\n" + NODE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    log, _, answers = result.stdout.rpartition("OUT")
    return json.loads(answers), log + result.stderr


def test_server_side_binding_through_pgbouncer_is_refused_naming_the_setting(
    pgbouncer_url, make_user, transactional_db
):
    """DB_SERVER_SIDE_BINDING=1 behind a transaction-mode pooler: every request a 500 saying what to
    set, /readyz 503, and never a "Database unavailable" (503) for what is a configuration error."""
    reader = make_user("Rita Pooled")

    outcome, log = node(pgbouncer_url, reader.key, server_side_binding="1")

    assert {tuple(answer) for answer in outcome["answers"]} == {(500, "server_error")}
    assert "Set DB_SERVER_SIDE_BINDING=0 behind a pooler." in log
    assert "Database unavailable" not in log
    status, body = outcome["readyz"]
    assert (status, body["checks"]["database"]) == (503, "failed")


def test_pgbouncer_in_transaction_mode_serves_every_request_with_db_server_side_binding_0(
    pgbouncer_url, make_user, transactional_db
):
    """The supported setting behind PgBouncer: 120 concurrent reads over 4 server connections, all 200."""
    reader = make_user("Sam Pooled")

    outcome, log = node(pgbouncer_url, reader.key, server_side_binding="0")
    assert "Traceback" not in log

    assert [answer[0] for answer in outcome["answers"]] == [200] * 120
    assert outcome["readyz"][0] == 200

"""A newcomer's first hour: the README's commands, run as written, in fresh shells.

A copy of the working tree (with this virtualenv linked in as `.venv`) runs `bash scripts/serve`;
then the shell blocks of the README's first sections run in a new shell that has none of the
server's environment, and must all succeed.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The sections a newcomer follows after `bash scripts/serve`, in order: (file, heading).
SECTIONS = (
    ("README.md", "## Two commands"),
    ("docs/api.md", "## At a glance"),
    ("docs/accounts.md", "# Accounts and login"),
)
# Started by the test itself, or a prompt that needs a terminal (its --noinput form runs instead).
NOT_RUN = ("bash scripts/serve", "bash scripts/test", ".venv/bin/python manage.py createsuperuser")


def readme_blocks() -> list[str]:
    """The indented shell blocks of SECTIONS, as the README and the docs show them."""
    blocks = []
    for name, title in SECTIONS:
        readme = (REPO / name).read_text(encoding="utf-8")
        start = readme.index(title)
        end = readme.find("\n## ", start + len(title))
        section = readme[start : end if end != -1 else len(readme)]
        for block in re.findall(r"(?:^\n)((?:    .*\n|\n)+)", section, flags=re.MULTILINE):
            lines = [line[4:] for line in block.rstrip("\n").split("\n")]
            if lines and lines[0].strip() not in NOT_RUN and "|---" not in lines[0]:
                blocks.append("\n".join(lines))
    return blocks


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_shell_env(**extra: str) -> dict[str, str]:
    """A login shell's environment: none of Chirp's settings, not even those the test run uses."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(extra)
    return env


@pytest.fixture
def fresh_clone(tmp_path) -> Path:
    """The working tree without local state, and this virtualenv as its `.venv`."""
    clone = tmp_path / "chirp"
    ignore = shutil.ignore_patterns(".git", ".venv", "data", ".env", "__pycache__", "staticfiles", "bench")
    shutil.copytree(REPO, clone, ignore=ignore)
    (clone / ".venv").symlink_to(Path(sys.prefix))
    return clone


def start_serve(clone: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        ["bash", "scripts/serve", str(port)],
        cwd=clone,
        env=fresh_shell_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_until_ready(server: subprocess.Popen, port: int, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read() if server.stdout else ""
            pytest.fail(f"scripts/serve exited with {server.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail("scripts/serve did not answer /readyz in time")


def stop(server: subprocess.Popen) -> str:
    # runserver's autoreloader runs the server in a child: stop the whole group this test started.
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    output, _ = server.communicate(timeout=30)
    return output


def test_readme_first_sections_work_as_written_in_a_fresh_shell_after_serve(fresh_clone):
    """Every command of the README's "Two commands" and the API and accounts docs' walk-throughs succeeds."""
    port = free_port()
    server = start_serve(fresh_clone, port)
    try:
        wait_until_ready(server, port)
        blocks = readme_blocks()
        assert any("MEDIA_ID=" in block for block in blocks)
        first_look = "curl -H 'api-key: test' localhost:8000/api/tweets"
        assert f"`{first_look}`" in (REPO / "README.md").read_text()
        script = "\n".join(
            [
                "set -euo pipefail",
                # Any HTTP error answer fails the script, as it would fail the reader.
                'curl() { command curl -sS --fail-with-body "$@"; echo; }',
                # The interactive createsuperuser, in the --noinput form the README gives.
                "DJANGO_SUPERUSER_PASSWORD='a long admin passphrase 7' .venv/bin/python manage.py"
                " createsuperuser --noinput --username admin --email admin@example.com --name 'The Admin'",
                # The first look the README suggests, inline in its text.
                first_look,
                *blocks,
            ]
        ).replace("localhost:8000", f"localhost:{port}")
        shell = subprocess.run(
            ["bash", "-c", script],
            cwd=fresh_clone,
            env=fresh_shell_env(),
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        server_output = stop(server)

    assert shell.returncode == 0, f"{shell.stdout}\n{shell.stderr}\n--- server\n{server_output[-3000:]}"
    assert "Traceback" not in shell.stderr
    assert '"tweet_id"' in shell.stdout and '"username":"alan-turing"' in shell.stdout.replace(" ", "")
    assert "models.W040" not in server_output


def test_serve_writes_a_development_env_once_that_production_would_refuse(fresh_clone):
    """The generated .env turns DEBUG on with fresh keys, survives reruns, and lacks what compose needs."""
    port = free_port()
    server = start_serve(fresh_clone, port)
    try:
        wait_until_ready(server, port)
    finally:
        stop(server)
    env_file = fresh_clone / ".env"
    first = env_file.read_text()

    assert "DEBUG=1" in first.splitlines()
    assert re.search(r"^SECRET_KEY=dev-\S{40,}$", first, flags=re.MULTILINE)
    assert re.search(r"^JWT_SIGNING_KEY=dev-\S{40,}$", first, flags=re.MULTILINE)
    assert "POSTGRES_PASSWORD" not in first
    compose = (REPO / "docker-compose.yml").read_text()
    assert "${POSTGRES_PASSWORD:?" in compose
    assert ".env" in (REPO / ".dockerignore").read_text().splitlines()
    assert ".env" in (REPO / ".gitignore").read_text().splitlines()

    server = start_serve(fresh_clone, port)
    try:
        wait_until_ready(server, port)
    finally:
        stop(server)
    assert env_file.read_text() == first


def test_serve_says_at_once_when_its_port_is_taken(fresh_clone):
    """A taken port stops the script before any setup, with how to choose another."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = subprocess.run(
            ["bash", "scripts/serve"],
            cwd=fresh_clone,
            env=fresh_shell_env(PORT=str(port)),
            capture_output=True,
            text=True,
            timeout=30,
        )

    assert result.returncode != 0
    assert f"127.0.0.1:{port} is not free" in result.stderr
    assert "PORT=8001 bash scripts/serve" in result.stderr
    assert time.monotonic() - started < 5
    assert not (fresh_clone / ".env").exists()
    assert not (fresh_clone / "data").exists()


def test_the_suites_settings_checks_pass_beside_the_development_env_serve_writes(fresh_clone):
    """The tests never read a developer's `.env`: with the one scripts/serve writes (DEBUG=1, dev
    keys) in place, the settings checks that start Django in a subprocess still see production."""
    (fresh_clone / ".env").write_text(
        "DEBUG=1\nSECRET_KEY=dev-" + "s" * 40 + "\nJWT_SIGNING_KEY=dev-" + "j" * 40 + "\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "accounts/tests/test_login_throttling.py",
            "-k",
            "jwt_signing_key or redis_url_selects",
        ],
        cwd=fresh_clone,
        env=fresh_shell_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout

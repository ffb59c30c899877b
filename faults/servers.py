"""Private PostgreSQL (and a streaming replica of it) and Redis servers for fault tests: made in a
temporary folder, removed after.

A fault test stops, restarts or pauses these, never the machine's shared services. Ports come
from ranges (FAULTS_PG_PORTS, default 5440-5449; FAULTS_REDIS_PORTS, default 6380-6389).
PostgreSQL refuses to run as root, so as root its commands run as the `postgres` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))


def port_range(variable: str, default: str) -> range:
    low, high = (int(part) for part in os.environ.get(variable, default).split("-"))
    return range(low, high + 1)


def free_port(ports: range) -> int:
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {ports.start}-{ports.stop - 1}")


def wait_for_port(port: int, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Nothing listens on port {port} after {timeout} s") from None
            time.sleep(0.05)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1, trust authentication, user `postgres`."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port(port_range("FAULTS_PG_PORTS", "5440-5449"))
        self.folder = Path(tempfile.mkdtemp(prefix="chirp-faults-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        if self.as_postgres:
            command = ("runuser", "-u", "postgres", "--", *command)
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> PrivatePostgres:
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        return self

    def start(self) -> float:
        """Start (or restart after stop) and wait until it accepts connections; returns when."""
        # fsync off: these tests restart the server, they do not cut the power; an acknowledged
        # commit is in the WAL either way.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
            "-c shared_buffers=32MB -c max_connections=40"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start"
        )
        return time.monotonic()

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PrivatePostgres:
        try:
            self.init()
            self.start()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class PrivateReplica(PrivatePostgres):
    """A hot standby of a running PrivatePostgres, made by pg_basebackup -R (it streams from it)."""

    def __init__(self, primary: PrivatePostgres):
        super().__init__()
        self.primary = primary

    def init(self) -> PrivateReplica:
        self._run(
            str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
            "-D", str(self.data), "-R", "-X", "stream",
        )  # fmt: skip
        return self


class PrivateRedis:
    """A throwaway redis-server on 127.0.0.1 without persistence."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port(port_range("FAULTS_REDIS_PORTS", "6380-6389"))
        self.folder = Path(tempfile.mkdtemp(prefix="chirp-faults-redis-"))
        self.process: subprocess.Popen | None = None
        self.paused = False

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> float:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, timeout=10)
        return time.monotonic()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            if self.paused:
                self.resume()
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def pause(self) -> None:
        """SIGSTOP: the server keeps its connections open and answers nothing."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
        self.paused = False

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PrivateRedis:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.remove()

"""Running the benchmark's ceiling scripts (bench/*.sql) as bench/run does, on the test database."""

import subprocess
from pathlib import Path

from django.db import connection


def pgbench_three_times(script: Path, **variables: int) -> None:
    """pgbench -M prepared runs the script three times on one client with these -D variables, and
    every transaction succeeds."""
    db = connection.settings_dict
    defines = [arg for name, value in variables.items() for arg in ("-D", f"{name}={value}")]
    result = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-c1", "-t3", *defines, "-f", str(script),
         "-h", db["HOST"] or "localhost", "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]],
        capture_output=True,
        text=True,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "number of failed transactions: 0" in result.stdout

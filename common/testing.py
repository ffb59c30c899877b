"""Helpers for tests that start servers of their own (gunicorn, an S3 server)."""

import os
import socket


def free_port(variable: str, default: str) -> int:
    """The first port free on 127.0.0.1 in the range an environment variable gives ("low-high")."""
    low, high = (int(part) for part in os.environ.get(variable, default).split("-"))
    for port in range(low, high + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {low}-{high} ({variable})")

"""Drop and create the PostgreSQL database a URL names (closing its sessions first): a fresh one per run.

python scripts/recreate_database.py postgres://postgres@127.0.0.1:5432/chirp_schemathesis
"""

import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def recreate(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres", query="").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


if __name__ == "__main__":
    recreate(sys.argv[1])

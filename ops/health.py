"""Readiness checks: can this process serve requests right now?

Each check raises on failure; `/readyz` runs them all and answers 503 naming the failed ones,
so a load balancer or `docker compose` stops routing to an instance that cannot work. A check
may instead report "degraded": the instance still serves every request (Redis down, the
database cache counting throttles instead; a read replica down, the primary reading for it), so
it stays in rotation.
"""

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from common.replicas import replica_aliases, replica_probe
from ops.cache import roundtrip

logger = logging.getLogger("chirp.health")


class CheckFailed(Exception):
    pass


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


_migrations_applied = False


def check_migrations() -> None:
    # Loading the migration graph reads every migration file; once everything is applied it stays
    # applied for this process's code, so a positive answer is remembered.
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise CheckFailed(f"{len(plan)} migrations are not applied")
    _migrations_applied = True


def check_storage() -> None:
    # At the top of the storage: a local storage creates folders for a name but never removes them.
    name = default_storage.save(f"readyz-{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


def check_cache() -> str:
    """ "degraded" while Redis is unreachable and the database cache serves in its place."""
    probe = getattr(cache, "probe", None)
    if probe is not None:
        return probe()
    roundtrip(cache)
    return "ok"


def check_replicas() -> str:
    """ "degraded" while a read replica does not answer and the primary reads in its place."""
    answering = [replica_probe(alias) for alias in replica_aliases()]
    return "ok" if all(answering) else "degraded"


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "migrations": check_migrations,
    "storage": check_storage,
    "cache": check_cache,
}


def run_checks() -> dict[str, str]:
    """Every check's outcome, "ok", "degraded" (serving, without a helper) or "failed"; the reason
    goes to the log, not to the caller."""
    results = {}
    checks = {**CHECKS, "replicas": check_replicas} if replica_aliases() else CHECKS
    for name, check in checks.items():
        try:
            outcome = check()
        except Exception as exc:
            logger.warning("Readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = "failed"
        else:
            results[name] = outcome or "ok"
    return results

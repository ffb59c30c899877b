"""Chirp's periodic jobs and when each is due; `manage.py run_periodic` runs them.

Every job is idempotent, so a run repeated after a restart, or by a second scheduler by mistake,
deletes nothing more than one run would.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.management import call_command

logger = logging.getLogger("chirp.periodic")


@dataclass(frozen=True)
class Job:
    name: str
    command: str
    args: tuple[str, ...]
    every: timedelta


JOBS = (
    # Images uploaded but never attached: rows and files (docs/operations.md, "No orphans...").
    Job("prune_media", "prune_media", ("--older-than", "24h"), timedelta(hours=1)),
    # Idempotency keys past their 24 hours (common.idempotency).
    Job("prune_idempotency_keys", "prune_idempotency_keys", (), timedelta(hours=1)),
    # Refresh tokens past their lifetime, from simplejwt's blacklist tables.
    Job("flushexpiredtokens", "flushexpiredtokens", (), timedelta(days=1)),
    # Expired admin sessions.
    Job("clearsessions", "clearsessions", (), timedelta(days=1)),
    # Notifications past NOTIFICATIONS_RETENTION_DAYS.
    Job("prune_notifications", "prune_notifications", (), timedelta(days=1)),
    # The daily email of unread notifications; each person gets it at most once a day.
    Job("send_notification_digests", "send_notification_digests", (), timedelta(hours=1)),
)


def due_jobs(*, jobs: tuple[Job, ...], last_runs: dict[str, datetime], now: datetime) -> list[Job]:
    """Jobs never run by this scheduler, or whose interval has passed since their last run."""
    return [job for job in jobs if job.name not in last_runs or now - last_runs[job.name] >= job.every]


def next_due(*, jobs: tuple[Job, ...], last_runs: dict[str, datetime], now: datetime) -> datetime:
    """When the earliest job is due next (now, if one already is)."""
    return min(last_runs[job.name] + job.every if job.name in last_runs else now for job in jobs)


def run_job(job: Job) -> bool:
    """Run one job; a failure is logged and reported, never raised, so the other jobs keep running."""
    started = time.monotonic()
    try:
        call_command(job.command, *job.args)
    except Exception:
        logger.exception("Periodic job %s failed", job.name)
        return False
    logger.info("Periodic job %s done in %.1f s", job.name, time.monotonic() - started)
    return True


def run_forever(
    *,
    jobs: tuple[Job, ...] = JOBS,
    clock: Callable[[], datetime],
    sleep: Callable[[float], object],
    stopped: Callable[[], bool] = lambda: False,
    rounds: int | None = None,
) -> None:
    """Run each job when due, sleeping in between, until `stopped()`: a stop asked for during a job
    lets that job finish and starts no other. `rounds` bounds the loop (tests)."""
    last_runs: dict[str, datetime] = {}
    while not stopped() and (rounds is None or rounds > 0):
        now = clock()
        for job in due_jobs(jobs=jobs, last_runs=last_runs, now=now):
            if stopped():
                return
            run_job(job)
            # From the start of the round: a slow job does not push the schedule later and later.
            last_runs[job.name] = now
        wait = (next_due(jobs=jobs, last_runs=last_runs, now=clock()) - clock()).total_seconds()
        if rounds is not None:
            rounds -= 1
        sleep(max(wait, 1.0))

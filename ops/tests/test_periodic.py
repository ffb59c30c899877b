import os
import shutil
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from media.models import Media
from ops import periodic
from ops.periodic import JOBS, Job, due_jobs, next_due, run_forever

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BY_NAME = {job.name: job for job in JOBS}


def test_every_job_is_due_on_the_schedulers_first_round():
    """A scheduler that just started runs everything once instead of waiting a day."""
    assert due_jobs(jobs=JOBS, last_runs={}, now=T0) == list(JOBS)


def test_media_and_idempotency_key_pruning_are_hourly_and_token_and_session_cleanup_daily():
    """An hour after a round only the hourly jobs are due again; a day after, every job is."""
    last_runs = {job.name: T0 for job in JOBS}

    assert due_jobs(jobs=JOBS, last_runs=last_runs, now=T0 + timedelta(minutes=59)) == []
    hourly = [BY_NAME["prune_media"], BY_NAME["prune_idempotency_keys"], BY_NAME["send_notification_digests"]]
    assert due_jobs(jobs=JOBS, last_runs=last_runs, now=T0 + timedelta(hours=1)) == hourly
    assert due_jobs(jobs=JOBS, last_runs=last_runs, now=T0 + timedelta(days=1)) == list(JOBS)
    assert next_due(jobs=JOBS, last_runs=last_runs, now=T0) == T0 + timedelta(hours=1)


def test_the_scheduler_sleeps_until_the_next_job_is_due_and_survives_a_failing_job(monkeypatch):
    """A failing job is logged and retried on schedule; the others still run on theirs."""
    ran: list[str] = []

    def fake_call_command(command, *args):
        ran.append(command)
        if command == "broken":
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(periodic, "call_command", fake_call_command)
    jobs = (Job("broken", "broken", (), timedelta(minutes=10)), Job("daily", "daily", (), timedelta(days=1)))
    now = [T0]
    slept: list[float] = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += timedelta(seconds=seconds)

    run_forever(jobs=jobs, clock=lambda: now[0], sleep=sleep, rounds=3)

    assert ran == ["broken", "daily", "broken", "broken"]
    assert slept == [600.0, 600.0, 600.0]


@pytest.mark.django_db(transaction=True)
def test_run_periodic_once_prunes_old_media_expired_tokens_and_sessions(make_user, make_media, settings):
    """Each real job runs and deletes only what is stale: fresh media, tokens and sessions stay."""
    owner = make_user("Olive Owner")
    old_media, fresh_media = make_media(owner), make_media(owner)
    Media.objects.filter(pk=old_media.pk).update(created_at=timezone.now() - timedelta(days=2))
    now = timezone.now()
    for jti, expires in (("expired", now - timedelta(hours=1)), ("valid", now + timedelta(hours=1))):
        OutstandingToken.objects.create(user=owner.user, jti=jti, token="t", expires_at=expires)
    for key, days in (("expiredsession0000000000000000000", -1), ("livesession000000000000000000000", 1)):
        Session.objects.create(session_key=key, session_data="e30", expire_date=now + timedelta(days=days))

    call_command("run_periodic", "--once")

    assert list(Media.objects.values_list("pk", flat=True)) == [fresh_media.pk]
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["valid"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["livesession000000000000000000000"]


def test_a_stop_asked_for_during_a_job_lets_it_finish_and_starts_no_other(monkeypatch):
    """SIGTERM mid-job: the job runs to its end, the next one due is left for the next scheduler."""
    ran: list[str] = []
    stop = threading.Event()

    def fake_call_command(command, *args):
        stop.set()
        ran.append(f"{command} finished")

    monkeypatch.setattr(periodic, "call_command", fake_call_command)
    jobs = (Job("first", "first", (), timedelta(hours=1)), Job("second", "second", (), timedelta(hours=1)))

    run_forever(jobs=jobs, clock=lambda: T0, sleep=stop.wait, stopped=stop.is_set)

    assert ran == ["first finished"]


def test_the_scheduler_exits_at_once_on_sigterm_as_pid_1_of_its_container(tmp_path):
    """`docker compose stop` sends SIGTERM to the scheduler, PID 1 of its container: it exits 0 at
    once instead of being killed after the grace period. As root the command runs as PID 1 of a new
    PID namespace (unshare), where a signal without a handler is ignored, as in the container."""
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    env = {
        "PATH": os.environ["PATH"],
        "ENV_FILE": str(env_file),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "CHIRP_DATA_DIR": str(tmp_path),
    }
    as_pid_1 = (
        ["unshare", "--pid", "--fork", "--kill-child"]
        if os.geteuid() == 0 and shutil.which("unshare")
        else []
    )
    scheduler = subprocess.Popen(
        [*as_pid_1, sys.executable, "manage.py", "run_periodic"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert scheduler.stdout is not None
    log = scheduler.stdout
    try:
        lines: list[str] = []
        # The first round runs every job (they fail on this empty database, logged), then sleeps.
        while not any("clearsessions" in line for line in lines):
            line = log.readline()
            assert line, "".join(lines)
            lines.append(line)
        target = scheduler.pid
        if as_pid_1:
            target = int(Path(f"/proc/{scheduler.pid}/task/{scheduler.pid}/children").read_text().split()[0])
        os.kill(target, signal.SIGTERM)
        # Before `docker compose stop` gives up (10 s) and kills it.
        returncode = scheduler.wait(timeout=8)
        output = "".join(lines) + log.read()
    finally:
        scheduler.kill()
        scheduler.wait()

    assert returncode == 0, output
    assert "Scheduler stopped on SIGTERM" in output

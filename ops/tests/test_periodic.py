from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from media.models import Media
from ops import periodic
from ops.periodic import JOBS, Job, due_jobs, next_due, run_forever

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BY_NAME = {job.name: job for job in JOBS}


def test_every_job_is_due_on_the_schedulers_first_round():
    """A scheduler that just started runs everything once instead of waiting a day."""
    assert due_jobs(jobs=JOBS, last_runs={}, now=T0) == list(JOBS)


def test_media_pruning_is_hourly_and_token_and_session_cleanup_daily():
    """An hour after a round only prune_media is due again; a day after, all three are."""
    last_runs = {job.name: T0 for job in JOBS}

    assert due_jobs(jobs=JOBS, last_runs=last_runs, now=T0 + timedelta(minutes=59)) == []
    assert due_jobs(jobs=JOBS, last_runs=last_runs, now=T0 + timedelta(hours=1)) == [BY_NAME["prune_media"]]
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

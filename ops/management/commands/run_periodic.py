import logging
import signal
import threading
from datetime import UTC, datetime

from django.core.management.base import BaseCommand

from ops.periodic import JOBS, run_forever, run_job

logger = logging.getLogger("chirp.periodic")


class Command(BaseCommand):
    help = (
        "Run Chirp's periodic jobs on their schedule, in the foreground until stopped: "
        + ", ".join(f"{job.name} every {job.every}" for job in JOBS)
        + ". Run one per deployment (the compose `scheduler` service)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once now, then exit.")

    def handle(self, *args, once: bool, **options):
        if once:
            failed = [job.name for job in JOBS if not run_job(job)]
            if failed:
                self.stderr.write(f"Failed: {', '.join(failed)}")
                raise SystemExit(1)
            return
        # The scheduler is PID 1 of its container, where a signal without a handler is ignored:
        # `docker compose stop` would wait its grace period, then kill it mid-job. With these, a stop
        # ends the sleep at once, or lets the running job finish first.
        stop = threading.Event()
        received: list[int] = []

        def request_stop(signum, frame):
            # No logging here: the signal may arrive while the log stream is mid-write.
            received.append(signum)
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        run_forever(clock=lambda: datetime.now(UTC), sleep=stop.wait, stopped=stop.is_set)
        logger.info("Scheduler stopped on %s", signal.Signals(received[0]).name)

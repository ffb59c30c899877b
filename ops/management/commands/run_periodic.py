import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand

from ops.periodic import JOBS, run_forever, run_job


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
        run_forever(clock=lambda: datetime.now(UTC), sleep=time.sleep)

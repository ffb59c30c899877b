from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notifications.services import notifications_prune


class Command(BaseCommand):
    help = (
        "Delete notifications older than NOTIFICATIONS_RETENTION_DAYS (default 90), or --days. "
        "run_periodic runs it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep this many days instead.")

    def handle(self, *args, days: int | None, **options):
        days = settings.NOTIFICATIONS_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = notifications_prune(older_than=timedelta(days=days))
        self.stdout.write(f"Deleted {deleted} notifications older than {days} days.")

from django.core.management.base import BaseCommand

from notifications.digests import digests_send


class Command(BaseCommand):
    help = (
        "Email the daily digest of unread notifications to those who asked for it (Settings), at most "
        "once a day each. run_periodic runs it hourly."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Sent {digests_send()} notification digests.")

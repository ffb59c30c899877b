from django.core.management.base import BaseCommand

from common.idempotency import IDEMPOTENCY_KEY_TTL, idempotency_keys_prune


class Command(BaseCommand):
    help = (
        "Delete Idempotency-Key records past their 24 hours (expired keys are ignored anyway; this "
        "keeps the table small). run_periodic runs it hourly."
    )

    def handle(self, *args, **options):
        deleted = idempotency_keys_prune(older_than=IDEMPOTENCY_KEY_TTL)
        self.stdout.write(f"Deleted {deleted} expired idempotency keys.")

"""Rebuild the full-text search index of tweets, in batches, while the site serves."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from tweets import search_index

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "(Re)build the search index of every tweet with SEARCH_CONFIG, BATCH rows per transaction; "
        "safe while the site serves (run it after changing SEARCH_CONFIG)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=10_000, help="Rows per transaction (default 10000).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        connection = connections[options["database"]]
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            filled = BAR_WIDTH * done // total if total else BAR_WIDTH
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} tweets, {elapsed:.0f}s",
                ending="",
            )
            self.stdout.flush()

        try:
            done, written = search_index.rebuild(connection, batch=options["batch"], progress=progress)
        except KeyboardInterrupt:
            # Each batch committed on its own, and a post already indexed is skipped next time.
            self.stdout.write("")
            raise CommandError(
                "Interrupted. The posts indexed so far keep their new index; run the command again to"
                " finish (it skips them)."
            ) from None
        self.stdout.write("")
        config = settings.SEARCH_CONFIG if connection.vendor == "postgresql" else "FTS5"
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {done} tweets ({config}) in {time.monotonic() - started:.1f}s:"
                f" {written} written, {done - written} already up to date."
            )
        )

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from dataset.services import DatabaseNotEmpty, ImportRejected, csv_import


class Command(BaseCommand):
    help = (
        "Import users.csv, follows.csv, tweets.csv and likes.csv from DIR into an empty database. "
        "Every row is checked first; if any is bad, the problems are listed and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--max-problems", type=int, default=100, help="How many problems to list in full (default 100)."
        )
        parser.add_argument(
            "--check-only", action="store_true", help="Validate the files and report; import nothing."
        )

    def handle(self, *args, **options):
        try:
            summary = csv_import(
                directory=options["directory"],
                progress=lambda message: self.stderr.write(message, style_func=lambda s: s),
                max_problems=options["max_problems"],
                check_only=options["check_only"],
            )
        except DatabaseNotEmpty as exc:
            raise CommandError(str(exc)) from exc
        except ImportRejected as exc:
            for problem in exc.problems.shown:
                self.stderr.write(str(problem))
            hidden = exc.problems.total - len(exc.problems.shown)
            if hidden:
                self.stderr.write(f"... and {hidden} more")
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:  # what validation cannot see, e.g. a constraint added since
            raise CommandError(f"The database refused the data; nothing was imported: {exc}") from exc
        verb = "Checked, not imported:" if options["check_only"] else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {summary.users:,} users, {summary.follows:,} follows, "
                f"{summary.tweets:,} tweets and {summary.likes:,} likes."
            )
        )

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from media.services import ORPHAN_MIN_AGE, media_orphan_files_sweep, media_prune

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """'30m', '24h', '7d' (also s and w) as a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30m, 24h or 7d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = (
        "Delete uploaded media that no tweet claimed (rows and stored files, thumbnails included), "
        "then stored files that no media row names (left by failed uploads or deletions). "
        "Run it periodically, e.g. hourly from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            default="24h",
            help="Only media uploaded longer ago than this: 30m, 24h, 7d (default 24h).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted, delete nothing."
        )

    def handle(self, *args, older_than: str, dry_run: bool, **options):
        try:
            age = parse_duration(older_than)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        pruned = media_prune(older_than=age, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        for row in pruned:
            names = ", ".join(name for name in (row["file"], row["thumbnail"]) if name)
            self.stdout.write(
                f"{verb} media {row['pk']} uploaded {row['created_at']:%Y-%m-%d %H:%M}: {names}"
            )
        self.stdout.write(f"{verb} {len(pruned)} unattached media older than {older_than.strip()}.")
        swept = media_orphan_files_sweep(older_than=age, dry_run=dry_run)
        for name in swept:
            self.stdout.write(f"{verb} stored file {name}: no media names it")
        self.stdout.write(
            f"{verb} {len(swept)} stored files that no media names, older than "
            f"{older_than.strip()} (and never younger than {ORPHAN_MIN_AGE.seconds // 60}m)."
        )

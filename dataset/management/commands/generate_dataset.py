import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dataset.generator import PRESETS, generate, sizes_for, write


class Command(BaseCommand):
    help = (
        "Write a synthetic data set (users.csv, follows.csv, tweets.csv, likes.csv) for import_csv, "
        "deterministic for a seed. Generated user N has the api key bench-SEED-N."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--preset", choices=sorted(PRESETS), default="S")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--users", type=int)
        parser.add_argument("--follows-per-user", type=int, dest="follows_per_user")
        parser.add_argument("--tweets-per-user", type=int, dest="tweets_per_user")
        parser.add_argument("--likes", type=int)

    def handle(self, *args, **options):
        sizes = sizes_for(
            options["preset"],
            users=options["users"],
            follows_per_user=options["follows_per_user"],
            tweets_per_user=options["tweets_per_user"],
            likes=options["likes"],
        )
        try:
            sizes.check()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        started = time.monotonic()
        dataset = generate(sizes, seed=options["seed"])
        self.stdout.write(f"Generated {sizes} in {time.monotonic() - started:.1f}s")
        write(dataset, options["directory"], progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {options['directory']} in {time.monotonic() - started:.1f}s")
        )

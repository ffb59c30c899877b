from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import user_for_api_key

# As if signed in with a password (the backend Django then records in the session).
BACKEND = "accounts.backends.PasswordBackend"


class Command(BaseCommand):
    help = (
        "For the benchmark's web scenario: a signed-in web session for each of the first COUNT users "
        "of an api key file (one key a line); writes one `sessionid=...` cookie a line."
    )

    def add_arguments(self, parser):
        parser.add_argument("keys_file", type=Path)
        parser.add_argument("cookies_file", type=Path)
        parser.add_argument("--count", type=int, default=1000)

    def handle(self, *args, keys_file: Path, cookies_file: Path, count: int, **options):
        keys = [line.strip() for line in keys_file.read_text().splitlines() if line.strip()][:count]
        cookies = []
        for key in keys:
            user = user_for_api_key(key)
            if user is None:
                raise CommandError(f"{keys_file}: a key of no active user")
            # What django.contrib.auth.login stores, without a request to log in from.
            session = SessionStore()
            session.update(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: BACKEND,
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
            )
            session.create()
            cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}\n")
        cookies_file.write_text("".join(cookies))
        self.stdout.write(f"{len(cookies)} sessions written to {cookies_file}")

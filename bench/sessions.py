"""The benchmark's web scenario signs in with a session cookie per user, not an api key.

bench.py runs `python bench/sessions.py KEYS_FILE COOKIES_FILE [COUNT]` with the benchmark's
environment: for each of the first COUNT (default 1000) users of the api key file (one key a
line) it stores the session django.contrib.auth.login would, and writes one `sessionid=...`
cookie a line. Bench code, not Chirp's: it builds on Chirp's key lookup and Django's sessions.
"""

import os
import sys
from pathlib import Path

# As if signed in with a password (the backend Django then records in the session).
BACKEND = "accounts.backends.PasswordBackend"


def sessions_write(keys_file: Path, cookies_file: Path, count: int = 1000) -> int:
    """Write the cookies; returns how many. SystemExit for a key of no active user."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.selectors import user_for_api_key

    keys = [line.strip() for line in keys_file.read_text().splitlines() if line.strip()][:count]
    cookies = []
    for key in keys:
        user = user_for_api_key(key)
        if user is None:
            raise SystemExit(f"{keys_file}: a key of no active user")
        session = import_module(settings.SESSION_ENGINE).SessionStore()
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
    return len(cookies)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    keys_file, cookies_file = Path(sys.argv[1]), Path(sys.argv[2])
    written = sessions_write(keys_file, cookies_file, int(sys.argv[3]) if len(sys.argv) > 3 else 1000)
    print(f"{written} sessions written to {cookies_file}")


if __name__ == "__main__":
    main()

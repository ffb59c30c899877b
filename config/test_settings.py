"""Settings for the test suite: the real settings plus what makes tests fast and hermetic."""

import os
import tempfile

# Hermetic: the development .env that scripts/serve writes (DEBUG=1) must not change the tests.
os.environ.setdefault("ENV_FILE", os.devnull)
os.environ.setdefault("SECRET_KEY", "chirp-test-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("JWT_SIGNING_KEY", "chirp-test-only-jwt-signing-key-0123456789")
# Throttle counters live in the cache; the database cache rolls back with each test, Redis would not.
os.environ.pop("REDIS_URL", None)
# The tests exercise the development server's /media/ view (production leaves it to nginx).
os.environ.setdefault("SERVE_MEDIA", "1")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="chirp-test-media-"))  # noqa: F405
# The test client speaks plain HTTP; production's HTTPS redirect is tested by `check --deploy`.
SECURE_SSL_REDIRECT = False
# Pages render without a collectstatic manifest; the browser tests (web/tests/browser) run the
# production storage, hashed and compressed, under gunicorn.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

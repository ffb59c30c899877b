"""`manage.py migrate` alone leaves a working database: the cache table included (issue 11, item 1)."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import caches
from rest_framework.test import APIClient

# Run in a fresh process against a database that only `migrate` has touched: a user logs in
# (throttled through the cache) and uploads an image (throttled too).
SCENARIO = """
import io
from django.test import Client
from PIL import Image
from accounts.services import user_create
user, key = user_create(name="Ada", username="ada", password="correct horse battery staple")
client = Client()
login = client.post("/api/auth/token", {"username": "ada", "password": "correct horse battery staple"},
                    content_type="application/json")
image = io.BytesIO()
Image.new("RGB", (8, 8)).save(image, "PNG")
image.name = "dot.png"
image.seek(0)
upload = client.post("/api/medias", {"file": image}, HTTP_API_KEY=key)
from django.db import connection
tables = connection.introspection.table_names()
print("statuses", login.status_code, upload.status_code, "chirp_cache" in tables)
"""


def test_login_and_upload_work_on_a_database_made_by_migrate_alone(tmp_path):
    """No createcachetable step: migrate makes the throttles' cache table itself."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ENV_FILE": str(tmp_path / "empty.env"),
        "SECRET_KEY": "a-secret-key-for-this-test-only",
        "JWT_SIGNING_KEY": "a-jwt-signing-key-for-this-test-only-0123456789",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "CHIRP_DATA_DIR": str(tmp_path),
    }
    (tmp_path / "empty.env").write_text("")

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )

    migrated = manage("migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    scenario = manage("shell", "-c", SCENARIO)

    assert scenario.returncode == 0, scenario.stderr
    assert scenario.stdout.splitlines()[-1] == "statuses 200 201 True"
    assert manage("createcachetable").returncode == 0  # still there, and a no-op


@pytest.mark.django_db(transaction=True)
def test_a_failing_cache_never_turns_a_login_into_a_500(make_user, settings):
    """Throttle counters are not worth a failed request: the cache's error is logged and skipped."""
    make_user("Ada", username="ada", password="correct horse battery staple")
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "ops.cache.SafeDatabaseCache", "LOCATION": "a_table_nobody_created"},
    }
    assert caches["default"].get("anything", "fallback") == "fallback"

    response = APIClient().post(
        "/api/auth/token", {"username": "ada", "password": "correct horse battery staple"}, format="json"
    )

    assert response.status_code == 200

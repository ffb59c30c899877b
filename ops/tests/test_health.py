import pytest
from django.test import override_settings

from ops import health


@pytest.fixture(autouse=True)
def _forget_migration_check(monkeypatch):
    """Each test runs the migrations check afresh instead of trusting an earlier positive answer."""
    monkeypatch.setattr(health, "_migrations_applied", False)


def test_livez_answers_ok_without_touching_the_database(client):
    """Liveness is the process answering: no database (this test may not use one), no restarts."""
    response = client.get("/livez")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_reports_every_check_ok_when_the_instance_can_serve(client):
    """Database, migrations, storage and cache are all checked and reported by name."""
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "storage": "ok", "cache": "ok"},
    }


@pytest.mark.django_db
def test_readyz_leaves_nothing_behind_in_local_media(client, tmp_path, settings):
    """The storage check's probe file goes away, and no folder is left for it either."""
    settings.MEDIA_ROOT = str(tmp_path)

    for _ in range(2):
        assert client.get("/readyz").status_code == 200

    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["chirp.example.com"])
def test_readyz_answers_probes_by_container_address_over_plain_http(client):
    """Docker and Prometheus reach a worker as web:8000 over HTTP: no host error, no redirect."""
    response = client.get("/readyz", HTTP_HOST="web:8000")

    assert response.status_code == 200


@pytest.mark.django_db
def test_readyz_is_503_naming_storage_when_media_cannot_be_written(client, tmp_path, settings):
    """An unwritable media directory makes the instance unready, and the body says which check."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the media directory should be")
    settings.MEDIA_ROOT = str(blocker)

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["storage"] == "failed"
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_when_the_cache_is_unusable(client, settings):
    """A configured cache that cannot be used (here: its table was never created) is a failure."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cache_table_that_was_never_created",
        }
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "failed"


@pytest.mark.django_db
def test_readyz_is_503_while_migrations_are_pending(client, settings):
    """A database behind the code (a pending migration) is not ready to serve that code."""
    settings.MIGRATION_MODULES = {"ops": "ops.tests.pending_migrations"}

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "failed"


def test_health_endpoints_refuse_writes(client):
    """Probes are read-only; anything but GET/HEAD is a 405."""
    response = client.post("/readyz")

    assert response.status_code == 405

"""Settings that once hid a trap: options dropped from DATABASE_URL, /media/ served by production."""

import json

from ops.tests.test_configuration import manage, production_env

SHOW = "import json; from django.conf import settings as s; print(json.dumps({expr}, default=str))"


def setting(expression: str, environ: dict[str, str]):
    """The value of a Python expression over the settings, as a fresh process configured so sees it."""
    result = manage("shell", "-c", SHOW.format(expr=expression), environ=environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_database_url_options_reach_the_connection(tmp_path):
    """sslmode, sslrootcert, connect_timeout from DATABASE_URL are kept beside Chirp's own options."""
    url = (
        "postgres://chirp@db.internal:5432/chirp"
        "?sslmode=verify-full&sslrootcert=/etc/ssl/db-ca.pem&connect_timeout=3&application_name=chirp-web"
    )

    options = setting('s.DATABASES["default"]["OPTIONS"]', production_env(tmp_path, DATABASE_URL=url))

    assert options["sslmode"] == "verify-full"
    assert options["sslrootcert"] == "/etc/ssl/db-ca.pem"
    assert str(options["connect_timeout"]) == "3"
    assert options["application_name"] == "chirp-web"
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5


def test_database_url_options_are_kept_without_server_side_binding(tmp_path):
    """With DB_SERVER_SIDE_BINDING off the URL's options are all there is."""
    environ = production_env(
        tmp_path, DATABASE_URL="postgres://chirp@db/chirp?sslmode=require", DB_SERVER_SIDE_BINDING="0"
    )

    assert setting('s.DATABASES["default"]["OPTIONS"]', environ) == {"sslmode": "require"}


def test_sqlite_url_options_override_the_defaults(tmp_path):
    """A SQLite URL's own timeout wins over Chirp's default, which stays otherwise."""
    environ = production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/chirp.sqlite3?timeout=5")

    options = setting('s.DATABASES["default"]["OPTIONS"]', environ)

    assert str(options["timeout"]) == "5"
    assert options["transaction_mode"] == "IMMEDIATE"


def test_production_does_not_serve_media_unless_told(tmp_path):
    """Without DEBUG, SERVE_MEDIA defaults off: nginx or the object store serves /media/."""
    empty = tmp_path / "empty.env"
    empty.write_text("")
    environ = production_env(tmp_path, ENV_FILE=str(empty), ALLOWED_HOSTS="chirp.example.com")

    assert setting("s.SERVE_MEDIA", environ) is False
    assert setting("s.SERVE_MEDIA", {**environ, "DEBUG": "1"}) is True
    assert setting("s.SERVE_MEDIA", {**environ, "SERVE_MEDIA": "1"}) is True

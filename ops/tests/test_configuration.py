import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config import env

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env_file(tmp_path, monkeypatch):
    """Point ENV_FILE at a temporary file and re-read it for each write."""
    path = tmp_path / "chirp.env"

    def write(text: str) -> None:
        path.write_text(text)
        env._env_file_values.cache_clear()

    monkeypatch.setenv("ENV_FILE", str(path))
    write("")
    yield write
    env._env_file_values.cache_clear()


def test_environment_overrides_env_file_which_overrides_defaults(env_file, monkeypatch):
    """The layering operators expect: process environment > .env > built-in default."""
    env_file("FEED_MAX_LIMIT=50\nTWEET_MAX_LENGTH=500\n")
    monkeypatch.setenv("TWEET_MAX_LENGTH", "140")
    monkeypatch.delenv("FEED_MAX_LIMIT", raising=False)
    monkeypatch.delenv("FEED_MAX_ITEMS", raising=False)

    assert env.env_int("TWEET_MAX_LENGTH", 280) == 140
    assert env.env_int("FEED_MAX_LIMIT", 100) == 50
    assert env.env_int("FEED_MAX_ITEMS", 1000) == 1000


def test_env_file_syntax_follows_docker_compose(env_file, monkeypatch):
    """Comments, blank lines, `export`, quotes and trailing comments read as docker compose reads them."""
    for name in ("A", "B", "C", "D", "E"):
        monkeypatch.delenv(name, raising=False)
    env_file("# comment\n\nexport A=1\nB=\"two words\"\nC='x # not a comment'\nD=4 # trailing\nE=\n")

    assert [env.env_str(name) for name in "ABCDE"] == ["1", "two words", "x # not a comment", "4", ""]


def test_a_malformed_env_file_line_names_the_file_and_line(env_file):
    """A line that is not NAME=value stops start-up with where it is."""
    env_file("GOOD=1\nthis is not an assignment\n")

    with pytest.raises(env.ImproperlyConfiguredEnv, match=r"chirp.env, line 2"):
        env.env_str("GOOD")


def test_a_missing_env_file_named_explicitly_is_an_error(monkeypatch, tmp_path):
    """ENV_FILE pointing nowhere is a typo to report, not a silent empty configuration."""
    monkeypatch.setenv("ENV_FILE", str(tmp_path / "missing.env"))
    env._env_file_values.cache_clear()
    try:
        with pytest.raises(env.ImproperlyConfiguredEnv, match="ENV_FILE"):
            env.env_str("ANYTHING")
    finally:
        env._env_file_values.cache_clear()


def test_a_malformed_value_in_the_env_file_names_the_variable(env_file, monkeypatch):
    """Values from .env are validated like the environment's."""
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)
    env_file("DB_CONN_MAX_AGE=forever\n")

    with pytest.raises(env.ImproperlyConfiguredEnv, match="DB_CONN_MAX_AGE='forever' is not an integer"):
        env.env_int("DB_CONN_MAX_AGE", 60)


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """A clean process environment with .env.example's documented production values; None removes one."""
    env_file = tmp_path / "production.env"
    env_file.write_text((REPO / ".env.example").read_text())
    values: dict[str, str | None] = {
        "PATH": os.environ["PATH"],
        "ENV_FILE": str(env_file),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CHIRP_DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(50),
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def manage(*args: str, environ: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    """`check --deploy` reports nothing, not even a warning, with the documented production values."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", environ=production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    """No development fallback key when DEBUG is off."""
    environ = production_env(tmp_path, SECRET_KEY="")

    result = manage("check", environ=environ)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("name", ["SECRET_KEY", "JWT_SIGNING_KEY"])
def test_production_refuses_to_start_with_a_placeholder_from_env_example(tmp_path, name):
    """Copying .env.example without editing it must not run with a publicly known key."""
    result = manage("check", environ=production_env(tmp_path, **{name: None}))

    assert result.returncode != 0
    assert f"{name} is still the placeholder from .env.example." in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    """An empty ALLOWED_HOSTS (environment wins over the file) stops start-up."""
    result = manage("check", environ=production_env(tmp_path, ALLOWED_HOSTS=""))

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DB_CONN_MAX_AGE", "sixty", "DB_CONN_MAX_AGE='sixty' is not an integer"),
        ("SECURE_SSL_REDIRECT", "maybe", "SECURE_SSL_REDIRECT='maybe' is not a boolean"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL='LOUD' must be one of"),
    ],
)
def test_an_invalid_value_stops_start_up_naming_the_variable(tmp_path, name, value, message):
    """A typo in a deployment fails loudly instead of falling back to a default."""
    result = manage("check", environ=production_env(tmp_path, **{name: value}))

    assert result.returncode != 0
    assert message in result.stderr


def database_options(environ: dict[str, str], *aliases: str) -> dict[str, dict]:
    """Each alias's DATABASES OPTIONS as the settings build them from `environ`."""
    code = (
        "import django, json, sys; django.setup(); from django.conf import settings;"
        " print(json.dumps({a: settings.DATABASES[a]['OPTIONS'] for a in sys.argv[1:]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *aliases], cwd=REPO, env=environ, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("binding", "expected"), [("1", {"server_side_binding": True, "prepare_threshold": 5}), ("0", {})]
)
def test_db_server_side_binding_0_leaves_statements_unprepared_for_transaction_poolers(
    tmp_path, binding, expected
):
    """Behind PgBouncer in transaction mode (scripts/e2e-scale), DB_SERVER_SIDE_BINDING=0 prepares nothing."""
    environ = production_env(
        tmp_path,
        DATABASE_URL="postgres://chirp@127.0.0.1:6432/chirp",
        DB_SERVER_SIDE_BINDING=binding,
        DATABASE_REPLICA_URLS="postgres://chirp@127.0.0.1:6433/chirp",
    )

    assert database_options(environ, "default", "replica1") == {"default": expected, "replica1": expected}


def test_each_replica_keeps_the_options_of_its_own_url(tmp_path):
    """`?sslmode=require&connect_timeout=2` on a replica URL reaches that replica's connections only."""
    environ = production_env(
        tmp_path,
        DATABASE_URL="postgres://chirp@127.0.0.1:6432/chirp?application_name=primary",
        DATABASE_REPLICA_URLS=(
            "postgres://chirp@10.0.0.2:5432/chirp?sslmode=require&connect_timeout=2,"
            "postgres://chirp@10.0.0.3:5432/chirp"
        ),
    )

    options = database_options(environ, "default", "replica1", "replica2")

    binding = {"server_side_binding": True, "prepare_threshold": 5}
    assert options["default"] == {**binding, "application_name": "primary"}
    assert options["replica1"] == {**binding, "sslmode": "require", "connect_timeout": 2}
    assert options["replica2"] == binding


def test_the_test_suite_ignores_a_developers_env_file(tmp_path):
    """After `bash scripts/serve` the repo has a .env with DEBUG=1; the test settings still run DEBUG off."""
    dev_env = tmp_path / ".env"
    dev_env.write_text("DEBUG=1\n")
    code = (
        "import sys; from pathlib import Path; import config.env as env;"
        " env._DEFAULT_ENV_FILE = Path(sys.argv[1]); import config.test_settings as s; print(s.DEBUG)"
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("ENV_FILE", "DEBUG")}

    result = subprocess.run(
        [sys.executable, "-c", code, str(dev_env)], cwd=REPO, env=environ, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"

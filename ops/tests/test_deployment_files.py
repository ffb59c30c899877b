"""The deployment files agree with the code: no Docker engine runs here, so they are checked statically.

scripts/e2e then exercises the nginx template and gunicorn configuration for real.
"""

import fnmatch
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from ops import metrics

REPO = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (REPO / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
TEMPLATE = (REPO / "deploy/nginx/chirp.conf.template").read_text()
DOCKERFILE = (REPO / "Dockerfile").read_text()
# ${VAR}, ${VAR:-default}, ${VAR:?message}; `$${VAR}` is compose's escape for a literal `$`.
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(?::?[-?+])([^}]*))?\}")


def documented_variables() -> set[str]:
    """Names .env.example lists, set or commented out."""
    lines = (REPO / ".env.example").read_text().splitlines()
    return {m[1] for line in lines if (m := re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line))}


def variables_read_by_code() -> set[str]:
    """Every environment variable the settings, gunicorn.conf.py and the apps read.

    Not the fault tests' own FAULTS_* (faults/, documented in the README's Reliability section), nor
    what the benchmark passes to its own processes (bench/).
    """
    pattern = re.compile(
        r"""(?:env_(?:str|bool|int|list|choice)\(|os\.environ(?:\.get|\.setdefault)?[\[(])\s*"([A-Z][A-Z0-9_]*)\""""
    )
    names = set()
    for path in REPO.rglob("*.py"):
        parts = set(path.relative_to(REPO).parts)
        if parts & {".venv", "tests", "migrations", "faults", "bench"} or path.name == "test_settings.py":
            continue
        names |= set(pattern.findall(path.read_text()))
    return names - {"DJANGO_SETTINGS_MODULE"}


def mounts(service: str) -> dict[str, str]:
    """Container path -> source (volume name or host path) of a service's volumes."""
    result = {}
    for entry in SERVICES[service].get("volumes", []):
        # Resolve `${VAR:-default}` to its default before splitting on ":".
        entry = INTERPOLATION.sub(lambda m: m[2] or "", entry)
        source, target = entry.split(":")[:2]
        result[target] = source
    return result


def dockerfile_env(name: str) -> str:
    match = re.search(rf"\b{name}=(\S+)", DOCKERFILE.split("\nFROM ")[-1])
    assert match, name
    return match[1]


def test_the_stack_has_the_services_an_operator_expects():
    """Database, cache, one-shot migrations, app, front server and monitoring."""
    default = {name for name, service in SERVICES.items() if "profiles" not in service}
    assert default == {"db", "redis", "migrate", "web", "scheduler", "nginx", "prometheus", "grafana"}


def test_web_waits_for_a_healthy_database_and_for_migrations_to_finish():
    """Migrations run once, in `migrate`, before any web replica starts."""
    assert "healthcheck" in SERVICES["db"]
    assert SERVICES["web"]["depends_on"]["db"] == {"condition": "service_healthy"}
    assert SERVICES["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert SERVICES["migrate"]["command"] == ["sh", "deploy/release.sh"]
    release = (REPO / "deploy/release.sh").read_text()
    assert "manage.py migrate --noinput" in release
    # migrate creates the cache table itself (issue 11, item 1): no separate step to forget.
    assert "createcachetable" not in release
    assert "manage.py createsuperuser --noinput" in release


def test_superuser_variables_cover_every_required_field_of_the_user_model():
    """createsuperuser --noinput needs DJANGO_SUPERUSER_<FIELD> for each REQUIRED_FIELD."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    fields = [user_model.USERNAME_FIELD, "password", *user_model.REQUIRED_FIELDS]
    assert {f"DJANGO_SUPERUSER_{field.upper()}" for field in fields} <= documented_variables()


def test_data_lives_in_named_volumes_that_survive_down_and_up():
    """Database, media and monitoring data are named volumes, declared at the top level."""
    assert mounts("db")["/var/lib/postgresql/data"] == "pgdata"
    assert mounts("prometheus")["/prometheus"] == "prometheus"
    assert mounts("grafana")["/var/lib/grafana"] == "grafana"
    used = {source for service in SERVICES for source in mounts(service).values() if "/" not in source}
    assert used == set(COMPOSE["volumes"])


def test_nginx_serves_the_files_the_app_writes_and_collects():
    """The media volume is the app's MEDIA_ROOT; the static volume receives the collected files."""
    web_env, nginx_env = (
        SERVICES["web"].get("environment") or COMPOSE["x-app"]["environment"],
        SERVICES["nginx"]["environment"],
    )
    media_volume = mounts("web")[web_env["MEDIA_ROOT"]]
    assert mounts("nginx")[nginx_env["CHIRP_MEDIA_ROOT"]] == media_volume
    assert web_env["SERVE_MEDIA"] == "0"
    static_volume = mounts("web")[dockerfile_env("STATIC_PUBLISH_DIR")]
    assert mounts("nginx")[nginx_env["CHIRP_STATIC_ROOT"]] == static_volume
    assert "collectstatic --noinput" in DOCKERFILE
    assert "STATIC_PUBLISH_DIR" in (REPO / "deploy/entrypoint.sh").read_text()
    assert settings.STATIC_URL == "/static/" and "location /static/" in TEMPLATE
    assert settings.MEDIA_URL == "/media/" and "location /media/" in TEMPLATE


def test_ports_line_up_from_nginx_to_gunicorn_to_prometheus():
    """nginx listens where compose publishes, proxies to gunicorn's port, which Prometheus scrapes."""
    nginx_env = SERVICES["nginx"]["environment"]
    published = SERVICES["nginx"]["ports"][0].rsplit(":", 1)[1]
    assert published == nginx_env["NGINX_LISTEN"]
    host, port = nginx_env["CHIRP_UPSTREAM"].split(":")
    assert host == "web"
    gunicorn_conf = (REPO / "gunicorn.conf.py").read_text()
    assert f'env_str("GUNICORN_BIND", "0.0.0.0:{port}")' in gunicorn_conf
    assert SERVICES["web"]["expose"] == [port]
    assert f"EXPOSE {port}" in DOCKERFILE
    prometheus = yaml.safe_load((REPO / "deploy/prometheus/prometheus.yml").read_text())
    [chirp] = [job for job in prometheus["scrape_configs"] if job["job_name"] == "chirp"]
    assert chirp["metrics_path"] == "/metrics"
    assert chirp["dns_sd_configs"] == [{"names": ["web"], "type": "A", "port": int(port)}]


def test_nginx_renders_the_shipped_template_with_every_variable_it_needs():
    """The official image renders /etc/nginx/templates/*.template; a variable it lacks stays literal."""
    assert (
        mounts("nginx")["/etc/nginx/templates/default.conf.template"] == "./deploy/nginx/chirp.conf.template"
    )
    needed = {name for name, _ in INTERPOLATION.findall(TEMPLATE)}
    assert needed == set(SERVICES["nginx"]["environment"])


def test_nginx_upload_limit_is_the_apps_upload_limit():
    """client_max_body_size is rendered from MEDIA_MAX_UPLOAD_BYTES, with the same default."""
    assert "client_max_body_size ${MEDIA_MAX_UPLOAD_BYTES};" in TEMPLATE
    value = SERVICES["nginx"]["environment"]["MEDIA_MAX_UPLOAD_BYTES"]
    [(name, default)] = INTERPOLATION.findall(value)
    assert name == "MEDIA_MAX_UPLOAD_BYTES"
    assert int(default) == settings.MEDIA_MAX_UPLOAD_BYTES == 10 * 1024 * 1024
    example = re.search(r"^MEDIA_MAX_UPLOAD_BYTES=(\d+)$", (REPO / ".env.example").read_text(), re.M)
    assert example is not None
    assert int(example[1]) == settings.MEDIA_MAX_UPLOAD_BYTES


def test_metrics_are_hidden_by_nginx_and_logs_are_json():
    """Only Prometheus, on the internal network, reaches /metrics; nginx's access log is JSON."""
    assert re.search(r"location = /metrics \{\s*return 404;", TEMPLATE)
    assert "access_log ${NGINX_ACCESS_LOG} chirp_json;" in TEMPLATE
    assert "log_format chirp_json escape=json" in TEMPLATE
    assert "web" not in {s for s in SERVICES if SERVICES[s].get("ports")}


@pytest.mark.parametrize("location", ["/api/", "/admin/", "= /readyz", "= /livez", "/"])
def test_nginx_proxies_the_app_paths(location):
    """API (with its docs under /api/), admin, probes and the web client at / go to gunicorn."""
    assert re.search(rf"location {re.escape(location)} \{{\s*proxy_pass http://\$chirp_upstream;", TEMPLATE)


def test_every_variable_in_compose_is_documented_in_env_example():
    """An operator finds every ${VAR} docker compose substitutes in .env.example."""
    assert {name for name, _ in INTERPOLATION.findall(COMPOSE_TEXT)} <= documented_variables()


def test_every_variable_the_code_reads_is_documented_in_env_example():
    """.env.example lists every setting, so it is the complete reference."""
    assert variables_read_by_code() - documented_variables() == set()


def test_app_containers_only_receive_variables_the_code_reads():
    """A misspelt variable in compose's environment would silently do nothing."""
    assert set(COMPOSE["x-app-environment"]) - variables_read_by_code() - documented_variables() == set()


# Set by the image (Dockerfile ENV), never by an operator's .env; SENTRY_RELEASE is a build argument.
IMAGE_VARIABLES = {"CHIRP_DATA_DIR", "STATIC_ROOT", "STATIC_PUBLISH_DIR", "SENTRY_RELEASE", "ENV_FILE"}


def test_each_service_gets_only_the_secrets_it_needs():
    """No `env_file: .env` handing every container every password: web and the scheduler get the app's
    settings, only `migrate` the first administrator's password, only Grafana its own."""
    assert [name for name, service in SERVICES.items() if "env_file" in service] == []
    app_settings = variables_read_by_code() - IMAGE_VARIABLES
    for name in ("web", "scheduler", "migrate"):
        environment = SERVICES[name]["environment"]
        assert app_settings - set(environment) == set(), name
        assert "GRAFANA_ADMIN_PASSWORD" not in environment
        assert "POSTGRES_PASSWORD" not in environment
    assert "DJANGO_SUPERUSER_PASSWORD" not in SERVICES["web"]["environment"]
    assert "DJANGO_SUPERUSER_PASSWORD" not in SERVICES["scheduler"]["environment"]
    assert {f"DJANGO_SUPERUSER_{part}" for part in ("USERNAME", "PASSWORD", "EMAIL", "NAME")} <= set(
        SERVICES["migrate"]["environment"]
    )
    others = {
        name: service for name, service in SERVICES.items() if name not in ("web", "scheduler", "migrate")
    }
    for name, service in others.items():
        text = json.dumps(service.get("environment", {}))
        assert "DJANGO_SUPERUSER_PASSWORD" not in text and "SECRET_KEY" not in text, name
        if name != "grafana":
            assert "GRAFANA_ADMIN_PASSWORD" not in text, name


def test_every_container_rotates_its_logs():
    """Docker's json-file driver keeps every line for ever unless told a size and a count."""
    for name, service in SERVICES.items():
        logging = service.get("logging", {})
        assert logging.get("driver") == "json-file", name
        assert logging["options"]["max-size"] and int(logging["options"]["max-file"]) >= 2, name


def test_nginx_looks_the_app_up_again_after_a_rebuild():
    """`up -d --build` gives `web` a new address: nginx must ask Docker's DNS again, not keep the one
    it resolved at start (502s). A variable in proxy_pass makes nginx resolve at request time."""
    assert not re.search(r"^\s*upstream ", TEMPLATE, re.M)
    assert re.search(r"resolver \$\{NGINX_RESOLVER\} valid=\d+s", TEMPLATE)
    assert "set $chirp_upstream ${CHIRP_UPSTREAM};" in TEMPLATE
    assert set(re.findall(r"proxy_pass (\S+);", TEMPLATE)) == {"http://$chirp_upstream"}
    assert SERVICES["nginx"]["environment"]["NGINX_RESOLVER"] == "127.0.0.11"


def dockerignored(path: str) -> bool:
    """Whether .dockerignore leaves `path` out of the build context (its patterns, last match wins)."""
    ignored = False
    for line in (REPO / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes) or (
            pattern.startswith("**/") and any(fnmatch.fnmatch(part, pattern[3:]) for part in parts)
        ):
            ignored = not negated
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        "bench/data/M/likes.csv",
        "bench/data/L/tweets.csv",
        "bench/out/run.log",
        "docs/screenshots/home.png",
        ".env",
        ".git/HEAD",
        ".venv/bin/python",
        "data/chirp.sqlite3",
        "feed/__pycache__/views.cpython-311.pyc",
    ],
)
def test_the_image_leaves_out_bulk_and_local_state(path):
    """Benchmark data (1.9 GB for preset L) and local state never reach the build context."""
    assert dockerignored(path)


@pytest.mark.parametrize(
    "path",
    ["manage.py", "requirements.lock", "deploy/entrypoint.sh", "bench/bench.py", "web/static/web/app.js"],
)
def test_the_image_keeps_the_code_it_runs(path):
    assert not dockerignored(path)


def test_the_image_carries_the_sentry_release_given_at_build_time():
    """The image has no .git for Sentry's SDK to read a release from: compose passes SENTRY_RELEASE
    as a build argument and the final stage bakes it into the environment the app reads."""
    final = DOCKERFILE.split("\nFROM ")[-1]
    assert re.search(r"^ARG SENTRY_RELEASE\b", final, re.M)
    assert re.search(r"^ENV SENTRY_RELEASE=\$\{SENTRY_RELEASE\}", final, re.M)
    for name in ("web", "scheduler", "migrate"):
        assert SERVICES[name]["build"]["args"]["SENTRY_RELEASE"] == "${SENTRY_RELEASE:-}"
        assert "SENTRY_RELEASE" not in SERVICES[name]["environment"]


def test_events_carry_the_release_from_the_environment(tmp_path):
    """With SENTRY_DSN and SENTRY_RELEASE set (as the image sets it), the SDK files events under it."""
    code = (
        "import django; django.setup(); import sentry_sdk; print(sentry_sdk.get_client().options['release'])"
    )
    env = {
        "PATH": os.environ["PATH"],
        "ENV_FILE": str(tmp_path / "empty.env"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "CHIRP_DATA_DIR": str(tmp_path),
        "SENTRY_DSN": "https://key@sentry.invalid/1",
        "SENTRY_RELEASE": "chirp@4f2a9c1",
    }
    (tmp_path / "empty.env").write_text("")

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "chirp@4f2a9c1"


def e2e_scale_pgbouncer_setting(name: str) -> str:
    match = re.search(rf"^{name} = (.+)$", (REPO / "scripts/e2e-scale").read_text(), re.M)
    assert match, name
    return match[1]


def test_the_scale_profile_adds_pgbouncer_and_a_streaming_replica_as_e2e_scale_tests_them():
    """`docker compose --profile scale up`: PgBouncer in transaction mode as scripts/e2e-scale runs it,
    and a hot standby made by pg_basebackup from db; the default stack starts neither."""
    assert SERVICES["pgbouncer"]["profiles"] == ["scale"]
    assert SERVICES["db-replica"]["profiles"] == ["scale"]
    assert all("profiles" not in SERVICES[name] for name in ("db", "web", "migrate", "scheduler", "nginx"))
    bouncer = (REPO / "deploy/pgbouncer/entrypoint.sh").read_text()
    for setting in ("pool_mode", "ignore_startup_parameters"):
        assert f"{setting} = {e2e_scale_pgbouncer_setting(setting)}\n" in bouncer
    assert "host=db port=5432" in bouncer
    assert "pgbouncer" in (REPO / "deploy/pgbouncer/Dockerfile").read_text()
    replica = (REPO / "deploy/postgres/replica.sh").read_text()
    assert re.search(r"pg_basebackup -h db .* -R -X stream", replica)
    assert mounts("db-replica")["/usr/local/bin/replica.sh"] == "./deploy/postgres/replica.sh"
    # db lets the replica stream (a `replication` line), and uses that file.
    assert mounts("db")["/etc/postgresql/pg_hba.conf"] == "./deploy/postgres/pg_hba.conf"
    assert "hba_file=/etc/postgresql/pg_hba.conf" in SERVICES["db"]["command"]
    hba = (REPO / "deploy/postgres/pg_hba.conf").read_text()
    assert re.search(r"^host\s+replication\s+all\s+all\s+scram-sha-256$", hba, re.M)
    # The app goes through PgBouncer when told to (DATABASE_HOST), migrations always straight to db.
    assert "@${DATABASE_HOST:-db}:${DATABASE_PORT:-5432}/" in SERVICES["web"]["environment"]["DATABASE_URL"]
    assert "@db:5432/" in SERVICES["migrate"]["environment"]["DATABASE_URL"]
    assert SERVICES["web"]["depends_on"]["pgbouncer"]["required"] is False
    example = (REPO / ".env.example").read_text()
    for line in (
        "# COMPOSE_PROFILES=scale",
        "# DATABASE_HOST=pgbouncer",
        "# DATABASE_PORT=6432",
        "# DB_SERVER_SIDE_BINDING=0",
        "# DATABASE_REPLICA_URLS=postgres://chirp:<POSTGRES_PASSWORD>@db-replica:5432/chirp",
    ):
        assert line in example.splitlines()


def test_the_scheduler_runs_under_an_init_with_time_to_finish_a_job():
    assert SERVICES["scheduler"]["init"] is True
    assert SERVICES["scheduler"]["stop_grace_period"] == "60s"


def test_the_image_is_small_non_root_and_checks_readiness():
    """Multi-stage, no compilers in the final stage, a non-root user, a HEALTHCHECK on /readyz."""
    stages = DOCKERFILE.split("\nFROM ")
    assert len(stages) >= 3  # preamble, build stage, final stage
    final = stages[-1]
    # Runtime libraries only (python-ldap's libldap): no compiler, no headers.
    assert not re.search(r"\b(gcc|build-essential|[\w.+]+-dev)\b", final)
    assert re.search(r"^USER chirp$", final, re.M)
    assert "HEALTHCHECK" in final and "/readyz" in final
    assert "COPY --from=build /opt/venv /opt/venv" in final
    assert ".env" in (REPO / ".dockerignore").read_text().splitlines()


def test_the_grafana_dashboard_only_queries_metrics_the_app_exports():
    """A renamed metric would leave a panel silently empty."""
    dashboard = json.loads((REPO / "deploy/grafana/dashboards/chirp.json").read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    queried = set(re.findall(r"\b(chirp_[a-z_]+)", " ".join(exprs)))
    exported = set()
    for collector in (
        metrics.REQUESTS,
        metrics.REQUEST_LATENCY,
        metrics.REQUEST_QUERIES,
        metrics.WORKER_REQUESTS,
        metrics.DB_CONNECTIONS_OPEN,
        metrics.DB_CONNECTIONS_OPENED,
        metrics.TWEETS_CREATED,
        metrics.LIKES_ADDED,
        metrics.FOLLOWS_ADDED,
        metrics.UPLOADS,
        metrics.UPLOAD_BYTES,
        metrics.REPORTS_CREATED,
    ):
        for family in collector.collect():
            exported |= {sample.name for sample in family.samples}
            exported |= {f"{family.name}_bucket", f"{family.name}_total"}
    assert queried and queried <= exported
    for title in ("Request rate", "Latency percentiles", "Error rate by endpoint", "Feed latency"):
        assert any(panel["title"].startswith(title) for panel in dashboard["panels"]), title


def test_the_images_build_step_can_collect_static_files(tmp_path):
    """The Dockerfile's collectstatic line, with only its own variables, imports the settings."""
    [line] = re.findall(
        r"^RUN ((?:[A-Z_]+=\S+ (?:\\\n\s*)?)+)python manage.py collectstatic", DOCKERFILE, re.M
    )
    variables = dict(re.findall(r"([A-Z_]+)=(\S+)", line))
    variables["CHIRP_DATA_DIR"] = str(tmp_path / "data")
    environ = {"PATH": os.environ["PATH"], "ENV_FILE": os.devnull, **variables}
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--dry-run"],
        cwd=REPO,
        env={**environ, "STATIC_ROOT": str(tmp_path / "static")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_one_scheduler_runs_the_periodic_jobs_after_migrations_with_the_media_volume():
    """prune_media deletes files too, so the scheduler mounts the media volume the web nodes write."""
    scheduler = SERVICES["scheduler"]

    assert scheduler["command"] == ["python", "manage.py", "run_periodic"]
    assert scheduler["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert "media:/data/media" in scheduler["volumes"]
    assert scheduler.get("deploy", {}).get("replicas", 1) == 1

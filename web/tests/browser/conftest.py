"""Browser tests: Chirp under gunicorn with the production settings, driven in headless Chromium.

The server gets a database of its own (made by migrate + seed_demo, plus a few users made by
createuser), static files from collectstatic (hashed and compressed, served by whitenoise) and a
port from BROWSER_TEST_PORT. Chromium is Debian's package, driven by Playwright's Python package:
no browser is ever downloaded. Every test fails if a page requests another host or logs a console
error, and leaves a screenshot in web/tests/browser/screenshots/ (git-ignored).
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sso.tests.oidc_provider import OidcProvider

REPO = Path(__file__).resolve().parents[3]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser passphrase 42"
# Users each test owns, so that the tests do not depend on one another's order.
USERS = [
    "Nora Newcomer",
    "Paul Poster",
    "Lars Loader",
    "Kim Keymaker",
    "Fay Forgetful",
    "Jo Plain",
    "Vi Viewer",
    "Tam Tagger",
    "Nia Notified",
    "Lee Liker",
    "Max Mutetester",
    "Sid Searcher",
    "Sam Shortcut",
    "Alma Alt",
    "Ozzy Keys",
    "Dee Designer",
    "Hal Historian",
]
# How long the Trending list is kept (60 s in production): a new post's tag shows once it runs out.
TRENDING_CACHE_SECONDS = 2
# The site's own administrator account (createsuperuser), which is nobody's colleague.
ADMIN_PASSWORD = "admin passphrase 42"


def _database_url(tmp: Path) -> str:
    """A fresh database beside the tests' own: PostgreSQL when DATABASE_URL names one, else SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'browser.sqlite3'}"
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = "browser_" + parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return parts._replace(path=f"/{name}").geturl()


class Chirp:
    oidc_provider: OidcProvider

    def __init__(self, base: str, env: dict):
        self.base, self.env = base, env

    def manage(self, *args: str, **env: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env={**self.env, **env},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr}"
        return result.stdout


@pytest.fixture(scope="session")
def chirp(smtp_server):
    """Chirp under gunicorn, production settings, 2 workers, mail to the session's SMTP server
    (aiosmtpd); stopped and cleaned up afterwards."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium")
    port = int(os.environ.get("BROWSER_TEST_PORT", "8530"))
    tmp = Path(tempfile.mkdtemp(prefix="chirp-browser-"))
    # The company's OpenID provider, a real one, for the single sign-on tests (test_sso.py).
    oidc_provider = OidcProvider().start()
    try:
        server = _prepare(tmp, port, oidc_provider, smtp_port=smtp_server.port)
        with open(tmp / "gunicorn.log", "w") as log:
            process = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "--config",
                    "gunicorn.conf.py",
                    "config.asgi",
                ],
                cwd=REPO,
                env=server.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_up(server, process, tmp / "gunicorn.log")
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    finally:
        oidc_provider.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _prepare(tmp: Path, port: int, oidc_provider: OidcProvider, *, smtp_port: int) -> Chirp:
    """The production settings in a temporary folder; a database made by migrate, seed_demo, createuser."""
    (tmp / "empty.env").write_text("")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR")
        and not key.startswith("GUNICORN_")
    }
    env.update(
        ENV_FILE=str(tmp / "empty.env"),
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        JWT_SIGNING_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_database_url(tmp),
        CHIRP_DATA_DIR=str(tmp / "data"),
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
        # Plain HTTP on the loopback: no TLS in front, as behind a proxy that would set these.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        DEFAULT_FROM_EMAIL="chirp@browser.test",
        GUNICORN_WORKERS="2",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKER_TMP_DIR=str(tmp),
        OIDC_ISSUER=oidc_provider.issuer,
        OIDC_CLIENT_ID="chirp-browser-tests",
        OIDC_CLIENT_SECRET=secrets.token_urlsafe(20),
        OIDC_PROVIDER_NAME="Corp ID",
        OIDC_MODERATOR_GROUPS="chirp-moderators",
        # Every browser session signs in from 127.0.0.1, about once a test: on a quick machine more
        # than the 30 a minute one address may try. The throttle's own tests are in accounts/tests.
        THROTTLE_LOGIN_ADDRESS="600/minute",
        # The navigation's unread count, asked for every 2 s rather than 30: a test waits for it.
        NOTIFICATIONS_POLL_SECONDS="2",
        TRENDING_CACHE_SECONDS=str(TRENDING_CACHE_SECONDS),
    )
    server = Chirp(f"http://127.0.0.1:{port}", env)
    server.oidc_provider = oidc_provider
    server.manage("migrate", "--noinput", "-v", "0")
    server.manage("createcachetable")
    server.manage("seed_demo")
    server.manage("collectstatic", "--noinput", "-v", "0")
    # The Russian translation, as the build compiles it (-P: web/selectors.py is not `selectors`).
    subprocess.run(
        [sys.executable, "-P", "-m", "django", "compilemessages", "-v", "0"],
        cwd=REPO / "web",
        env={key: value for key, value in env.items() if key != "DJANGO_SETTINGS_MODULE"},
        check=True,
    )
    for name in USERS:
        username = name.split()[0].lower()
        server.manage(
            "createuser",
            name,
            "--username",
            username,
            "--email",
            f"{username}@browser.test",
            "--password",
            PASSWORD,
            "--api-key",
            f"key-{username}",
        )
    server.manage(
        "createsuperuser",
        "--noinput",
        "--username",
        "admin",
        "--email",
        "admin@example.com",
        "--name",
        "Site Admin",
        DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
    )
    return server


def _wait_until_up(server: Chirp, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{server.base}/livez", timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not start:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.2)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def expected_errors() -> list[str]:
    """Console errors a test expects (text fragments): Chromium logs each 4xx page it is answered with."""
    return []


@pytest.fixture
def page(browser, chirp, request, expected_errors):
    """A fresh browser session on Chirp that records foreign requests and console errors."""
    context = browser.new_context(base_url=chirp.base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    origin = urlsplit(chirp.base).netloc

    def on_request(request) -> None:
        if urlsplit(request.url).netloc not in (origin, ""):
            problems.append(f"request to {request.url}")

    def on_console(message) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text}")

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield page
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    problems = [problem for problem in problems if not any(text in problem for text in expected_errors)]
    assert not problems, "\n".join(problems)


@pytest.fixture
def sign_in(page):
    def sign_in_as(login: str, password: str = PASSWORD):
        page.goto("/")
        page.get_by_label("Username or email").fill(login)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Sign out").wait_for()
        return page

    return sign_in_as

"""Fixtures shared by every app's tests: a fixed cast and API clients that speak as them."""

import io
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from accounts.services import follow_add, user_create
from media.services import media_create
from ops import redis_breaker
from tweets.services import like_add, tweet_create


class ApiUser:
    """A user plus the plain api key the tests use to speak as them."""

    def __init__(self, user, key: str):
        self.user, self.key = user, key

    @property
    def id(self) -> int:
        return self.user.id

    def client(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_API_KEY=self.key)
        return client


@pytest.fixture(scope="session", autouse=True)
def _remove_test_media_root():
    """config.test_settings stores uploads in a fresh temporary folder; remove it after the run."""
    yield
    if settings.MEDIA_ROOT.name.startswith("chirp-test-media-"):
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def make_user(db):
    def make(name: str = "Someone", **kwargs) -> ApiUser:
        user, key = user_create(name=name, **kwargs)
        return ApiUser(user, key)

    return make


@pytest.fixture
def author(make_user) -> ApiUser:
    return make_user("Ada Author", username="author")


@pytest.fixture
def follower(make_user, author) -> ApiUser:
    """Follows the author."""
    person = make_user("Fred Follower", username="follower")
    follow_add(follower=person.user, followee_id=author.id)
    return person


@pytest.fixture
def outsider(make_user) -> ApiUser:
    """Follows nobody, followed by nobody."""
    return make_user("Olga Outsider", username="outsider")


@pytest.fixture
def moderator(make_user) -> ApiUser:
    return make_user("Mo Moderator", username="moderator", is_staff=True)


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (64, 48), color=(200, 30, 30), **save_kwargs
) -> bytes:
    mode = "RGB" if fmt in ("JPEG", "WEBP") else "RGBA" if fmt == "PNG" else "P"
    image = Image.new(mode, size, color if mode != "P" else 1)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


@pytest.fixture
def png_upload():
    def make(name: str = "picture.png", **kwargs) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, image_bytes("PNG", **kwargs), content_type="image/png")

    return make


@pytest.fixture
def make_media(png_upload):
    """An unattached image uploaded by `owner`."""

    def make(owner: ApiUser):
        return media_create(uploader=owner.user, upload=png_upload())

    return make


@pytest.fixture
def make_tweet(db):
    """A tweet by `owner`, optionally with media and liked by `likers`."""

    def make(owner: ApiUser, content: str = "A tweet", *, media=(), likers=()):
        tweet = tweet_create(author=owner.user, content=content, media_ids=[m.pk for m in media])
        for liker in likers:
            like_add(user=liker.user, tweet_id=tweet.pk)
        tweet.refresh_from_db()
        return tweet

    return make


@pytest.fixture
def image_content():
    """`image_bytes(fmt, size=...)`, for tests that build unusual uploads."""
    return image_bytes


@pytest.fixture(scope="session")
def smtp_server(tmp_path_factory):
    """A real SMTP server (aiosmtpd, accounts/tests/smtp_server.py) for this test session."""
    from accounts.tests.smtp_server import SmtpServer

    server = SmtpServer(tmp_path_factory.mktemp("smtp")).start()
    yield server
    server.stop()


@pytest.fixture
def mail_to_smtp(smtp_server, settings):
    """Chirp sends its mail through Django's SMTP backend to the test session's SMTP server."""
    for name, value in smtp_server.settings().items():
        setattr(settings, name, value)
    smtp_server.clear()
    return smtp_server


class PrivateRedis:
    """A redis-server of the test's own, on a free port of 6390-6399, in a temporary folder."""

    PORTS = range(6390, 6400)

    def __init__(self, folder):
        self.folder = folder
        self.port = self._free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def _free_port(self) -> int:
        for port in self.PORTS:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) != 0:
                    return port
        raise RuntimeError("no free port for a private redis-server in 6390-6399")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=0.5).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError("the private redis-server did not start")

    def pause(self) -> None:
        """Stalled, as with `kill -STOP`: connections are accepted but nothing answers."""
        assert self.process is not None, "start() it first"
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None, "start() it first"
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path, settings):
    """A private Redis that Chirp's caches use (REDIS_URL and CACHES as settings make them), which
    the test may pause, resume or stop; each worker's breaker state starts afresh."""
    server = PrivateRedis(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "ops.cache.FailoverRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"FALLBACK": "database"},
        },
    }
    redis_breaker.reset()
    yield server
    server.stop()
    redis_breaker.reset()

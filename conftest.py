"""Fixtures shared by every app's tests: a fixed cast and API clients that speak as them."""

import io
import shutil

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from accounts.services import follow_add, user_create
from media.services import media_create
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

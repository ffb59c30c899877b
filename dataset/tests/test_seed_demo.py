"""seed_demo: the demo data set a newcomer starts from (accounts, tweets, images, likes)."""

import io

from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import ApiKey, Follow, User
from media.models import Media
from tweets.models import Like, Tweet


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_API_KEY=key)
    return client


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (User, ApiKey, Follow, Tweet, Like, Media)}


def test_seed_demo_gives_the_test_key_a_populated_feed(db):
    """After seed_demo, `api-key: test` sees a feed with tweets, likes and images, most liked first."""
    run("seed_demo")

    response = client_with("test").get("/api/tweets")

    assert response.status_code == 200
    tweets = response.json()["tweets"]
    assert len(tweets) >= 5
    assert any(t["likes"] for t in tweets)
    assert any(t["attachments"] for t in tweets)
    likes = [t["likes_count"] for t in tweets]
    assert likes == sorted(likes, reverse=True)
    assert all(t["likes_count"] == len(t["likes"]) for t in tweets)
    for url in {url for t in tweets for url in t["attachments"]}:
        assert client_with("test").get(url).getvalue().startswith(b"\x89PNG")


def test_seed_demo_twice_changes_nothing(db):
    """seed_demo is idempotent: the second run creates no rows and keeps the key `test` working."""
    run("seed_demo")
    first = counts()

    run("seed_demo")

    assert counts() == first
    assert client_with("test").get("/api/users/me").json()["user"]["name"] == "Demo User"

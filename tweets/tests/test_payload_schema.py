"""The Tweet as served, as typed (TweetPayload) and as documented in the OpenAPI schema: one shape."""

import pytest
import yaml
from django.core.management import call_command

from tweets.selectors import AuthorPayload, TweetPayload


@pytest.fixture(scope="module")
def components(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--file", str(path))
    return yaml.safe_load(path.read_text())["components"]["schemas"]


def test_the_documented_tweet_has_exactly_the_fields_of_the_payload(components):
    """Every field served is documented (thumbnails too), and nothing documented is missing."""
    tweet = components["Tweet"]

    assert set(tweet["properties"]) == set(TweetPayload.__annotations__)
    assert set(tweet["required"]) == set(TweetPayload.__annotations__)
    author = components[tweet["properties"]["author"]["$ref"].rsplit("/", 1)[1]]
    assert set(author["properties"]) == set(AuthorPayload.__annotations__)


def test_a_served_tweet_has_exactly_the_fields_of_the_payload(author, follower, make_tweet):
    """The feed answers TweetPayload's keys, in its order."""
    make_tweet(author, "hello")

    served = follower.client().get("/api/tweets").json()["tweets"][0]

    assert list(served) == list(TweetPayload.__annotations__)
    assert list(served["author"]) == list(AuthorPayload.__annotations__)

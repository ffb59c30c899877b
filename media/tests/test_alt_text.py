"""An image's alt text given with the upload (POST /api/medias `alt`, an extension): stored with the
image, shown by every Tweet that attaches it (`attachments_alt`) unless the post gives its own."""

import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from api.testing import assert_error, db_snapshot
from media.models import ALT_MAX_LENGTH, Media
from tweets.models import Attachment


def upload(owner, file, **fields):
    return owner.client().post("/api/medias", {"file": file, **fields}, format="multipart")


def post_tweet(owner, payload):
    return owner.client().post("/api/tweets", json.dumps(payload), content_type="application/json")


def served_tweet(reader, tweet_id: int) -> dict:
    (tweet,) = [t for t in reader.client().get("/api/tweets").json()["tweets"] if t["id"] == tweet_id]
    return tweet


def test_an_upload_keeps_its_alt_text_and_answers_it(author, png_upload):
    """The alt text is stored with the image, without surrounding spaces, and the answer says it."""
    response = upload(author, png_upload(), alt="  The lobby, with a green sofa \n")

    assert response.status_code == 201
    body = response.json()
    assert body["alt"] == "The lobby, with a green sofa"
    assert Media.objects.get(pk=body["media_id"]).alt == "The lobby, with a green sofa"


def test_an_upload_without_alt_is_the_contracts_request(author, png_upload):
    """Only the contract's `file`: stored without alt text, answered with the contract's fields."""
    response = upload(author, png_upload())

    assert response.status_code == 201
    assert {"result", "media_id"} <= response.json().keys()
    assert Media.objects.get().alt == ""


def test_tweets_show_the_uploads_alt_texts_beside_their_attachments(author, follower, png_upload):
    """`attachments_alt` lists each attachment's alt text in the order of `attachments`; an image
    uploaded without one is null."""
    described = upload(author, png_upload(), alt="A whiteboard full of arrows").json()
    plain = upload(author, png_upload()).json()

    tweet_id = post_tweet(
        author, {"tweet_data": "Planning", "tweet_media_ids": [plain["media_id"], described["media_id"]]}
    ).json()["tweet_id"]

    tweet = served_tweet(follower, tweet_id)
    assert tweet["attachments"] == [plain["url"], described["url"]]
    assert tweet["attachments_alt"] == [None, "A whiteboard full of arrows"]


def test_an_alt_text_given_with_the_post_overrides_the_uploads(author, follower, png_upload):
    """tweet_media_alts wins where it says something; where it is empty or missing, the upload's
    alt text stays."""
    ids = [
        upload(author, png_upload(), alt=alt).json()["media_id"]
        for alt in ("upload's first", "upload's second", "upload's third")
    ]

    tweet_id = post_tweet(
        author,
        {"tweet_data": "Office", "tweet_media_ids": ids, "tweet_media_alts": ["The post's first", ""]},
    ).json()["tweet_id"]

    expected = ["The post's first", "upload's second", "upload's third"]
    assert served_tweet(follower, tweet_id)["attachments_alt"] == expected
    assert list(Attachment.objects.order_by("position").values_list("alt", flat=True)) == expected


def test_a_tweets_detail_and_the_whole_feed_carry_the_alt_texts(author, follower, png_upload):
    """Every door that serves Tweet objects serves `attachments_alt`: the detail, the whole feed."""
    media_id = upload(author, png_upload(), alt="Cake").json()["media_id"]
    tweet_id = post_tweet(author, {"tweet_data": "Friday", "tweet_media_ids": [media_id]}).json()["tweet_id"]

    detail = follower.client().get(f"/api/tweets/{tweet_id}").json()["tweet"]
    latest = follower.client().get("/api/tweets?order=latest").json()["tweets"][0]

    assert detail["attachments_alt"] == latest["attachments_alt"] == ["Cake"]


def test_an_alt_text_of_exactly_the_maximum_length_is_accepted(author, png_upload):
    response = upload(author, png_upload(), alt="x" * ALT_MAX_LENGTH)

    assert response.status_code == 201
    assert len(Media.objects.get().alt) == ALT_MAX_LENGTH


@pytest.mark.parametrize(
    "alt",
    [
        "x" * (ALT_MAX_LENGTH + 1),
        "nul\x00",
        SimpleUploadedFile("alt.txt", b"a file where text belongs", content_type="text/plain"),
        ["two", "texts"],
    ],
    ids=["too-long", "nul", "a-file", "repeated"],
)
def test_a_bad_alt_text_refuses_the_upload_and_stores_nothing(author, png_upload, media_root, alt):
    """Too long, a NUL, a file in place of text, the field twice: the contract's 400 envelope,
    and neither a row nor a file is left."""
    before = db_snapshot()

    assert_error(upload(author, png_upload(), alt=alt), 400, "validation_error")

    assert db_snapshot() == before
    assert not any(media_root.rglob("*.*"))


def test_the_upload_schema_documents_the_optional_alt_field(tmp_path):
    """OpenAPI: the multipart request has the contract's required `file` and an optional `alt`."""
    call_command("spectacular", "--file", str(tmp_path / "openapi.yaml"))
    schema = yaml.safe_load((tmp_path / "openapi.yaml").read_text())
    body = schema["paths"]["/api/medias"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    request = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]

    assert request["required"] == ["file"]
    assert request["properties"]["alt"]["maxLength"] == ALT_MAX_LENGTH

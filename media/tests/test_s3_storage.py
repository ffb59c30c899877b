"""The S3 storage path, for real: moto's standalone S3-compatible server on a local port.

moto[server] is in requirements-dev.txt, so these tests run wherever the suite runs; nothing
is skipped. Port range: CHIRP_TEST_S3_PORTS (default 8100-8199).
"""

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from PIL import Image

from common.testing import free_port
from media.models import Media
from media.tests.factories import image_file, phone_exif, stored_files, two_colour_image, upload

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "chirp-test", "aws_secret_access_key": "chirp-test-secret"}


@pytest.fixture(scope="session")
def s3_endpoint():
    """URL of a moto S3 server started for this test session."""
    port = free_port("CHIRP_TEST_S3_PORTS", "8100-8199")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("The moto S3 server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_client(s3_endpoint):
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **CREDENTIALS)


@pytest.fixture(params=[True, False], ids=["signed-urls", "public-urls"])
def s3_storage(request, settings, s3_endpoint, s3_client):
    """Chirp's default storage pointed at a fresh bucket: private with signed URLs, or public-read."""
    bucket = f"chirp-test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket)
    signed = request.param
    if not signed:
        # What a deployment with AWS_QUERYSTRING_AUTH=0 needs: anyone may read objects.
        public_read = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
        s3_client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public_read))
    # The same options config/settings.py builds from STORAGE_BACKEND=s3 and the AWS_* variables.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "querystring_auth": signed,
                "location": "chirp-media",
                "signature_version": "s3v4",
            },
        },
    }
    return bucket, signed


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], b""


def object_keys(s3_client, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in s3_client.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_s3_round_trip_upload_fetch_attach_and_delete(
    author, follower, s3_storage, s3_client, s3_endpoint, media_root, django_capture_on_commit_callbacks
):
    """A phone photo is stored re-encoded, loads from its URL, shows in the feed, goes with its tweet."""
    bucket, signed = s3_storage
    photo = two_colour_image("JPEG", (60, 20), exif=phone_exif(orientation=6))

    uploaded = author.client().post(
        "/api/medias", {"file": upload(photo, "IMG_0003.jpg", "image/jpeg")}, format="multipart"
    )

    assert uploaded.status_code == 201, uploaded.json()
    body = uploaded.json()
    media = Media.objects.get(pk=body["media_id"])
    assert object_keys(s3_client, bucket) == sorted(
        [f"chirp-media/{media.file.name}", f"chirp-media/{media.thumbnail.name}"]
    )
    assert stored_files(Path(media_root)) == []
    assert body["url"].startswith(f"{s3_endpoint}/{bucket}/chirp-media/")
    assert ("X-Amz-Signature=" in body["url"]) is signed

    status, content_type, data = fetch(body["url"])
    assert (status, content_type) == (200, "image/jpeg")
    image = Image.open(io.BytesIO(data))
    assert image.size == (20, 60)
    assert not image.getexif().get_ifd(0x8825)
    assert len(data) == media.size
    assert fetch(body["thumbnail_url"])[:2] == (200, "image/jpeg")
    if signed:
        # The bucket is private: only the signature opens it.
        assert fetch(body["url"].split("?")[0])[0] == 403

    posted = author.client().post(
        "/api/tweets", {"tweet_data": "from S3", "tweet_media_ids": [media.pk]}, format="json"
    )
    (tweet,) = follower.client().get("/api/tweets").json()["tweets"]
    assert tweet["id"] == posted.json()["tweet_id"]
    assert urlsplit(tweet["attachments"][0]).path == urlsplit(body["url"]).path
    assert fetch(tweet["attachments"][0])[2] == data
    assert fetch(tweet["thumbnails"][0])[0] == 200

    with django_capture_on_commit_callbacks(execute=True):
        deleted = author.client().delete(f"/api/tweets/{tweet['id']}")

    assert deleted.status_code == 200
    assert object_keys(s3_client, bucket) == []
    assert fetch(tweet["attachments"][0])[0] in (403, 404)


def test_refused_upload_leaves_the_bucket_empty(author, s3_storage, s3_client):
    """A refused file is never written to the object store."""
    bucket, _ = s3_storage

    response = author.client().post(
        "/api/medias", {"file": upload(image_file("PNG")[:50])}, format="multipart"
    )

    assert response.status_code == 400
    assert object_keys(s3_client, bucket) == []


def _settings_in_subprocess(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "STORAGE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_storage_environment_variables_configure_the_s3_backend():
    """STORAGE_BACKEND=s3 and the AWS_* variables reach django-storages (public URLs on a custom domain)."""
    result = _settings_in_subprocess(
        {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": "chirp-media",
            "AWS_QUERYSTRING_AUTH": "0",
            "AWS_S3_CUSTOM_DOMAIN": "media.example.com",
            "AWS_LOCATION": "uploads",
            "AWS_S3_REGION_NAME": "eu-west-3",
        },
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.region_name, s.url('ab/x.png'))",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "chirp-media",
        "eu-west-3",
        "https://media.example.com/uploads/ab/x.png",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "s3"}, "AWS_STORAGE_BUCKET_NAME must be set"),
        ({"STORAGE_BACKEND": "ftp"}, "use 'local' or 's3'"),
    ],
)
def test_incomplete_storage_configuration_stops_start_up(env, message):
    """A missing bucket or an unknown backend fails loudly at start-up, not at the first upload."""
    result = _settings_in_subprocess(env, "pass")

    assert result.returncode != 0
    assert message in result.stderr

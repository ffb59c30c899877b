import os
from typing import cast

from django.core.handlers.wsgi import WSGIRequest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework.test import APIRequestFactory

from media.models import Media
from media.tests.factories import stored_files, upload
from media.views import MediaUploadView


def upload_request(body: bytes, api_key: str) -> WSGIRequest:
    """A multipart POST to /api/medias, built without the test client's middleware."""
    request = APIRequestFactory().generic(
        "POST",
        "/api/medias",
        # djangorestframework-stubs types the body as str and the result as DRF's Request; the
        # factory takes bytes and returns Django's WSGIRequest, which the view then wraps.
        body,  # type: ignore[arg-type]
        content_type=MULTIPART_CONTENT,
        HTTP_API_KEY=api_key,
    )
    return cast(WSGIRequest, request)


def test_upload_declared_larger_than_the_limit_is_a_413(author, settings, media_root):
    """A body whose Content-Length exceeds the limit is refused before it is read."""
    settings.MEDIA_MAX_UPLOAD_BYTES = 50_000

    response = author.client().post("/api/medias", {"file": upload(os.urandom(200_000))}, format="multipart")

    assert response.status_code == 413
    assert response.json()["error_type"] == "payload_too_large"
    assert not Media.objects.exists()
    assert stored_files(media_root) == []


def test_file_just_over_the_limit_inside_the_multipart_allowance_is_a_413(author, settings, media_root):
    """A file the Content-Length check lets through (form overhead allowance) is stopped while streaming."""
    settings.MEDIA_MAX_UPLOAD_BYTES = 100_000

    response = author.client().post("/api/medias", {"file": upload(os.urandom(100_001))}, format="multipart")

    assert response.status_code == 413
    assert response.json()["error_type"] == "payload_too_large"
    assert not Media.objects.exists()


def test_oversize_file_is_refused_after_reading_at_most_one_chunk_past_the_limit(author, settings):
    """With no up-front length check, the upload handler stops reading the body at the limit."""
    settings.MEDIA_MAX_UPLOAD_BYTES = 100_000
    body = encode_multipart(BOUNDARY, {"file": upload(os.urandom(1_000_000))})
    request = upload_request(body, author.key)
    # Called without the middleware, as a body with an unchecked length would arrive.
    response = MediaUploadView.as_view()(request)

    assert response.status_code == 413
    assert response.data["error_type"] == "payload_too_large"
    unread = len(request.environ["wsgi.input"])
    # Django reads multipart bodies in 64 KiB chunks.
    assert len(body) - unread < 100_000 + 2 * 64 * 1024
    assert not Media.objects.exists()


def test_body_without_content_length_is_never_read(author):
    """A chunked upload (no Content-Length) reaches Django as an empty body: a 400, nothing buffered."""
    body = encode_multipart(BOUNDARY, {"file": upload(os.urandom(1_000_000))})
    environ = upload_request(body, author.key).environ
    del environ["CONTENT_LENGTH"]
    request = WSGIRequest(environ)

    response = MediaUploadView.as_view()(request)

    assert response.status_code == 400
    assert response.data["error_type"] == "validation_error"
    assert len(environ["wsgi.input"]) == len(body)
    assert not Media.objects.exists()

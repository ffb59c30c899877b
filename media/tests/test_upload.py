import os

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from api.testing import assert_error
from media.models import Media
from media.tests.factories import file_names


def stored_files() -> set[str]:
    """Every file under MEDIA_ROOT, relative to it."""
    root = django_settings.MEDIA_ROOT
    return {
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    }


@pytest.fixture
def files_before():
    return stored_files()


def upload(owner, file, field: str = "file"):
    return owner.client().post("/api/medias", {field: file}, format="multipart")


@pytest.mark.parametrize(
    "fmt, content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif")]
)
def test_user_can_upload_an_image(author, fmt, content_type, image_content, files_before):
    """POST /api/medias answers 201 with the media id; image and thumbnail get new random names."""
    file = SimpleUploadedFile(
        "holiday photo.img", image_content(fmt, size=(30, 20)), content_type=content_type
    )

    response = upload(author, file)

    assert response.status_code == 201
    media = Media.objects.get()
    body = response.json()
    # The contract's fields; the media app adds url, thumbnail_url, width and height.
    assert (body["result"], body["media_id"]) == (True, media.id)
    assert (media.uploader_id, media.claimed_at) == (author.id, None)
    assert (media.content_type, media.width, media.height) == (content_type, 30, 20)
    name, thumbnail_name = file_names(media)
    assert stored_files() - files_before == {name, thumbnail_name}
    assert "holiday" not in name
    assert len(os.path.basename(name).split(".")[0]) == 32


def test_two_uploads_of_the_same_file_get_different_names(author, png_upload):
    """Names are unguessable and never collide, even for identical uploads."""
    upload(author, png_upload("same.png"))
    upload(author, png_upload("same.png"))

    names = list(Media.objects.values_list("file", flat=True))
    assert len(set(names)) == 2


@pytest.mark.parametrize("kind", ["text", "png-signature-only", "truncated-png"])
def test_non_image_upload_is_refused(author, kind, image_content, files_before):
    """A file that does not decode as an image is a 400 and nothing is stored."""
    content = {
        "text": b"just some text, not an image",
        "png-signature-only": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        "truncated-png": image_content("PNG")[:60],
    }[kind]
    file = SimpleUploadedFile("picture.png", content, content_type="image/png")

    assert_error(upload(author, file), 400, "validation_error")

    assert not Media.objects.exists()
    assert stored_files() == files_before


def test_image_type_outside_the_allowlist_is_unsupported(author, image_content, files_before):
    """A real image in a format we do not serve (BMP) is a 415."""
    file = SimpleUploadedFile("picture.bmp", image_content("BMP"), content_type="image/bmp")

    assert_error(upload(author, file), 415, "unsupported_media_type")

    assert not Media.objects.exists()
    assert stored_files() == files_before


def test_empty_file_is_refused(author):
    """A zero-byte file is a 400."""
    file = SimpleUploadedFile("empty.png", b"", content_type="image/png")

    assert_error(upload(author, file), 400, "validation_error")
    assert not Media.objects.exists()


def test_upload_over_the_size_limit_is_too_large(author, settings, image_content, files_before):
    """An image over MEDIA_MAX_UPLOAD_BYTES is a 413 and nothing is stored."""
    content = image_content("PNG", size=(200, 200))
    settings.MEDIA_MAX_UPLOAD_BYTES = len(content) - 1

    response = upload(author, SimpleUploadedFile("big.png", content, content_type="image/png"))

    assert_error(response, 413, "payload_too_large")
    assert not Media.objects.exists()
    assert stored_files() == files_before


def test_upload_of_exactly_the_size_limit_is_accepted(author, settings, image_content):
    """The size limit is inclusive."""
    content = image_content("PNG", size=(200, 200))
    settings.MEDIA_MAX_UPLOAD_BYTES = len(content)

    response = upload(author, SimpleUploadedFile("exact.png", content, content_type="image/png"))

    assert response.status_code == 201


def test_upload_body_far_over_the_limit_is_refused_before_reading(author, settings):
    """A multipart body larger than the limit plus form overhead is refused from its Content-Length."""
    settings.MEDIA_MAX_UPLOAD_BYTES = 1024
    file = SimpleUploadedFile("huge.png", b"\x00" * (200 * 1024), content_type="image/png")

    assert_error(upload(author, file), 413, "payload_too_large")
    assert not Media.objects.exists()


def test_file_in_the_wrong_field_is_refused(author, png_upload):
    """The contract's field is `file`; anything else is a 400 naming the field."""
    body = assert_error(upload(author, png_upload(), field="image"), 400, "validation_error")

    assert body["fields"].keys() == {"file"}
    assert not Media.objects.exists()


def test_upload_that_is_not_multipart_is_unsupported(author):
    """A JSON body to /api/medias is a 415."""
    response = author.client().post("/api/medias", {"file": "aGVsbG8="}, format="json")

    assert_error(response, 415, "unsupported_media_type")
    assert not Media.objects.exists()


def test_upload_without_api_key_is_unauthorized(anonymous, png_upload, files_before):
    """Anonymous uploads are refused before anything is stored."""
    response = anonymous.post("/api/medias", {"file": png_upload()}, format="multipart")

    assert_error(response, 401, "authentication_failed")
    assert stored_files() == files_before

import io
import resource
import time

import pytest
from PIL import Image, PngImagePlugin

from media.models import Media
from media.tests.factories import (
    animation,
    file_names,
    image_file,
    phone_exif,
    png_bomb,
    stored_files,
    two_colour_image,
    upload,
)


def post_image(client, data: bytes, name: str = "picture.png", content_type: str = "image/png"):
    return client.post("/api/medias", {"file": upload(data, name, content_type)}, format="multipart")


def stored_image(media: Media) -> Image.Image:
    with media.file.open("rb") as stored:
        return Image.open(io.BytesIO(stored.read()))


def rgb_at(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    pixel = image.convert("RGB").getpixel(xy)
    assert isinstance(pixel, tuple)
    return pixel


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("JPEG", "image/jpeg", "jpg"),
        ("PNG", "image/png", "png"),
        ("GIF", "image/gif", "gif"),
        ("WEBP", "image/webp", "webp"),
    ],
)
def test_each_allowed_format_is_stored_re_encoded_in_its_format(
    author, media_root, fmt, content_type, extension
):
    """JPEG, PNG, GIF and WebP are accepted, recorded accurately and stored in their own format."""
    # A misleading name and declared type: only the bytes count.
    response = post_image(author.client(), image_file(fmt, (64, 48)), "file.txt", "text/plain")

    assert response.status_code == 201, response.json()
    body = response.json()
    media = Media.objects.get(pk=body["media_id"])
    assert (media.uploader_id, media.content_type, media.width, media.height) == (
        author.id,
        content_type,
        64,
        48,
    )
    name, thumbnail_name = file_names(media)
    assert name.endswith(f".{extension}")
    assert media.size == (media_root / name).stat().st_size
    assert stored_image(media).format == fmt
    assert body == {
        "result": True,
        "media_id": media.pk,
        "url": f"/media/{media.file.name}",
        "thumbnail_url": f"/media/{media.thumbnail.name}",
        "width": 64,
        "height": 48,
        "alt": "",
    }
    assert stored_files(media_root) == sorted([name, thumbnail_name])


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "SVG",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "SVG"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "PDF"),
        (image_file("BMP"), "BMP"),
        (image_file("TIFF"), "TIFF"),
    ],
    ids=["svg-with-xml-prolog", "bare-svg", "pdf", "bmp", "tiff"],
)
def test_real_files_of_other_types_are_refused_with_415(author, media_root, data, kind):
    """SVG, PDF, BMP and TIFF are recognised and refused as unsupported, even named .png."""
    response = post_image(author.client(), data)

    assert response.status_code == 415
    assert response.json()["error_type"] == "unsupported_media_type"
    assert kind in response.json()["error_message"]
    assert not Media.objects.exists()
    assert stored_files(media_root) == []


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    "data",
    [
        b"just some text, renamed to holiday.jpg\n",
        b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
        b"",
        _truncated(image_file("JPEG", (300, 200))),
        _truncated(image_file("PNG", (300, 200))),
        image_file("PNG")[:40],
    ],
    ids=["text", "html", "zero-bytes", "truncated-jpeg", "truncated-png", "png-header-only"],
)
def test_files_that_are_not_complete_images_are_a_validation_error(author, media_root, data):
    """Text, HTML, empty and truncated files are a 400 and leave neither row nor file."""
    response = post_image(author.client(), data, "holiday.jpg", "image/jpeg")

    assert response.status_code == 400
    assert response.json()["error_type"] == "validation_error"
    assert not Media.objects.exists()
    assert stored_files(media_root) == []


def test_phone_photo_metadata_is_gone_from_the_stored_file(author):
    """GPS position, camera make, ICC profile and comments are not in the stored image."""
    photo = image_file(
        "JPEG", (80, 60), exif=phone_exif(), icc_profile=b"not-really-icc", comment=b"at home, 3rd floor"
    )
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)

    response = post_image(author.client(), photo, "IMG_0001.jpg", "image/jpeg")

    assert response.status_code == 201
    media = Media.objects.get(pk=response.json()["media_id"])
    for name in file_names(media):
        with media.file.storage.open(name, "rb") as stored:
            data = stored.read()
        image = Image.open(io.BytesIO(data))
        assert not image.getexif().get_ifd(0x8825)
        assert len(image.getexif()) == 0
        assert not {"exif", "icc_profile", "comment"} & set(image.info)
        assert b"PhoneMaker" not in data
        assert b"3rd floor" not in data


def test_png_text_chunks_and_exif_are_dropped(author):
    """A PNG's tEXt, iCCP and eXIf chunks do not survive re-encoding."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret location")
    png = image_file("PNG", exif=phone_exif(), pnginfo=info, icc_profile=b"icc: secret-printer-profile")

    response = post_image(author.client(), png)

    media = Media.objects.get(pk=response.json()["media_id"])
    image = stored_image(media)
    assert not {"Comment", "icc_profile", "exif"} & set(image.info)
    assert not image.getexif().get_ifd(0x8825)
    with media.file.open("rb") as stored:
        assert b"secret location" not in stored.read()


def test_exif_orientation_is_applied_to_the_pixels(author):
    """A photo stored sideways with orientation 6 comes out upright, without the tag."""
    # Orientation 6: display after rotating 90 degrees clockwise, so the left (red) half of the
    # stored pixels becomes the top.
    photo = two_colour_image("JPEG", (60, 20), exif=phone_exif(orientation=6))

    response = post_image(author.client(), photo, "IMG_0002.jpg", "image/jpeg")

    assert response.status_code == 201
    assert (response.json()["width"], response.json()["height"]) == (20, 60)
    image = stored_image(Media.objects.get(pk=response.json()["media_id"])).convert("RGB")
    assert image.size == (20, 60)
    top, bottom = rgb_at(image, (10, 5)), rgb_at(image, (10, 55))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom
    assert 0x0112 not in image.getexif()


def test_png_with_appended_html_is_stored_as_a_clean_png(author):
    """A PNG/HTML polyglot is accepted as the PNG it starts with; the HTML payload is gone."""
    polyglot = image_file("PNG") + b"<html><script>fetch('/api/users/me')</script></html>"

    response = post_image(author.client(), polyglot)

    assert response.status_code == 201
    with Media.objects.get(pk=response.json()["media_id"]).file.open("rb") as stored:
        data = stored.read()
    assert b"<script" not in data
    assert data.endswith(b"IEND\xaeB`\x82")


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animations_keep_their_first_frame_only(author, fmt):
    """Animated GIF and WebP are stored as their first frame (see media.images)."""
    animated = animation(fmt, frames=3)
    assert getattr(Image.open(io.BytesIO(animated)), "n_frames", 1) == 3

    response = post_image(author.client(), animated, "party.img", "image/gif")

    assert response.status_code == 201
    image = stored_image(Media.objects.get(pk=response.json()["media_id"]))
    assert image.format == fmt
    assert getattr(image, "n_frames", 1) == 1
    assert rgb_at(image, (5, 5))[0] < 20


def test_decompression_bomb_is_refused_from_its_header_quickly_and_without_decoding(author, media_root):
    """A 20000x20000 PNG of 3 KB is a 400 within a second, without allocating its pixels.

    Decoding it would need 1.2 GB; peak RSS (ru_maxrss, KiB on Linux) may grow by a few MB at most.
    """
    bomb = png_bomb(20_000, 20_000)
    assert len(bomb) < 4096
    client = author.client()
    post_image(client, image_file("PNG"))  # warm up: imports, first query, first request
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()

    response = post_image(client, bomb)

    elapsed = time.perf_counter() - started
    growth_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert response.status_code == 400
    assert response.json()["error_type"] == "validation_error"
    assert "pixels" in response.json()["error_message"]
    assert elapsed < 1.0
    assert growth_mib < 30
    assert Media.objects.count() == 1


def test_images_above_the_pixel_cap_are_refused_even_when_pillow_would_decode_them(author, settings):
    """MEDIA_MAX_PIXELS, not Pillow's looser default, decides what is a bomb."""
    settings.MEDIA_MAX_PIXELS = 100 * 100

    too_big = post_image(author.client(), image_file("PNG", (101, 100)))
    at_cap = post_image(author.client(), image_file("PNG", (100, 100)))

    assert too_big.status_code == 400
    assert "10000 pixels" in too_big.json()["error_message"]
    assert at_cap.status_code == 201


def test_images_above_the_maximum_side_are_downscaled(author, settings, media_root):
    """The longest side is capped at MEDIA_MAX_SIDE, proportions kept, record matching the file."""
    settings.MEDIA_MAX_SIDE = 256

    response = post_image(author.client(), image_file("JPEG", (600, 300)), "big.jpg", "image/jpeg")

    media = Media.objects.get(pk=response.json()["media_id"])
    assert stored_image(media).size == (256, 128)
    assert (media.width, media.height) == (256, 128)
    assert media.size == (media_root / media.file.name).stat().st_size


@pytest.mark.parametrize(
    ("size", "expected"), [((1200, 600), (400, 200)), ((300, 900), (133, 400)), ((90, 60), (90, 60))]
)
def test_thumbnail_fits_in_400_pixels_and_is_never_enlarged(author, size, expected):
    """The thumbnail made at upload is at most 400 px on its longest side."""
    response = post_image(author.client(), image_file("PNG", size))

    media = Media.objects.get(pk=response.json()["media_id"])
    with media.thumbnail.open("rb") as stored:
        thumbnail = Image.open(io.BytesIO(stored.read()))
    assert thumbnail.size == expected
    assert thumbnail.format == "PNG"
    assert response.json()["thumbnail_url"] == media.thumbnail.url


def test_served_media_has_its_real_type_and_nosniff(author):
    """The development server serves /media/ with the stored type, nosniff and a sandboxing CSP."""
    body = post_image(author.client(), image_file("WEBP"), "x.html", "text/html").json()

    for url in (body["url"], body["thumbnail_url"]):
        response = author.client().get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/webp"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "WEBP"


def test_uploads_are_throttled_per_user_with_retry_after(author, outsider, settings):
    """Past the `uploads` rate a user gets the 429 envelope with Retry-After; others are unaffected."""
    settings.UPLOAD_THROTTLE_RATE = (2, 3600)
    client = author.client()

    statuses = [post_image(client, image_file("PNG")).status_code for _ in range(2)]
    throttled = post_image(client, image_file("PNG"))

    assert statuses == [201, 201]
    assert throttled.status_code == 429
    assert throttled.json()["error_type"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 3600
    assert Media.objects.filter(uploader=author.user).count() == 2
    assert post_image(outsider.client(), image_file("PNG")).status_code == 201


def test_anonymous_upload_is_refused(anonymous, media_root):
    """Uploading needs an api key."""
    response = post_image(anonymous, image_file("PNG"))

    assert response.status_code == 401
    assert stored_files(media_root) == []


def test_phone_photo_in_the_feed_is_upright_and_metadata_free(author, follower):
    """Upload a sideways photo with GPS, tweet it: the feed's URL serves it upright and clean."""
    photo = two_colour_image("JPEG", (60, 20), exif=phone_exif(orientation=6))
    media_id = post_image(author.client(), photo, "IMG_0004.jpg", "image/jpeg").json()["media_id"]
    author.client().post("/api/tweets", {"tweet_data": "view", "tweet_media_ids": [media_id]}, format="json")

    (tweet,) = follower.client().get("/api/tweets").json()["tweets"]
    served = follower.client().get(tweet["attachments"][0])

    assert served["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert image.size == (20, 60)
    assert rgb_at(image, (10, 5))[0] > 200
    assert not image.getexif()

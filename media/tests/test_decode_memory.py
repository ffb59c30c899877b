"""Decoding under a memory budget: hostile images cost a bounded amount, photos still pass.

Memory is measured in a fresh subprocess (its peak resident size, VmHWM, before and after), so
that nothing this test process already allocated hides or inflates the figure.
"""

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from media.models import Media
from media.tests.factories import stored_files, upload

REPO = Path(__file__).resolve().parents[2]
SIDE = 5744  # 33 Mpx: just under MEDIA_MAX_PIXELS, so only the memory budget can refuse it

# Runs image_process on one file from `threads` threads at once and prints the peak RSS growth.
MEASURE = """
import json, sys, threading
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from common.errors import ChirpError
from media.images import image_process

def peak_mib():
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024

def process(data, outcomes):
    try:
        image = image_process(SimpleUploadedFile("upload", data)).image
        outcomes.append([image.width, image.height])
    except ChirpError as exc:
        outcomes.append(type(exc).__name__ + ": " + exc.message)

process(open(sys.argv[3], "rb").read(), [])  # warm up: Pillow's plugins and codecs
data, threads, outcomes = open(sys.argv[1], "rb").read(), int(sys.argv[2]), []
before = peak_mib()
workers = [threading.Thread(target=process, args=(data, outcomes)) for _ in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
print(json.dumps({"growth_mib": peak_mib() - before, "outcomes": outcomes}))
"""


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def sixteen_bit_png(colour_type: int, side: int = SIDE) -> bytes:
    """A black 16-bit PNG (colour type 2: RGB, 0: grey) of side x side: a few hundred KB at most."""
    samples = 3 if colour_type == 2 else 1
    row = bytes(1 + 2 * samples * side)
    header = struct.pack(">IIBBBBB", side, side, 16, colour_type, 0, 0, 0)
    pixels = zlib.compress(row * side, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def photo(size: tuple[int, int]) -> bytes:
    """A JPEG with some detail, as a camera of that resolution writes it."""
    image = Image.radial_gradient("L").resize(size).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def measure(tmp_path: Path, data: bytes, *, threads: int = 1, **settings) -> dict:
    """Peak RSS growth (MiB) of a fresh process decoding `data` in `threads` threads at once."""
    path, warm_up = tmp_path / "upload", tmp_path / "warm-up"
    path.write_bytes(data)
    warm_up.write_bytes(photo((64, 48)))
    (tmp_path / "empty.env").write_text("")
    environ = {key: value for key, value in os.environ.items() if not key.startswith(("MEDIA_", "DATABASE_"))}
    environ |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "ENV_FILE": str(tmp_path / "empty.env"),
        **settings,
    }
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), str(threads), str(warm_up)],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_16_bit_rgb_png_over_the_budget_is_refused_from_its_header(author, media_root, tmp_path):
    """A small 16-bit 5744x5744 RGB PNG (126 MiB decoded) is a 400 on "file", costing < 20 MiB.

    Before the budget it was accepted and one upload grew a process by 281 MiB, four at once 1,110.
    """
    hostile = sixteen_bit_png(colour_type=2)
    assert len(hostile) < 300_000

    response = author.client().post("/api/medias", {"file": upload(hostile)}, format="multipart")

    assert response.status_code == 400
    body = response.json()
    assert body["error_type"] == "validation_error"
    (message,) = body["fields"]["file"]
    assert "125 MiB once decoded, at most 64 MiB" in message
    assert not Media.objects.exists()
    assert stored_files(media_root) == []
    assert measure(tmp_path, hostile, threads=4)["growth_mib"] < 20


def test_a_16_bit_grey_png_is_decoded_at_8_bits_within_the_bound(tmp_path):
    """The 5744x5744 16-bit grey PNG is accepted, at < 100 MiB for one and < 120 MiB for four at once.

    Before: 197 MiB for one, 787 MiB for four (each decoded at 16 bits, then copied four times).
    """
    hostile = sixteen_bit_png(colour_type=0)

    one = measure(tmp_path, hostile)
    four = measure(tmp_path, hostile, threads=4)

    assert one["outcomes"] == [[4096, 4096]]
    assert four["outcomes"] == [[4096, 4096]] * 4
    assert one["growth_mib"] < 100
    # One decode at a time per process (MEDIA_DECODE_CONCURRENCY=1): four cost about one.
    assert four["growth_mib"] < 120


def test_decodes_at_once_per_process_follow_the_setting(tmp_path):
    """With MEDIA_DECODE_CONCURRENCY=4, four decodes overlap and the peak grows accordingly."""
    hostile = sixteen_bit_png(colour_type=0)

    serial = measure(tmp_path, hostile, threads=4)
    parallel = measure(tmp_path, hostile, threads=4, MEDIA_DECODE_CONCURRENCY="4")

    assert parallel["outcomes"] == serial["outcomes"] == [[4096, 4096]] * 4
    assert parallel["growth_mib"] > 1.5 * serial["growth_mib"]


def test_a_large_photo_is_decoded_at_a_smaller_scale_to_fit_the_budget(author, tmp_path):
    """A 24 Mpx JPEG (92 MiB decoded) is decoded at half scale: accepted, 3000x2000, < 100 MiB."""
    large = photo((6000, 4000))

    response = author.client().post(
        "/api/medias", {"file": upload(large, "camera.jpg", "image/jpeg")}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["width"], response.json()["height"]) == (3000, 2000)
    result = measure(tmp_path, large)
    assert result["outcomes"] == [[3000, 2000]]
    assert result["growth_mib"] < 100


def test_a_phone_photo_within_the_budget_keeps_its_full_stored_size(author):
    """A 12 Mpx photo (46 MiB decoded) fits the budget and is stored at 4096 px, as before."""
    response = author.client().post(
        "/api/medias", {"file": upload(photo((4032, 3024)), "IMG.jpg", "image/jpeg")}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["width"], response.json()["height"]) == (4032, 3024)


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"])
def test_images_of_every_mode_are_stored_in_a_displayable_mode(author, mode):
    """Whatever the decoded mode, the stored PNG is greyscale, RGB or RGBA and has the same size."""
    buffer = io.BytesIO()
    Image.new(mode, (30, 20)).save(buffer, "PNG")

    response = author.client().post("/api/medias", {"file": upload(buffer.getvalue())}, format="multipart")

    assert response.status_code == 201, response.json()
    with Media.objects.get(pk=response.json()["media_id"]).file.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
    assert image.mode in ("L", "RGB", "RGBA")
    assert image.size == (30, 20)


def test_a_process_busy_decoding_answers_503_with_retry_after(author, monkeypatch):
    """When every decoding slot stays taken, an upload is told to retry instead of waiting forever."""
    from media import images

    monkeypatch.setattr(images, "_DECODE_WAIT_SECONDS", 0.05)
    slots = images._decode_slots()
    assert slots.acquire(timeout=1)
    try:
        response = author.client().post(
            "/api/medias", {"file": upload(photo((64, 48)), "a.jpg", "image/jpeg")}, format="multipart"
        )
    finally:
        slots.release()

    assert response.status_code == 503
    assert response.json()["error_type"] == "service_unavailable"
    assert int(response["Retry-After"]) >= 1
    assert not Media.objects.exists()

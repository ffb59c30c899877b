"""The image pipeline: identify an upload from its bytes, refuse bombs, re-encode it clean.

Uploaded bytes are never stored or served as they came. Each accepted image is decoded once
(after its header has passed the pixel cap), oriented, downscaled, copied into a fresh image
that carries no metadata at all, and encoded again. What comes out is pixels only: no EXIF
(GPS, camera), no ICC profile, no comments or text chunks, nothing appended after the image.

Animated GIF and WebP keep their first frame only: a still image is what the feed and the
thumbnail show, and decoding every frame of an untrusted animation multiplies the decoding
cost by a frame count the header does not bound.

Decoding has a memory budget. The header tells the decoded size before any pixel is read
(width x height x what Pillow stores per pixel): 16-bit greyscale is decoded straight to 8 bits,
a JPEG is decoded at 1/2, 1/4 or 1/8 scale when it would not fit (or does not need its full size),
and anything still over MEDIA_DECODE_MAX_BYTES is refused. A decoded image is never copied whole:
one fresh image at the stored size is made from it and the decoded one is released. At most
MEDIA_DECODE_CONCURRENCY images are decoded at once per worker process, whatever its threads.
"""

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from common.errors import Invalid, Unavailable, UnsupportedType

# Pillow plugins allowed to parse uploads, with their MIME type and file extension. Passing only
# these to Image.open keeps every other decoder (and its bugs) away from untrusted bytes.
ALLOWED_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}

# Real file types outside the allowlist, recognised by their leading bytes so that they get a
# 415 naming them rather than a generic "not an image".
_REFUSED_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "PDF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (b"\xff\x0a", "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
]
_ISO_BMFF_BRANDS = {b"heic": "HEIC", b"heix": "HEIC", b"mif1": "HEIF", b"avif": "AVIF"}

# Stills are stored in the format they came in; GIF's first frame keeps GIF.
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 85, "optimize": True},
    "PNG": {"optimize": False},
    "GIF": {},
    "WEBP": {"quality": 85, "method": 4},
}


@dataclass(frozen=True)
class EncodedImage:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedImage:
    format: str
    content_type: str
    extension: str
    image: EncodedImage
    thumbnail: EncodedImage


def refused_type(head: bytes) -> str | None:
    """The name of a known non-allowlisted file type from its first bytes, else None."""
    for signature, name in _REFUSED_SIGNATURES:
        if head.startswith(signature):
            return name
    if head[4:8] == b"ftyp" and head[8:12] in _ISO_BMFF_BRANDS:
        return _ISO_BMFF_BRANDS[head[8:12]]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "SVG"
    return None


def _invalid(message: str = "The file is not a valid image.") -> Invalid:
    return Invalid.on_field("file", message)


def _open(upload) -> Image.Image:
    """Open the upload with the allowlisted plugins only, reading its header, not its pixels."""
    upload.seek(0)
    head = upload.read(64)
    if not head:
        raise _invalid("The file is empty.")
    name = refused_type(head)
    if name:
        raise UnsupportedType(f"{name} files are not accepted; upload JPEG, PNG, GIF or WebP.")
    upload.seek(0)
    try:
        image = Image.open(upload, formats=list(ALLOWED_FORMATS))
    # Pillow's own, looser guard (MAX_IMAGE_PIXELS, 89 Mpx) raises above twice its limit, and
    # warns above it: a warning our cap below turns into a refusal anyway, or an exception where
    # warnings are errors (the test suite).
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _invalid() from exc
    if image.width * image.height > settings.MEDIA_MAX_PIXELS:
        image.close()
        raise _too_many_pixels()
    return image


def _too_many_pixels() -> Invalid:
    return _invalid(f"The image has more than {settings.MEDIA_MAX_PIXELS} pixels.")


# 16-bit greyscale rows as the PNG plugin reads them, and the raw mode that takes each sample's
# high byte instead: the image is decoded at 8 bits, in half the memory, and nothing downstream
# (JPEG, GIF, WebP, a browser's display) keeps 16 bits anyway.
_EIGHT_BIT_GREY = {"I;16B": "L;16B", "I;16": "L;16"}

# How long a request waits for a decoding slot of its worker process before it is told to retry.
_DECODE_WAIT_SECONDS = 20

_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


def _decode_slots() -> threading.BoundedSemaphore:
    """This process's decoding slots, sized by MEDIA_DECODE_CONCURRENCY (read when first needed)."""
    global _slots
    size = settings.MEDIA_DECODE_CONCURRENCY
    with _slots_lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


@contextmanager
def _decode_slot() -> Iterator[None]:
    """One of this process's decoding slots for the block; Unavailable when none frees up in time."""
    slots = _decode_slots()
    if not slots.acquire(timeout=_DECODE_WAIT_SECONDS):
        raise Unavailable("Too many images are being processed right now; try again shortly.")
    try:
        yield
    finally:
        slots.release()


@contextmanager
def _corrupt_if_decoding_fails() -> Iterator[None]:
    """Decoders fail on hostile or damaged input in many ways (OSError for truncation, SyntaxError,
    ValueError, struct.error for bad EXIF...): within the block, all mean a corrupt image."""
    try:
        yield
    except Exception as exc:
        raise _invalid("The image is truncated or corrupt.") from exc


def _decoded_bytes(image: Image.Image) -> int:
    """Memory Pillow will take for the image's pixels once loaded, from what the header said."""
    # One byte per pixel for 1-bit, grey and palette images, two for 16-bit integers, and four
    # for everything else: Pillow keeps RGB, like LA and RGBA, in four bytes per pixel.
    per_pixel = 1 if image.mode in ("1", "L", "P") else 2 if image.mode.startswith("I;16") else 4
    return image.width * image.height * per_pixel


def _fitting_size(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size an image of `size` takes once it fits a `side` x `side` box (never enlarged)."""
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _plan_decode(image: Image.Image) -> None:
    """Make the still-undecoded image fit the memory budget, or refuse it from its header."""
    # `tile` is set by Pillow's image plugins on the images they open; Image.Image's types lack it.
    tiles = image.tile  # type: ignore[attr-defined]
    if image.mode in ("I;16", "I;16B") and "transparency" not in image.info and len(tiles) == 1:
        tile = tiles[0]
        if tile.args in _EIGHT_BIT_GREY:
            image.tile = [tile._replace(args=_EIGHT_BIT_GREY[tile.args])]  # type: ignore[attr-defined]
            image._mode = "L"
    budget = settings.MEDIA_DECODE_MAX_BYTES
    if image.format == "JPEG":
        # The largest of 1/2, 1/4, 1/8 that still leaves the stored size's pixels, or a larger one
        # if that is what it takes to fit the budget (then the image is stored a little smaller).
        width, height = image.size
        target = _fitting_size(image.size, settings.MEDIA_MAX_SIDE)
        scale = next(s for s in (8, 4, 2, 1) if width // s >= target[0] and height // s >= target[1])
        while scale < 8 and _decoded_bytes(image) // (scale * scale) > budget:
            scale *= 2
        if scale > 1:
            image.draft(image.mode, (max(1, width // scale), max(1, height // scale)))
    needed = _decoded_bytes(image)
    if needed > budget:
        image.close()
        raise _invalid(
            f"The image is too large to process ({needed // 2**20} MiB once decoded, "
            f"at most {budget // 2**20} MiB); upload a smaller or 8-bit image."
        )


def _clean_copy(image: Image.Image) -> Image.Image:
    """The pixels of an image in a brand-new L, RGB or RGBA image, with no metadata attached."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha else "L" if image.mode in ("1", "L") else "RGB"
    clean = Image.new(mode, image.size)
    clean.paste(image if image.mode == mode else image.convert(mode))
    return clean


def _encode(image: Image.Image, fmt: str) -> EncodedImage:
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **_SAVE_OPTIONS[fmt])
    return EncodedImage(data=buffer.getvalue(), width=image.width, height=image.height)


def image_process(upload) -> ProcessedImage:
    """Validate an upload and return it re-encoded, with a thumbnail.

    Raises UnsupportedType for a real file type outside the allowlist, Invalid (on "file") for
    anything that is not a complete image or is over the pixel or decoding memory limits, and
    Unavailable when the process has been busy decoding other images for too long.
    """
    with _open(upload) as image:
        fmt = image.format
        assert fmt is not None, "Image.open() names the format it opened"
        _plan_decode(image)
        with _decode_slot():
            return _process(image, fmt)


def _process(image: Image.Image, fmt: str) -> ProcessedImage:
    try:
        with _corrupt_if_decoding_fails():
            image.load()
            # A square box is the same whatever the orientation, so downscaling comes before
            # rotating: the rotation then works on the smaller copy. The decoded image goes as
            # soon as that copy exists.
            size = _fitting_size(image.size, settings.MEDIA_MAX_SIDE)
            scaled = image
            if image.size != size:
                scaled = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
                image.close()
            ImageOps.exif_transpose(scaled, in_place=True)
            clean = _clean_copy(scaled)
    finally:
        image.close()
    scaled.close()
    thumbnail = clean.resize(
        _fitting_size(clean.size, settings.MEDIA_THUMBNAIL_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0
    )
    content_type, extension = ALLOWED_FORMATS[fmt]
    return ProcessedImage(
        format=fmt,
        content_type=content_type,
        extension=extension,
        image=_encode(clean, fmt),
        thumbnail=_encode(thumbnail, fmt),
    )


def avatar_process(upload, *, sides: tuple[int, ...]) -> tuple[str, str, dict[int, EncodedImage]]:
    """Validate an upload as image_process does, crop it to a centred square and encode it in each
    of `sides`; returns (content type, extension, {side: image}). PNG when it has transparency,
    else JPEG, whatever came in (an avatar needs no animation)."""
    with _open(upload) as image:
        _plan_decode(image)
        with _decode_slot(), _corrupt_if_decoding_fails():
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
            clean = _clean_copy(image)
    fmt = "PNG" if clean.mode == "RGBA" else "JPEG"
    content_type, extension = ALLOWED_FORMATS[fmt]
    largest = min(max(sides), clean.width, clean.height)
    square = ImageOps.fit(clean, (largest, largest), Image.Resampling.LANCZOS)
    lanczos = Image.Resampling.LANCZOS
    encoded = {
        side: _encode(square if side >= largest else square.resize((side, side), lanczos), fmt)
        for side in sides
    }
    return content_type, extension, encoded

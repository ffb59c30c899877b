"""The image pipeline: identify an upload from its bytes, refuse bombs, re-encode it clean.

Uploaded bytes are never stored or served as they came. Each accepted image is decoded once
(after its header has passed the pixel cap), oriented, downscaled, copied into a fresh image
that carries no metadata at all, and encoded again. What comes out is pixels only: no EXIF
(GPS, camera), no ICC profile, no comments or text chunks, nothing appended after the image.

Animated GIF and WebP keep their first frame only: a still image is what the feed and the
thumbnail show, and decoding every frame of an untrusted animation multiplies the decoding
cost by a frame count the header does not bound.
"""

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError
from rest_framework.exceptions import UnsupportedMediaType, ValidationError

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


def _invalid(message: str = "The file is not a valid image.") -> ValidationError:
    return ValidationError({"file": [message]})


def _open(upload) -> Image.Image:
    """Open the upload with the allowlisted plugins only, reading its header, not its pixels."""
    upload.seek(0)
    head = upload.read(64)
    if not head:
        raise _invalid("The file is empty.")
    name = refused_type(head)
    if name:
        raise UnsupportedMediaType(
            name, detail=f"{name} files are not accepted; upload JPEG, PNG, GIF or WebP."
        )
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


def _too_many_pixels() -> ValidationError:
    return _invalid(f"The image has more than {settings.MEDIA_MAX_PIXELS} pixels.")


def _clean_copy(image: Image.Image) -> Image.Image:
    """The pixels of an image in a brand-new RGB/RGBA image, with no metadata attached."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    pixels = image.convert("RGBA" if has_alpha else "RGB")
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    return clean


def _encode(image: Image.Image, fmt: str) -> EncodedImage:
    if fmt == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **_SAVE_OPTIONS[fmt])
    return EncodedImage(data=buffer.getvalue(), width=image.width, height=image.height)


def image_process(upload) -> ProcessedImage:
    """Validate an upload and return it re-encoded, with a thumbnail.

    Raises UnsupportedMediaType (415) for a real file type outside the allowlist and
    ValidationError (400) for anything that is not a complete image or has too many pixels.
    """
    with _open(upload) as image:
        fmt = image.format
        assert fmt is not None, "Image.open() names the format it opened"
        max_side = settings.MEDIA_MAX_SIDE
        try:
            # A square box is the same whatever the orientation, so downscaling before rotating
            # is safe, and it lets the JPEG decoder skip most of a huge photo's pixels (draft mode).
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            oriented = ImageOps.exif_transpose(image)
        except Exception as exc:
            # Decoders fail on hostile or damaged input in many ways (OSError for truncation,
            # SyntaxError, ValueError, struct.error for bad EXIF...): all mean a corrupt image.
            raise _invalid("The image is truncated or corrupt.") from exc
        clean = _clean_copy(oriented)
    thumbnail = clean.copy()
    side = settings.MEDIA_THUMBNAIL_SIDE
    thumbnail.thumbnail((side, side), Image.Resampling.LANCZOS)
    content_type, extension = ALLOWED_FORMATS[fmt]
    return ProcessedImage(
        format=fmt,
        content_type=content_type,
        extension=extension,
        image=_encode(clean, fmt),
        thumbnail=_encode(thumbnail, fmt),
    )

"""Image files for the media tests, made with Pillow (and by hand where Pillow would refuse)."""

import io
import struct
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from media.models import Media


def image_file(fmt: str, size: tuple[int, int] = (64, 48), color=(200, 30, 30), **save_kwargs) -> bytes:
    mode = "RGB" if fmt in ("JPEG", "BMP", "TIFF") else "RGBA"
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


def two_colour_image(fmt: str, size: tuple[int, int], **save_kwargs) -> bytes:
    """Left half red, right half blue: which way round it is shows how it was rotated."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


def phone_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: camera make and model, orientation, GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 30.0)
    gps[3], gps[4] = "E", (2.0, 17.0, 40.0)
    return exif


def animation(fmt: str, frames: int = 3, size: tuple[int, int] = (40, 30)) -> bytes:
    """An animated GIF or WebP whose frames go from black to bright red."""
    images = [Image.new("RGB", size, (100 * i, 0, 0)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, fmt, save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG of a few kilobytes whose header promises width x height RGB pixels (1.2 GB here).

    The pixel data is a well-formed start of the image (rows of zeros); a decoder that trusts
    the header allocates the whole image before it finds out the data stops.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 3 * width) * 50, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "picture.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(root: Path) -> list[str]:
    """Every file under a local store, relative to it."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def file_names(media: Media) -> tuple[str, str]:
    """The storage names of a media's image and thumbnail (an uploaded media has both)."""
    image, thumbnail = media.file.name, media.thumbnail.name
    assert image and thumbnail
    return image, thumbnail

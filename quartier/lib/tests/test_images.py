from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from quartier.lib.images import (
    MAX_DECODED_PIXELS,
    MAX_UPLOAD_BYTES,
    ImageRejected,
    reencode_image,
    sniff_format,
)


def encoded(fmt: str, size=(640, 480), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200) if mode == "RGB" else (10, 120, 200, 128)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_it_turns_every_accepted_format_into_a_square_webp(fmt):
    result = reencode_image(io.BytesIO(encoded(fmt)), size=128)
    with Image.open(io.BytesIO(result)) as image:
        assert (image.format, image.size) == ("WEBP", (128, 128))


def test_it_keeps_transparency():
    result = reencode_image(io.BytesIO(encoded("PNG", mode="RGBA")), size=64)
    with Image.open(io.BytesIO(result)) as image:
        assert image.mode == "RGBA"


def test_it_recognises_formats_by_their_first_bytes():
    assert sniff_format(encoded("PNG")[:16]) == "PNG"
    assert sniff_format(encoded("JPEG")[:16]) == "JPEG"
    assert sniff_format(encoded("WEBP")[:16]) == "WEBP"
    assert sniff_format(b"GIF89a") is None


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"hello", "not_an_image"), (encoded("GIF"), "not_an_image"), (encoded("PNG")[:40], "not_an_image"),
     (b"\x89PNG\r\n\x1a\n" + b"0" * 2000, "too_large")],
)  # fmt: skip
def test_it_rejects_what_is_not_an_acceptable_image(data, code):
    with pytest.raises(ImageRejected) as error:
        reencode_image(io.BytesIO(data), size=64, max_bytes=1000 if code == "too_large" else 10_000_000)
    assert error.value.code == code


def test_it_refuses_decompression_bombs():
    bomb = encoded("PNG", size=(8000, 6000), mode="RGB")
    with pytest.raises(ImageRejected) as error:
        reencode_image(io.BytesIO(bomb), size=64)
    assert error.value.code == "too_many_pixels"


def png_header_only(width: int, height: int) -> bytes:
    """A valid greyscale PNG of `width` by `height` black pixels, compressed to a few kilobytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte, then one byte per pixel
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_the_small_png_of_these_tests_is_a_real_image():
    result = reencode_image(io.BytesIO(png_header_only(40, 30)), size=16)
    with Image.open(io.BytesIO(result)) as image:
        assert (image.format, image.size) == ("WEBP", (16, 16))


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (5_000, 3_000)])
def test_a_small_file_with_too_many_pixels_to_decode_is_refused(width, height):
    data = png_header_only(width, height)
    assert len(data) < MAX_UPLOAD_BYTES

    with pytest.raises(ImageRejected) as rejected:
        reencode_image(io.BytesIO(data), size=400)

    assert rejected.value.code == "too_many_pixels"


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_and_accepted():
    width, height = 4_800, 3_200  # more pixels than are ever decoded: only a reduced decode fits
    assert width * height > MAX_DECODED_PIXELS

    result = reencode_image(io.BytesIO(encoded("JPEG", size=(width, height))), size=400)

    with Image.open(io.BytesIO(result)) as image:
        assert (image.format, image.size) == ("WEBP", (400, 400))


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((3000, 1000), (1200, 400)),
        ((1000, 3000), (400, 1200)),
        ((1500, 1500), (1200, 1200)),
        ((300, 100), (300, 100)),
    ],
)
def test_keeping_the_shape_scales_the_longer_side_down_and_never_crops(size, expected):
    result = reencode_image(io.BytesIO(encoded("PNG", size=size)), size=1200, keep_shape=True)
    with Image.open(io.BytesIO(result)) as image:
        assert (image.format, image.size) == ("WEBP", expected)


@pytest.mark.parametrize("size", [(3100, 1000), (400, 1300)])
def test_keeping_the_shape_refuses_a_picture_longer_than_three_to_one(size):
    with pytest.raises(ImageRejected) as refused:
        reencode_image(io.BytesIO(encoded("PNG", size=size)), size=1200, keep_shape=True)
    assert refused.value.code == "bad_shape"

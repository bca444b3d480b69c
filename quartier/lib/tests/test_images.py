from __future__ import annotations

import io

import pytest
from PIL import Image

from quartier.lib.images import ImageRejected, reencode_image, sniff_format


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

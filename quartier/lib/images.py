"""Uploaded images: check what they really are, then re-encode them small and without metadata."""

from __future__ import annotations

import io
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Pixels an upload may declare in its header. A JPEG is decoded at a reduced scale (`Image.draft`,
# down to 1/8), so a 40-megapixel photo costs well under a megapixel; PNG and WebP are decoded whole.
MAX_PIXELS = 40_000_000  # refuse decompression bombs well before Pillow's own limit
# Pixels actually decoded, checked from the header (after `draft`) before any pixel is: about 50 MB of
# memory at most, for a photo shown at 400 pixels.
MAX_DECODED_PIXELS = 12_000_000
# The longest side over the shortest that a photo keeping its shape may have (a 3:1 banner, a 1:3
# poster); beyond, it is refused with a clear error rather than cropped or letterboxed.
MAX_ASPECT_RATIO = 3.0

# Magic bytes of the accepted formats: the first bytes decide, never the file name or its type header.
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)


class ImageRejected(ValueError):
    """The upload is not an image we accept; `code` says why (too_large, not_an_image, too_many_pixels,
    bad_shape: longer than `MAX_ASPECT_RATIO` to 1 either way, for an image that keeps its shape)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sniff_format(head: bytes) -> str | None:
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def reencode_image(
    upload: BinaryIO,
    *,
    size: int,
    max_bytes: int = MAX_UPLOAD_BYTES,
    keep_shape: bool = False,
    within: tuple[int, int] | None = None,
) -> bytes:
    """A WebP with every metadata block dropped: a square of `size` pixels cropped from the centre
    (profile photos); with `keep_shape` the whole picture, its longer side brought down to `size`
    (never enlarged), refused (`bad_shape`) beyond `MAX_ASPECT_RATIO` to 1 (post and page photos); or,
    with `within` (width, height), the whole image shrunk to fit that box, its shape kept (a logo).

    Nothing is decoded before the size on disk (`max_bytes`), the declared pixels (`MAX_PIXELS`) and
    the pixels to decode (`MAX_DECODED_PIXELS`) are checked.
    """
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRejected("too_large")
    declared = sniff_format(data[:16])
    if declared is None:
        raise ImageRejected("not_an_image")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != declared or probe.format not in ACCEPTED_FORMATS:
                raise ImageRejected("not_an_image")
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageRejected("too_many_pixels")
            longer, shorter = max(probe.size), max(min(probe.size), 1)
            if keep_shape and longer > shorter * MAX_ASPECT_RATIO:
                raise ImageRejected("bad_shape")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.format == "JPEG":
                # Decode at the smallest scale that still covers the output (decoders only shrink).
                image.draft("RGB", (size * 2, size * 2))
            if image.width * image.height > MAX_DECODED_PIXELS:
                raise ImageRejected("too_many_pixels")
            image.load()
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB")
            if within is not None:
                image.thumbnail(within, Image.Resampling.LANCZOS)
            elif keep_shape:
                image.thumbnail((size, size), Image.Resampling.LANCZOS)
            else:
                image = ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, format="WEBP", quality=82, method=4)  # no exif= or icc_profile=: stripped
            return out.getvalue()
    except ImageRejected:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit, met while reading the header
        raise ImageRejected("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRejected("not_an_image") from None


def dimensions(encoded: bytes) -> tuple[int, int]:
    """Width and height of an image this module encoded."""
    with Image.open(io.BytesIO(encoded)) as image:
        return image.width, image.height
